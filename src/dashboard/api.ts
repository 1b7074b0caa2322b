import type { FieldError } from './format';

const KEY = 'streamfold.key';

/** The key the user entered (session storage: gone when the tab closes); the local host needs none. */
export const getKey = (): string => sessionStorage.getItem(KEY) ?? '';
export const setKey = (key: string): void => (key ? sessionStorage.setItem(KEY, key) : sessionStorage.removeItem(KEY));

/** An API answer that was not 2xx: the problem's `detail` (never a blank page) and its field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

/** Calls /api/{path} with the key, JSON in and out; problem+json errors become ApiError with their detail. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const key = getKey();
  const headers: Record<string, string> = {};
  if (key) headers['x-functions-key'] = key;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (e) {
    throw new ApiError(0, `The app did not answer ${init.method ?? 'GET'} /api/${path}: ${(e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text.slice(0, 500) || `${res.status} ${res.statusText}`;
    let errors: FieldError[] = [];
    try {
      const problem = JSON.parse(text) as { detail?: string; errors?: FieldError[] };
      if (problem.detail) detail = problem.detail;
      errors = problem.errors ?? [];
    } catch {
      // Not JSON: the text itself.
    }
    if (res.status === 401)
      detail = `${detail ? `${detail} ` : ''}The app wants a key: enter a function key (reading) or the master key (saving, starting analyses) above.`;
    throw new ApiError(res.status, detail, errors);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The local hub's state (local host only; on Azure the route does not exist). */
export async function hubState(hub = 'events'): Promise<HubState | undefined> {
  try {
    const res = await fetch(`/runtime/eventhubs/${encodeURIComponent(hub)}`);
    return res.ok ? ((await res.json()) as HubState) : undefined;
  } catch {
    return undefined;
  }
}

export interface HubState {
  name: string;
  events: number;
  partitions: {
    partitionId: string;
    lastSequenceNumber: number;
    consumers: Record<string, { lag: number; unprocessed: number }>;
  }[];
}

export interface MetricsPoint {
  minute: string;
  events: number;
  eventsPerSec: number;
  processingRate: number | null;
  aggregated: number;
  filtered: number;
  deadLettered: number;
  entityOperations: number;
  entityOperationsPer1000Events: number | null;
  latencyP50: number | null;
  latencyP99: number | null;
  byPipeline: Record<string, { aggregated: number; filtered: number; deadLettered: number }>;
  byReason: Record<string, number>;
}

export interface Summary {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  p50: number | null;
  p99: number | null;
}

export interface CatalogEntry {
  pipeline: string;
  stream: string;
  lastSeen: string;
  events: number;
  eventsPerSec: number;
}

export interface StreamView {
  events: number;
  windows: { start: number; end: number; events: number; measures: Record<string, Summary> }[];
  watermark: number | null;
  maxEventTime: number | null;
  metrics: {
    eventsPerSec: number;
    late: number;
    invalid: number;
    lateAtEntity: number;
    duplicates: number;
    /** Window revisions (late events within `corrections`); absent on views from before revisions. */
    revisions?: number;
    conflicts: number;
    latencyP50: number | null;
    latencyP99: number | null;
    lastSeen: string | null;
  };
}

export interface DeadLetter {
  raw: string;
  reason: string;
  detail: string;
  partition: string;
  sequenceNumber: number;
  enqueuedTime: string;
  recordedAt: string;
  pipeline?: string;
  stream?: string;
}

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

export interface StoredPipeline {
  name: string;
  definition: Record<string, unknown>;
  updatedAt: string;
}
