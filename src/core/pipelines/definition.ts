import { z } from 'zod';

import { parseDuration } from '../duration';
import { compileExpression, MAX_EXPRESSION_LENGTH } from '../expressions';

/** Stored pipeline definition (what users write); `compilePipeline` turns it into something processBatch runs. */
export interface PipelineDefinition {
  name: string;
  description?: string;
  /** Boolean expression; events for which it is false are counted as filtered. */
  filter?: string;
  /** Expression giving the stream key (string or number). */
  streamKey: string;
  /** Field path of the event time (ISO-8601 string or epoch ms); missing -> the event's enqueued time. */
  time: string;
  /** Measure name -> numeric expression. */
  measures: Record<string, string>;
  window: { size: string | number; hop?: string | number };
  allowedLateness: string | number;
  retention: number;
  sketchAccuracy: number;
  /**
   * Processing time without new events after which the stream's open windows are closed (`closedBy: 'idle'`);
   * "0", 0 or null disables it.
   */
  idleTimeout: string | number | null;
}

export interface PipelineIssue {
  path: string;
  message: string;
}

export type ParsePipelineResult = { ok: true; pipeline: PipelineDefinition } | { ok: false; issues: PipelineIssue[] };

const NAME = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/i;
const MEASURE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_WINDOW_MS = 31 * 86_400_000;
/** A quiet stream's open windows close after this much processing time without events. */
export const DEFAULT_IDLE_TIMEOUT = '2m';

/** Milliseconds of a parsed idleTimeout; 0 = disabled. */
export function idleTimeoutMs(value: PipelineDefinition['idleTimeout']): number {
  return value === null || value === '0' ? 0 : (parseDuration(value) ?? 0);
}

const duration = (what: string, min: number, max: number) =>
  z.union([z.string(), z.number()]).superRefine((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a duration like "10s", "1m", "1h" or milliseconds` });
    } else if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} between ${min} ms and ${max} ms` });
    }
  });

const expression = (kind: string) =>
  z
    .string({ error: `expected ${kind} expression text` })
    .min(1, { error: `expected a non-empty ${kind} expression` })
    .max(MAX_EXPRESSION_LENGTH)
    .superRefine((text, ctx) => {
      const compiled = compileExpression(text);
      if (!compiled.ok) ctx.addIssue({ code: 'custom', message: `expected a valid ${kind} expression: ${compiled.error.message}` });
    });

const fieldPath = z
  .string({ error: 'expected a field path like "time" or "meta.ts"' })
  .superRefine((text, ctx) => {
    const compiled = compileExpression(text);
    const type = compiled.ok ? compiled.ast.type : undefined;
    if (type !== 'field' && type !== 'member' && type !== 'index') {
      ctx.addIssue({ code: 'custom', message: 'expected a field path like "time", "meta.ts" or meta["event time"]' });
    }
  });

export const pipelineDefinitionSchema = z
  .strictObject({
    name: z.string({ error: 'expected a pipeline name' }).regex(NAME, {
      error: 'expected a url-safe name of 1-63 letters, digits, "-" or "_", starting and ending with a letter or digit',
    }),
    description: z.string().max(1024).optional(),
    filter: expression('boolean filter').optional(),
    streamKey: expression('stream key').default('stream'),
    time: fieldPath.default('time'),
    measures: z
      .record(
        z.string().regex(MEASURE_NAME, { error: 'expected measure names made of letters, digits and "_" (max 64), not starting with a digit' }),
        expression('numeric measure'),
      )
      .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 32, { error: 'expected between 1 and 32 measures' })
      .default({ value: 'value' }),
    window: z
      .strictObject({ size: duration('window.size', 1, MAX_WINDOW_MS), hop: duration('window.hop', 1, MAX_WINDOW_MS).optional() })
      .superRefine((w, ctx) => {
        const size = parseDuration(w.size);
        const hop = w.hop === undefined ? undefined : parseDuration(w.hop);
        if (size === undefined || hop === undefined) return;
        if (hop > size) ctx.addIssue({ code: 'custom', path: ['hop'], message: `expected window.hop <= window.size (${size} ms)` });
        else if (size / hop > 100) ctx.addIssue({ code: 'custom', path: ['hop'], message: 'expected at most 100 overlapping windows (window.size / window.hop <= 100)' });
      }),
    allowedLateness: duration('allowedLateness', 0, MAX_WINDOW_MS).default('30s'),
    retention: z.number({ error: 'expected the number of live windows to keep' }).int().min(1).max(10_000).default(60),
    sketchAccuracy: z.number({ error: 'expected a relative accuracy like 0.01' }).min(0.0001).max(0.1).default(0.01),
    idleTimeout: z
      .union([z.string(), z.number(), z.null()], { error: 'expected idleTimeout as a duration like "2m", or "0" or null to disable it' })
      .superRefine((value, ctx) => {
        if (value === null || value === '0') return;
        const ms = parseDuration(value);
        if (ms === undefined || ms > MAX_WINDOW_MS) {
          ctx.addIssue({ code: 'custom', message: `expected idleTimeout as a duration like "2m" (at most ${MAX_WINDOW_MS} ms), or "0" or null to disable it` });
        }
      })
      .default(DEFAULT_IDLE_TIMEOUT),
  })
  .transform((p) => p as PipelineDefinition);

/** Validates and fills defaults; issues name the field, what was expected and what was found. */
export function parsePipeline(input: unknown): ParsePipelineResult {
  const result = pipelineDefinitionSchema.safeParse(input);
  if (result.success) return { ok: true, pipeline: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      const found = describeFound(valueAt(input, issue.path));
      if (issue.code === 'unrecognized_keys') {
        return { path, message: `${path}: unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; expected only name, description, filter, streamKey, time, measures, window, allowedLateness, retention, sketchAccuracy, idleTimeout` };
      }
      return { path, message: `${path}: ${issue.message}; found ${found}` };
    }),
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeFound(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

/** Used when no pipeline is stored: 1-minute tumbling windows of `value`, keyed by `stream`. */
export const defaultPipeline: PipelineDefinition = Object.freeze({
  name: 'default',
  description: 'Built-in: 1-minute tumbling windows of "value" per "stream"',
  streamKey: 'stream',
  time: 'time',
  measures: { value: 'value' },
  window: { size: '1m' },
  allowedLateness: '30s',
  retention: 60,
  sketchAccuracy: 0.01,
  idleTimeout: DEFAULT_IDLE_TIMEOUT,
}) as PipelineDefinition;
