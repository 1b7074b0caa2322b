import type { HubEvent } from './types';

/**
 * One event as one NDJSON line of a partition segment. Bodies that are valid UTF-8 are stored as text
 * (readable with `tail`), anything else as base64.
 */
interface StoredRecord {
  q: number;
  t: number;
  k: string | null;
  p?: Record<string, unknown>;
  b?: string;
  x?: string;
}

export function encodeRecord(event: Omit<HubEvent, 'offset'>): string {
  const text = event.body.toString('utf8');
  const record: StoredRecord = { q: event.sequenceNumber, t: event.enqueuedTime.getTime(), k: event.partitionKey };
  if (Object.keys(event.properties).length > 0) record.p = event.properties;
  if (Buffer.byteLength(text, 'utf8') === event.body.length && Buffer.from(text, 'utf8').equals(event.body))
    record.b = text;
  else record.x = event.body.toString('base64');
  return `${JSON.stringify(record)}\n`;
}

/** Decodes one line (without its newline); returns undefined for anything that is not a whole record. */
export function decodeRecord(line: string, offset: number): HubEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const r = parsed as Partial<StoredRecord>;
  if (typeof r.q !== 'number' || typeof r.t !== 'number' || (typeof r.b !== 'string' && typeof r.x !== 'string'))
    return undefined;
  return {
    body: typeof r.b === 'string' ? Buffer.from(r.b, 'utf8') : Buffer.from(r.x ?? '', 'base64'),
    sequenceNumber: r.q,
    offset: String(offset),
    enqueuedTime: new Date(r.t),
    partitionKey: typeof r.k === 'string' ? r.k : null,
    properties: r.p && typeof r.p === 'object' ? r.p : {},
  };
}
