import { z } from 'zod';

import { ANALYSIS_KINDS, type AnalysisKind } from '../../core/analysis/types';
import { pipelineDefinitionSchema } from '../../core/pipelines';
import { MAX_STREAM_KEY_BYTES, streamKeyProblem } from '../../core/streams';

/**
 * At most this many streams may be listed: each becomes part of the orchestration's input and history (100,000 made
 * the host unresponsive for minutes). A `prefix` reaches any number of catalogued streams, read page by page.
 */
export const MAX_LISTED_STREAMS = 1000;

const streamName = z.string({ error: 'expected stream names as strings' }).superRefine((text, ctx) => {
  const problem = streamKeyProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const iso = (field: string) =>
  z.string().transform((text, ctx) => {
    const ms = /^\d{4}-\d{2}-\d{2}/.test(text)
      ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes('T') ? text : `${text}Z`)
      : NaN;
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `expected ${field} as an ISO 8601 time such as 2025-01-01T00:00:00Z` });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

export const streamList = z
  .array(streamName)
  .min(1, 'expected at least one stream')
  .max(MAX_LISTED_STREAMS, `expected at most ${MAX_LISTED_STREAMS} streams (use { "prefix": "..." } for more)`);
export const streamPrefix = z
  .object(
    { prefix: z.string().max(MAX_STREAM_KEY_BYTES, `expected a prefix of at most ${MAX_STREAM_KEY_BYTES} characters`) },
    { error: 'expected an array of stream names or { "prefix": "..." }' },
  )
  .strict();

// Chosen by shape rather than z.union, whose error would hide why a list was refused (too long, a bad name).
const streams = z
  .unknown()
  .transform((value, ctx): z.output<typeof streamList> | z.output<typeof streamPrefix> | undefined => {
    if (value === undefined) return undefined;
    const result = (Array.isArray(value) ? streamList : streamPrefix).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });

/** Body of POST /api/analyses (and the schedule's input): which streams, which range, which analyses. */
export const analysisRequestSchema = z
  .object({
    // The pipeline schema's own name rule, so a name that could never be stored is refused here too.
    pipeline: z.string({ error: 'expected a pipeline name' }).pipe(pipelineDefinitionSchema.shape.name.unwrap()),
    streams: streams.optional(),
    from: z.string({ error: 'expected from as an ISO 8601 time' }).pipe(iso('from')),
    to: z.string({ error: 'expected to as an ISO 8601 time' }).pipe(iso('to')),
    analyses: z
      .array(
        z.enum(ANALYSIS_KINDS as [AnalysisKind, ...AnalysisKind[]], {
          error: `expected analyses among ${ANALYSIS_KINDS.join(', ')}`,
        }),
      )
      .min(1, 'expected at least one analysis')
      .optional(),
    /**
     * Measure to analyse, or a series of an aggregate (`name` of a distinct: its estimate; of a topK: the leading
     * item's share, `name:value` that value's share); default: the first (alphabetically) measure in the windows.
     */
    measure: z.string().min(1, 'expected a measure name').optional(),
  })
  .strict()
  .refine((r) => r.from < r.to, { error: 'expected from earlier than to', path: ['to'] });

export type AnalysisRequestInput = z.input<typeof analysisRequestSchema>;

/** The validated request with defaults applied: what the orchestration receives. */
export interface AnalysisJob {
  pipeline: string;
  streams?: string[] | { prefix: string };
  from: string;
  to: string;
  analyses: AnalysisKind[];
  measure?: string;
}

export function toJob(parsed: z.output<typeof analysisRequestSchema>): AnalysisJob {
  return {
    pipeline: parsed.pipeline,
    ...(parsed.streams !== undefined ? { streams: parsed.streams } : {}),
    from: parsed.from,
    to: parsed.to,
    analyses: parsed.analyses ? [...new Set(parsed.analyses)] : [...ANALYSIS_KINDS],
    ...(parsed.measure !== undefined ? { measure: parsed.measure } : {}),
  };
}
