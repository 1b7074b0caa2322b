import { z } from 'zod';

import { formatDuration, parseDuration } from '../duration';
import { compileExpression, type ExpressionRole, MAX_EXPRESSION_LENGTH, parseFieldPath } from '../expressions';
import { type AggregateDefinition, aggregatesSchema } from './aggregates';

export type WindowDefinition =
  | { type: 'tumbling'; size: string }
  | { type: 'hopping'; size: string; hop: string }
  /** docs/explanation/windows-and-lateness.md, "Session windows". */
  | { type: 'session'; gap: string; maxDuration: string };

/** Stored pipeline definition (what users write, with defaults filled in); `compilePipeline` makes it runnable. */
export interface PipelineDefinition {
  /** Where it is stored (the HTTP API's route); optional in the written JSON, filled in by parsePipeline. */
  name: string;
  description?: string;
  /** CEL boolean: which events the pipeline takes. Events it does not take count as `filtered` in it. */
  match?: string;
  /** CEL expression giving the stream key (string or number). `stream` (the default) falls back to a CloudEvent's subject. */
  key: string;
  /** Field path of the event time (ISO 8601 string or epoch ms); missing -> CloudEvents `time`, then the enqueued time. */
  time: string;
  /** CEL boolean; events for which it is false are counted as filtered. */
  filter?: string;
  /** Measure name -> CEL numeric expression (a bare field path is read directly, and skipped when missing). */
  measures: Record<string, string>;
  /** Aggregate name -> a registered kind, its expression and options (src/core/pipelines/aggregates.ts); absent = none. */
  aggregates?: Record<string, AggregateDefinition>;
  window: WindowDefinition;
  /** ISO 8601 duration: how far behind the stream's watermark an event may be before it is `late`. */
  lateness: string;
  /**
   * ISO 8601 duration, optional (absent = off): an event later than `lateness` whose window ended less than this
   * before the stream's progress revises the closed window instead of being dead-lettered `late`.
   */
  corrections?: string;
  retention: number;
  sketchAccuracy: number;
  /**
   * ISO 8601 processing time without new events after which the stream's open windows are closed
   * (`closedBy: 'idle'`); "PT0S" or null disables it.
   */
  idleTimeout: string | null;
}

export interface PipelineIssue {
  path: string;
  message: string;
}

export type ParsePipelineResult = { ok: true; pipeline: PipelineDefinition } | { ok: false; issues: PipelineIssue[] };

const NAME = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/i;
const MEASURE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_WINDOW_MS = 31 * 86_400_000;
/**
 * The shortest non-zero duration a definition may give (window size, hop, lateness, idle timeout). Shorter ones are
 * never meant (`"PT0.0001S"` was accepted) and would close a window, or time a stream out, per event.
 */
const MIN_DURATION_MS = 1000;
const MAX_OVERLAP = 100;
/** A quiet stream's open windows close after this much processing time without events. */
export const DEFAULT_IDLE_TIMEOUT = 'PT2M';
export const DEFAULT_LATENESS = 'PT30S';
export const DEFAULT_WINDOW: WindowDefinition = Object.freeze({ type: 'tumbling', size: 'PT1M' });

const TOP_LEVEL_FIELDS = [
  'name',
  'description',
  'match',
  'key',
  'time',
  'filter',
  'measures',
  'aggregates',
  'window',
  'lateness',
  'corrections',
  'retention',
  'sketchAccuracy',
  'idleTimeout',
];
const WINDOW_FIELDS = ['type', 'size', 'hop', 'gap', 'maxDuration'];
export const DEFAULT_SESSION_MAX_DURATION = 'P1D';

/** Milliseconds of a parsed idleTimeout; 0 = disabled. */
export function idleTimeoutMs(value: PipelineDefinition['idleTimeout']): number {
  return value === null ? 0 : (parseDuration(value) ?? 0);
}

const ISO_EXPECTED = 'expected an ISO 8601 duration like "PT1M"';

