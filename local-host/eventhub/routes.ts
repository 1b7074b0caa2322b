import type { IncomingMessage, ServerResponse } from 'node:http';

import { ensureError, isUserError, requestError } from '../errors';
import type { HostRouteKeyLevel } from '../extension';
import { sendProblem } from '../http/sendText';
import type { LocalHub } from './localHub';
import { parseProducerBody } from './parseProducerBody';

export const hubRoutePrefix = '/runtime/eventhubs';
/** Event Hubs' own limit for one event (Standard/Premium: 1 MB). */
export const maxEventBytes = 1024 * 1024;
/** One producer request; larger bodies are refused while streaming in, never buffered. */
export const maxRequestBytes = 16 * 1024 * 1024;
/**
 * Media types the producer route reads. Anything else (notably text/plain, or no type: what a browser may send
 * cross-site without a CORS preflight) is refused, so a web page cannot inject events.
 */
export const producerMediaTypes = [
  'application/json',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
] as const;

/** With --require-keys: reading hub state takes a function key; producing events (a write) takes the master key. */
export const hubRouteKeyLevel = (method: string): HostRouteKeyLevel =>
  method === 'GET' || method === 'HEAD' ? 'function' : 'admin';

export interface HubConsumerView {
  functionName: string;
  consumerGroup: string;
  checkpointGroup: string;
  hub: LocalHub;
  /** Next sequence number the consumer delivers, per partition id. */
  position(partitionId: string): number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = (): Error =>
    requestError(
      `The request body is larger than ${maxRequestBytes} bytes (16 MiB); send events in smaller requests.`,
      413,
    );
  if (Number(req.headers['content-length'] ?? 0) > maxRequestBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The rest of the body is read and dropped by Node once the answer is sent, never kept.
    if (size > maxRequestBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's media type if the producer route reads it; otherwise a 415 naming what it accepts. */
function producerMediaType(header: string | undefined): string {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if ((producerMediaTypes as readonly string[]).includes(type)) return type;
  throw requestError(
    `Content-Type must be one of ${producerMediaTypes.join(', ')}; found ${header === undefined ? 'none' : JSON.stringify(header)}.`,
    415,
  );
}

/** GET /runtime/eventhubs/{hub}: partitions, checkpoints and lag per consumer. */
function describeHub(hub: LocalHub, consumers: readonly HubConsumerView[]): unknown {
  const mine = consumers.filter((c) => c.hub === hub);
  const partitions = hub.partitions.map((log) => {
    const info = log.info();
    return {
      ...info,
      consumers: Object.fromEntries(
        mine.map((c) => {
          const checkpoint = hub.checkpoints.get(c.checkpointGroup, log.partitionId) ?? null;
          const position = c.position(log.partitionId);
          return [
            c.checkpointGroup,
            {
              function: c.functionName,
              checkpoint,
              // Events after the checkpoint: what a crash now would deliver again.
              lag: info.lastSequenceNumber - (checkpoint ? checkpoint.sequenceNumber : -1),
              // Events not yet through the function (the position moves only after a batch completes).
              unprocessed: info.lastSequenceNumber + 1 - position,
            },
          ];
        }),
      ),
    };
  });
  const total = (key: 'lag' | 'unprocessed', group: string): number =>
    partitions.reduce((sum, p) => sum + ((p.consumers[group] as Record<string, number> | undefined)?.[key] ?? 0), 0);
  return {
    name: hub.name,
    partitionCount: hub.partitions.length,
    events: partitions.reduce((sum, p) => sum + p.lastSequenceNumber + 1, 0),
    consumers: mine.map((c) => ({
      function: c.functionName,
      consumerGroup: c.consumerGroup,
      checkpointGroup: c.checkpointGroup,
      lag: total('lag', c.checkpointGroup),
      unprocessed: total('unprocessed', c.checkpointGroup),
    })),
    partitions,
  };
}

/**
 * GET  /runtime/eventhubs                  -> { hubs: [...] }
 * GET  /runtime/eventhubs/{hub}            -> partitions, checkpoints, lag
 * POST /runtime/eventhubs/{hub}/events     -> { accepted, partitions: { "<id>": count } }
 *      body: JSON array / single JSON value (Content-Type application/json), or NDJSON (application/x-ndjson,
 *      application/ndjson, application/jsonl); other types 415; at most 16 MiB per request and 1 MiB per event (413);
 *      query: partitionKey, partitionId, envelope=true (see parseProducerBody).
 */
export function createHubRouteHandler(
  hubs: () => ReadonlyMap<string, LocalHub>,
  consumers: () => readonly HubConsumerView[],
) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const parts = url.pathname.slice(hubRoutePrefix.length).split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (parts.length === 0 && method === 'GET') {
      send(res, 200, { hubs: [...hubs().values()].map((h) => describeHub(h, consumers())) });
      return;
    }
    const name = parts[0] ?? '';
    const hub = hubs().get(name.toLowerCase());
    if (!hub) {
      send(res, 404, {
        error: `No local event hub "${name}". Local hubs (from the app's eventHub bindings): ${[...hubs().values()].map((h) => h.name).join(', ') || 'none'}.`,
      });
      return;
    }
    if (parts.length === 1 && method === 'GET') {
      send(res, 200, describeHub(hub, consumers()));
      return;
    }
    if (parts.length === 2 && parts[1] === 'events' && method === 'POST') {
      let text: string;
      let mediaType: string;
      try {
        mediaType = producerMediaType(req.headers['content-type']);
        text = await readBody(req);
      } catch (err) {
        if (!isUserError(err)) throw err;
        sendProblem(res, err.status, err.message, { field: err.status === 415 ? 'Content-Type' : 'body' });
        return;
      }
      const q = url.searchParams;
      let events: ReturnType<typeof parseProducerBody>;
      try {
        events = parseProducerBody(text, mediaType, {
          envelope: ['true', '1'].includes((q.get('envelope') ?? '').toLowerCase()),
          partitionKey: q.get('partitionKey') ?? undefined,
          partitionId: q.get('partitionId') ?? undefined,
        });
      } catch (err) {
        send(res, 400, { error: ensureError(err).message });
        return;
      }
      const oversized = events.findIndex((e) => e.body.length > maxEventBytes);
      if (oversized >= 0) {
        sendProblem(
          res,
          413,
          `Event ${oversized} is ${events[oversized]!.body.length} bytes; one event may be at most ${maxEventBytes} bytes (1 MiB), as in Event Hubs. Nothing was appended.`,
          { field: `events[${oversized}]` },
        );
        return;
      }
      try {
        send(res, 200, await hub.append(events));
      } catch (err) {
        // A partition id that does not exist is the caller's mistake; anything else is the host's.
        send(res, err instanceof RangeError ? 400 : 500, { error: ensureError(err).message });
      }
      return;
    }
    send(res, 405, {
      error: `Expected GET ${hubRoutePrefix}/${name} or POST ${hubRoutePrefix}/${name}/events; found ${method} ${url.pathname}.`,
    });
  };
}
