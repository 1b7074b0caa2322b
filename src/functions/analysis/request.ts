import { z } from 'zod';

import { ANALYSIS_KINDS, type AnalysisKind } from '../../core/analysis/types';

const iso = (field: string) =>
  z.string().transform((text, ctx) => {
    const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes('T') ? text : `${text}Z`) : NaN;
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `expected ${field} as an ISO 8601 time such as 2025-01-01T00:00:00Z` });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

/** Body of POST /api/analyses (and the schedule's input): which streams, which range, which analyses. */
export const analysisRequestSchema = z
  .object({
    pipeline: z.string({ error: 'expected a pipeline name' }).min(1, 'expected a pipeline name').max(200, 'expected a pipeline name of at most 200 characters'),
    streams: z
      .union([
        z.array(z.string().min(1, 'expected non-empty stream names')).min(1, 'expected at least one stream').max(100_000, 'expected at most 100000 streams'),
        z.object({ prefix: z.string() }).strict(),
      ], { error: 'expected an array of stream names or { "prefix": "..." }' })
      .optional(),
    from: z.string({ error: 'expected from as an ISO 8601 time' }).pipe(iso('from')),
    to: z.string({ error: 'expected to as an ISO 8601 time' }).pipe(iso('to')),
    analyses: z
      .array(z.enum(ANALYSIS_KINDS as [AnalysisKind, ...AnalysisKind[]], { error: `expected analyses among ${ANALYSIS_KINDS.join(', ')}` }))
      .min(1, 'expected at least one analysis')
      .optional(),
    /** Measure to analyse; default: the first (alphabetically) measure found in the stream's windows. */
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