/** `zeroAllowed`: "PT0S" is accepted besides [min, max] (lateness 0 = no late events accepted). */
const duration = (min: number, max: number, zeroAllowed = false) =>
  z.string({ error: ISO_EXPECTED }).superRefine((value, ctx) => {
    // Parsed unrounded, so "PT0.0001S" is seen as too short rather than as 0.
    const ms = parseDuration(value);
    const exact = exactMs(value);
    if (ms === undefined)
      ctx.addIssue({
        code: 'custom',
        message: `${ISO_EXPECTED} (days, hours, minutes, seconds: "PT1S", "PT15M", "PT1H", "P1D")`,
      });
    else if ((exact !== 0 || !zeroAllowed) && (exact < min || ms > max)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration between ${formatDuration(min)} and ${formatDuration(max)}${zeroAllowed ? ', or "PT0S"' : ''}`,
      });
    }
  });

/** Milliseconds of a duration parseDuration accepted, before its rounding to whole milliseconds. */
function exactMs(value: string): number {
  const units = [86_400_000, 3_600_000, 60_000, 1000];
  const m = /^P(?:([\d.]+)D)?(?:T(?:([\d.]+)H)?(?:([\d.]+)M)?(?:([\d.]+)S)?)?$/.exec(value);
  return m
    ? m.slice(1).reduce((sum, part, i) => sum + (part === undefined ? 0 : Number(part) * (units[i] as number)), 0)
    : NaN;
}

const expression = (role: ExpressionRole, kind: string) =>
  z
    .string({ error: `expected ${kind} CEL expression text` })
    .min(1, { error: `expected a non-empty ${kind} CEL expression` })
    .max(MAX_EXPRESSION_LENGTH, { error: `expected at most ${MAX_EXPRESSION_LENGTH} characters` })
    .superRefine((text, ctx) => {
      const compiled = compileExpression(text, role);
      if (!compiled.ok)
        ctx.addIssue({ code: 'custom', message: `expected a valid ${kind} CEL expression: ${compiled.error.message}` });
    });

const fieldPath = z
  .string({ error: 'expected a field path like "time" or "meta.ts"' })
  .refine((text) => parseFieldPath(text) !== undefined, {
    error: 'expected a field path like "time" or "meta.ts" (names of letters, digits and "_", joined by ".")',
  });

const windowSchema = z
  .strictObject(
    {
      type: z.enum(['tumbling', 'hopping', 'session'], { error: 'expected "tumbling", "hopping" or "session"' }).meta({
        description:
          'tumbling: back-to-back windows of `size`; hopping: windows of `size` starting every `hop`; session: events of a stream less than `gap` apart, at most `maxDuration` long.',
      }),
      size: duration(MIN_DURATION_MS, MAX_WINDOW_MS)
        .optional()
        .meta({ description: 'Tumbling and hopping windows: ISO 8601 duration of one window, from PT1S to P31D.' }),
      hop: duration(MIN_DURATION_MS, MAX_WINDOW_MS).optional().meta({
        description:
          'Hopping windows only: ISO 8601 duration between window starts, at most `size`, and `size`/`hop` at most 100.',
      }),
      gap: duration(MIN_DURATION_MS, MAX_WINDOW_MS).optional().meta({
        description:
          'Session windows only: event time without events of the stream after which its session ends, PT1S to P31D.',
      }),
      maxDuration: duration(MIN_DURATION_MS, MAX_WINDOW_MS).optional().meta({
        description:
          'Session windows only: ISO 8601 duration, at least `gap` (default P1D). Sessions never cross a multiple of it in event time since 1970-01-01T00:00:00Z (for P1D: midnight UTC); a run of events crossing one is two sessions, the second starting at its first event after it. Not a split at session start + maxDuration: a session lasts at most maxDuration and may be cut shorter.',
      }),
    },
    { error: 'expected an object like {"type": "tumbling", "size": "PT1M"}' },
  )
  .superRefine((w, ctx) => {
    if (w.type === 'session') {
      for (const f of ['size', 'hop'] as const)
        if (w[f] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [f],
            message: `expected no ${f} for a session window (it has gap and maxDuration)`,
          });
      if (w.gap === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['gap'],
          message: 'expected the gap of a session window as an ISO 8601 duration like "PT30M"',
        });
      const gap = w.gap === undefined ? undefined : parseDuration(w.gap);
      const max = parseDuration(w.maxDuration ?? DEFAULT_SESSION_MAX_DURATION);
      if (gap !== undefined && max !== undefined && max < gap)
        ctx.addIssue({
          code: 'custom',
          path: ['maxDuration'],
          message: `expected a maxDuration no shorter than window.gap (${w.gap})`,
        });
      return;
    }
    for (const f of ['gap', 'maxDuration'] as const)
      if (w[f] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [f],
          message: `expected no ${f} for a ${w.type} window (only session windows have one)`,
        });
    if (w.size === undefined) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'expected an ISO 8601 duration like "PT1M"' });
      return;
    }
    if (w.type === 'tumbling') {
      if (w.hop !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['hop'],
          message: 'expected no hop for a tumbling window (use type "hopping")',
        });
      return;
    }
    if (w.hop === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hop'],
        message: 'expected the hop of a hopping window as an ISO 8601 duration like "PT15M"',
      });
      return;
    }
    const size = parseDuration(w.size);
    const hop = parseDuration(w.hop);
    if (size === undefined || hop === undefined) return;
    if (hop > size)
      ctx.addIssue({ code: 'custom', path: ['hop'], message: `expected a hop no longer than window.size (${w.size})` });
    else if (size / hop > MAX_OVERLAP)
      ctx.addIssue({
        code: 'custom',
        path: ['hop'],
        message: `expected at most ${MAX_OVERLAP} overlapping windows (window.size / window.hop <= ${MAX_OVERLAP})`,
      });
  })
  .transform((w): WindowDefinition => {
    if (w.type === 'session')
      return { type: 'session', gap: w.gap as string, maxDuration: w.maxDuration ?? DEFAULT_SESSION_MAX_DURATION };
    return w.type === 'tumbling'
      ? { type: 'tumbling', size: w.size as string }
      : { type: 'hopping', size: w.size as string, hop: w.hop as string };
  });

export const pipelineDefinitionSchema = z.strictObject({
  name: z
    .string({ error: 'expected a pipeline name' })
    .regex(NAME, {
      error: 'expected a url-safe name of 1-63 letters, digits, "-" or "_", starting and ending with a letter or digit',
    })
    .optional()
    .meta({
      description:
        'Url-safe name (1-63 letters, digits, "-", "_"). Optional in a PUT body, whose route names the pipeline; if given it must match.',
    }),
  description: z
    .string({ error: 'expected text' })
    .max(1024, { error: 'expected at most 1024 characters' })
    .optional()
    .meta({ description: 'Free text, at most 1024 characters.' }),
  match: expression('boolean', 'boolean match').optional().meta({
    description: 'CEL boolean: which events the pipeline takes. Events it does not take count as `filtered` in it.',
  }),
  key: expression('key', 'stream key').default('stream').meta({
    description:
      "CEL expression giving each event's stream key (string or number). `stream` (the default) falls back to a CloudEvent's subject.",
  }),
  time: fieldPath.default('time').meta({
    description:
      'Field path of the event time (ISO 8601 string or epoch ms); when missing, the CloudEvents `time`, then the enqueued time.',
  }),
  filter: expression('boolean', 'boolean filter')
    .optional()
    .meta({ description: 'CEL boolean; events for which it is false are counted as `filtered`.' }),
  measures: z
    .record(
      z.string().regex(MEASURE_NAME, {
        error: 'expected measure names made of letters, digits and "_" (max 64), not starting with a digit',
      }),
      expression('number', 'numeric measure'),
      { error: 'expected an object of measure name -> expression' },
    )
    .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 32, {
      error: 'expected between 1 and 32 measures',
    })
    .default({ value: 'value' })
    .meta({
      description:
        'Measure name -> CEL numeric expression, 1 to 32 of them (a bare field path is read directly, and skipped when missing).',
    }),
  aggregates: aggregatesSchema.optional().meta({
    description:
      'Aggregate name -> {"kind", "expr", ...options}: kind is moments, quantiles, distinct or topK (docs/explanation/aggregates.md); 1 to 16 of them, names distinct from the measures.',
  }),
  window: windowSchema.default(DEFAULT_WINDOW).meta({ description: 'How events are grouped in event time.' }),
  lateness: duration(MIN_DURATION_MS, MAX_WINDOW_MS, true).default(DEFAULT_LATENESS).meta({
    description:
      'ISO 8601 duration: how far behind the stream\'s watermark an event may be before it is `late`; "PT0S" accepts no late events.',
  }),
  corrections: duration(MIN_DURATION_MS, MAX_WINDOW_MS).optional().meta({
    description:
      'ISO 8601 duration, absent = off (e.g. "P7D"): an event later than `lateness` whose window ended less than this before the stream\'s progress revises the closed window (a new `version`) instead of being dead-lettered `late`; not for session windows.',
  }),
  retention: z
    .number({ error: 'expected the number of live windows to keep' })
    .int({ error: 'expected an integer' })
    .min(1)
    .max(10_000)
    .default(60)
    .meta({
      description:
        'Live windows a stream entity keeps once its watermark has reached them (10 times as many in all while a partition behind holds them; a PUT without it gets STREAM_RETENTION_WINDOWS).',
    }),
  sketchAccuracy: z
    .number({ error: 'expected a relative accuracy like 0.01' })
    .min(0.0001)
    .max(0.1)
    .default(0.01)
    .meta({ description: 'Relative accuracy of the latency and percentile sketches (DDSketch).' }),
  idleTimeout: z
    .union([z.string(), z.null()], {
      error: 'expected an ISO 8601 duration like "PT2M", or "PT0S" or null to disable it',
    })
    .superRefine((value, ctx) => {
      if (value === null) return;
      const ms = parseDuration(value);
      const exact = ms === undefined ? NaN : exactMs(value);
      if (ms === undefined || ms > MAX_WINDOW_MS || (exact !== 0 && exact < MIN_DURATION_MS)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected an ISO 8601 duration like "PT2M" (from ${formatDuration(MIN_DURATION_MS)} to ${formatDuration(MAX_WINDOW_MS)}), or "PT0S" or null to disable it`,
        });
      }
    })
    .default(DEFAULT_IDLE_TIMEOUT)
    .meta({
      description:
        "ISO 8601 processing time without new events after which the stream's open windows are closed (`closedBy: 'idle'`); \"PT0S\" or null disables it.",
    }),
});

