import { configError } from '../errors';
import { parseTimeSpan } from './parseTimeSpan';

export type InitialOffset =
  { type: 'fromStart' } | { type: 'fromEnd' } | { type: 'fromEnqueuedTime'; enqueuedTimeUtc: Date };

/** The trigger settings of host.json `extensions.eventHubs`, with the extension's defaults. */
export interface EventHubOptions {
  maxEventBatchSize: number;
  minEventBatchSize: number;
  /** Only used when minEventBatchSize > 1, as in the extension. */
  maxWaitTimeMs: number;
  batchCheckpointFrequency: number;
  initialOffset: InitialOffset;
}

export const defaultEventHubOptions: EventHubOptions = {
  maxEventBatchSize: 100,
  minEventBatchSize: 1,
  maxWaitTimeMs: 60_000,
  batchCheckpointFrequency: 1,
  initialOffset: { type: 'fromStart' },
};

const where = 'host.json extensions.eventHubs';

/** The host reads configuration case-insensitively; so do we. */
function get(obj: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : obj[found];
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw configError(`${where}.${name} must be a positive integer; found ${JSON.stringify(value)}.`);
  }
  return n;
}

function parseInitialOffset(value: unknown): InitialOffset {
  if (value === undefined || value === null) return { type: 'fromStart' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError(
      `${where}.initialOffsetOptions must be an object like {"type":"fromStart"}; found ${JSON.stringify(value)}.`,
    );
  }
  const options = value as Record<string, unknown>;
  const type = get(options, 'type');
  const normalized = typeof type === 'string' ? type.toLowerCase() : undefined;
  if (normalized === undefined || normalized === 'fromstart') return { type: 'fromStart' };
  if (normalized === 'fromend') return { type: 'fromEnd' };
  if (normalized === 'fromenqueuedtime') {
    const text = get(options, 'enqueuedTimeUtc');
    const time = typeof text === 'string' ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`) : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      throw configError(
        `${where}.initialOffsetOptions.enqueuedTimeUtc must be a UTC date-time when type is fromEnqueuedTime; found ${JSON.stringify(text)}.`,
      );
    }
    return { type: 'fromEnqueuedTime', enqueuedTimeUtc: time };
  }
  throw configError(
    `${where}.initialOffsetOptions.type must be fromStart, fromEnd or fromEnqueuedTime; found ${JSON.stringify(type)}.`,
  );
}

/** Reads `extensions.eventHubs` from a parsed host.json; bad values are errors naming the setting. */
export function eventHubOptionsFromHostJson(hostJson: Record<string, unknown>): EventHubOptions {
  const extensions = get(hostJson, 'extensions');
  const section =
    extensions && typeof extensions === 'object' ? get(extensions as Record<string, unknown>, 'eventHubs') : undefined;
  if (section === undefined || section === null) return { ...defaultEventHubOptions };
  if (typeof section !== 'object' || Array.isArray(section)) {
    throw configError(`${where} must be an object; found ${JSON.stringify(section)}.`);
  }
  const s = section as Record<string, unknown>;
  const maxEventBatchSize = positiveInt(
    get(s, 'maxEventBatchSize'),
    'maxEventBatchSize',
    defaultEventHubOptions.maxEventBatchSize,
  );
  const minEventBatchSize = positiveInt(
    get(s, 'minEventBatchSize'),
    'minEventBatchSize',
    defaultEventHubOptions.minEventBatchSize,
  );
  if (minEventBatchSize > maxEventBatchSize) {
    throw configError(
      `${where}.minEventBatchSize (${minEventBatchSize}) must not exceed maxEventBatchSize (${maxEventBatchSize}).`,
    );
  }
  const wait = get(s, 'maxWaitTime');
  let maxWaitTimeMs = defaultEventHubOptions.maxWaitTimeMs;
  if (wait !== undefined && wait !== null) {
    if (typeof wait !== 'string')
      throw configError(
        `${where}.maxWaitTime must be a TimeSpan string like "00:00:05"; found ${JSON.stringify(wait)}.`,
      );
    maxWaitTimeMs = parseTimeSpan(wait, `${where}.maxWaitTime`);
  }
  return {
    maxEventBatchSize,
    minEventBatchSize,
    maxWaitTimeMs,
    batchCheckpointFrequency: positiveInt(
      get(s, 'batchCheckpointFrequency'),
      'batchCheckpointFrequency',
      defaultEventHubOptions.batchCheckpointFrequency,
    ),
    initialOffset: parseInitialOffset(get(s, 'initialOffsetOptions')),
  };
}
