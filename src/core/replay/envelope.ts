/**
 * The marker a replayed dead letter travels in (docs/how-to/dead-letters.md): the raw body wrapped with where it first
 * came from and the pipeline that dead-lettered it. The key comes first so ingest recognises a replay by a prefix
 * compare of the bytes, without parsing every event.
 */
export interface ReplayMark {
  /** The original Event Hubs partition and sequence number: with `pipeline`, the dead letter's identity. */
  partition: string;
  sequenceNumber: number;
  /** The original enqueued time (ISO): a replay that fails again is dead-lettered under it, replacing its dead letter. */
  enqueuedTime: string;
  /** Only this pipeline takes the replayed event; null: every pipeline (a dead letter without one). */
  pipeline: string | null;
  /** The replay call that sent it. */
  replayId: string;
}

export const REPLAY_KEY = 'streamfoldReplay';
const PREFIX = `{"${REPLAY_KEY}":`;
const PREFIX_BYTES = Buffer.from(PREFIX, 'utf8');

export function encodeReplay(mark: ReplayMark, raw: string): string {
  return JSON.stringify({
    [REPLAY_KEY]: {
      partition: mark.partition,
      sequenceNumber: mark.sequenceNumber,
      enqueuedTime: mark.enqueuedTime,
      pipeline: mark.pipeline,
      replayId: mark.replayId,
    },
    raw,
  });
}

const isMark = (v: unknown): v is ReplayMark => {
  if (v === null || typeof v !== 'object') return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m['partition'] === 'string' &&
    typeof m['sequenceNumber'] === 'number' &&
    Number.isInteger(m['sequenceNumber']) &&
    typeof m['enqueuedTime'] === 'string' &&
    !Number.isNaN(Date.parse(m['enqueuedTime'])) &&
    (m['pipeline'] === null || typeof m['pipeline'] === 'string') &&
    typeof m['replayId'] === 'string'
  );
};

/**
 * The mark and raw body of a replay envelope; undefined for any other body (the prefix decides, so an ordinary event
 * costs a compare of a few bytes). A body with the prefix that is not a well-formed envelope is returned as `malformed`.
 */
export function decodeReplay(body: unknown): { mark: ReplayMark; raw: string } | { malformed: string } | undefined {
  let text: string;
  if (body instanceof Uint8Array) {
    if (
      body.byteLength < PREFIX_BYTES.length ||
      Buffer.compare(PREFIX_BYTES, Buffer.from(body.buffer, body.byteOffset, PREFIX_BYTES.length)) !== 0
    )
      return undefined;
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  } else if (typeof body === 'string') {
    if (!body.startsWith(PREFIX)) return undefined;
    text = body;
  } else return undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const mark = parsed[REPLAY_KEY];
    if (isMark(mark) && typeof parsed['raw'] === 'string') return { mark, raw: parsed['raw'] };
  } catch {
    // not JSON: malformed below
  }
  return {
    malformed: `expected a replay envelope {"${REPLAY_KEY}":{partition, sequenceNumber, enqueuedTime, pipeline, replayId},"raw":"..."}`,
  };
}