/**
 * Validates and fills defaults; issues name the field, what was expected and what was found. `name` is where the
 * definition is stored (the HTTP API's route): a `name` in the input must equal it, and either one must be given.
 */
export function parsePipeline(input: unknown, name?: string): ParsePipelineResult {
  const result = pipelineDefinitionSchema.safeParse(input);
  const issues: PipelineIssue[] = result.success ? [] : result.error.issues.map((issue) => describeIssue(issue, input));
  const given = result.success ? result.data.name : undefined;
  if (result.success && name !== undefined && given !== undefined && given !== name) {
    issues.push({
      path: 'name',
      message: `name: expected the pipeline's name, ${JSON.stringify(name)}, or no name; found ${describeFound(given)}`,
    });
  }
  if (result.success) {
    for (const a of Object.keys(result.data.aggregates ?? {})) {
      if (a in result.data.measures)
        issues.push({
          path: `aggregates.${a}`,
          message: `aggregates.${a}: expected a name no measure has (results are looked up by name); found measure ${JSON.stringify(a)} too`,
        });
    }
    const corrections = result.data.corrections;
    if (corrections !== undefined) {
      // A session's bounds move as events arrive, so a closed session has no fixed window to revise.
      if (result.data.window.type === 'session')
        issues.push({
          path: 'corrections',
          message: `corrections: expected no corrections for a session window (only tumbling and hopping windows are revised); found ${JSON.stringify(corrections)}`,
        });
      else if ((parseDuration(corrections) ?? 0) <= (parseDuration(result.data.lateness) ?? 0))
        issues.push({
          path: 'corrections',
          message: `corrections: expected a duration longer than lateness (${result.data.lateness}); found ${JSON.stringify(corrections)}`,
        });
    }
  }
  const resolved = given ?? name;
  if (resolved === undefined && !issues.some((i) => i.path === 'name')) {
    issues.push({
      path: 'name',
      message: 'name: expected a pipeline name (in the definition or from where it is stored); found nothing',
    });
  } else if (given === undefined && resolved !== undefined && !NAME.test(resolved)) {
    issues.push({
      path: 'name',
      message: `name: expected a url-safe name of 1-63 letters, digits, "-" or "_", starting and ending with a letter or digit; found ${describeFound(resolved)}`,
    });
  }
  if (!result.success || issues.length > 0) return { ok: false, issues };
  const { name: _name, ...rest } = result.data;
  return { ok: true, pipeline: { name: resolved as string, ...rest } as PipelineDefinition };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): PipelineIssue {
  const path = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const expected = path === 'window' ? WINDOW_FIELDS : TOP_LEVEL_FIELDS;
    return {
      path,
      message: `${path}: unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; expected only ${expected.join(', ')}`,
    };
  }
  return { path, message: `${path}: ${issue.message}; found ${describeFound(valueAt(input, issue.path))}` };
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

/** Used when no pipeline is stored: 1-minute tumbling windows of `value`, keyed by `stream` (or a CloudEvent's subject). */
export const defaultPipeline: PipelineDefinition = Object.freeze({
  name: 'default',
  description: 'Built-in: 1-minute tumbling windows of "value" per "stream" (CloudEvents: per subject)',
  key: 'stream',
  time: 'time',
  measures: { value: 'value' },
  window: DEFAULT_WINDOW,
  lateness: DEFAULT_LATENESS,
  retention: 60,
  sketchAccuracy: 0.01,
  idleTimeout: DEFAULT_IDLE_TIMEOUT,
}) as PipelineDefinition;
