import type { MessageBody, StoredMessage } from '../types';

function targetOf(body: MessageBody, id: string): string {
  switch (body.kind) {
    case 'orchestration':
      return `orch:${body.instanceId}`;
    case 'entity':
      return `ent:${body.entityId}`;
    case 'activity':
      return `act:${id}`;
  }
}

export function newMessage(id: string, body: MessageBody, visibleAt = 0): StoredMessage {
  return { id, target: targetOf(body, id), visibleAt, body };
}
