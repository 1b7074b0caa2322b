/** The chaos run's events: deterministic from their index, so a failing run can be reasoned about. */
export interface ChaosEvent {
  id: number;
  stream: string;
  partition: string;
  /** The body exactly as sent. */
  body: string;
  valid: boolean;
  value: number;
}

export interface ChaosEventOptions {
  streams: number;
  partitions: number;
  /** On partition 0, every Nth event of the partition is a malformed JSON body (0 = none). */
  invalidEvery: number;
}

/** Event times start here and advance 10 ms per event: the chaos pipeline's 5 s windows close while the run streams. */
export const EVENT_TIME_BASE = Date.UTC(2024, 4, 1, 10, 0, 0);
export const EVENT_TIME_STEP_MS = 10;

/**
 * The pipeline the run stores: 5 s tumbling windows, at most 3 live (older ones close and are saved to the Windows
 * table as the run goes), and a lateness of an hour so that no event is ever late at ingest however far one partition
 * falls behind the others during an outage (the whole run spans minutes of event time).
 */
export const CHAOS_PIPELINE = {
  description: 'npm run chaos: 5 s windows of value per stream',
  key: 'stream',
  time: 'time',
  measures: { value: 'value' },
  window: { type: 'tumbling', size: 'PT5S' },
  lateness: 'PT1H',
  retention: 3,
} as const;

export const CHAOS_PIPELINE_NAME = 'chaos';

export const streamName = (k: number): string => `s-${k}`;

/**
 * Event `i` goes to partition i mod partitions and stream i mod streams (coprime counts put every stream on every
 * partition). Invalid events (malformed JSON that still names its stream and id, so its dead letter can be matched)
 * go to partition 0 only: the other partitions' batches carry no dead letters, so during an outage they still reach
 * the stream entities, whose window writes then fail.
 */
export function chaosEvent(i: number, o: ChaosEventOptions): ChaosEvent {
  const partition = i % o.partitions;
  const stream = streamName(i % o.streams);
  const value = 1 + ((i * 7919) % 1000);
  const valid = !(partition === 0 && o.invalidEvery > 0 && Math.floor(i / o.partitions) % o.invalidEvery === 0);
  const time = new Date(EVENT_TIME_BASE + i * EVENT_TIME_STEP_MS).toISOString();
  const body = valid
    ? JSON.stringify({ stream, id: i, time, value })
    : `{"stream":${JSON.stringify(stream)},"id":${i},"time":"${time}","value":${value},`;
  return { id: i, stream, partition: String(partition), body, valid, value };
}

/** The event id in a raw body (valid or not), or undefined. */
export function idInRaw(raw: string): number | undefined {
  const m = /"id":(\d+)/.exec(raw);
  return m ? Number(m[1]) : undefined;
}
