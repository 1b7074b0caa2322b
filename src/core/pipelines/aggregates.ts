import { z } from 'zod';

import { aggregatorKinds, aggregatorOf, type AnyAggregator } from '../aggregates';
import { type CompiledExpression, compileExpression, MAX_EXPRESSION_LENGTH } from '../expressions';

/** One entry of a pipeline's `aggregates`: a registered kind, its expression and the kind's own options. */
export interface AggregateDefinition {
  kind: string;
  expr: string;
  [option: string]: unknown;
}

export interface CompiledAggregate {
  name: string;
  kind: string;
  aggregator: AnyAggregator;
  /** The kind's options after its schema (defaults filled in). */
  options: object;
  expression: CompiledExpression;
  /** The aggregator takes numbers only (a string value dead-letters the event as `schema`). */
  numeric: boolean;
}

export const MAX_AGGREGATES = 16;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * `aggregates: {name: {kind, expr, ...options}}`. The entry's own fields are checked by the kind's zod schema
 * (registry.ts), looked up at parse time so a registered kind needs no edit here; the written options come back with
 * the kind's defaults filled in.
 */
export const aggregatesSchema = z
  .record(
    z.string().regex(NAME, {
      error: 'expected aggregate names made of letters, digits and "_" (max 64), not starting with a digit',
    }),
    z
      .looseObject(
        {
          kind: z
            .string({ error: 'expected the kind of aggregate' })
            .meta({ description: 'A registered aggregator: moments, quantiles, distinct or topK.' }),
          expr: z
            .string({ error: 'expected CEL expression text' })
            .min(1, { error: 'expected a non-empty CEL expression' })
            .max(MAX_EXPRESSION_LENGTH, { error: `expected at most ${MAX_EXPRESSION_LENGTH} characters` })
            .meta({
              description: 'CEL expression yielding a string or number per event (a missing value is skipped).',
            }),
        },
        { error: 'expected an object like {"kind": "distinct", "expr": "user"}' },
      )
      .transform((entry, ctx): AggregateDefinition => {
        const aggregator = aggregatorOf(entry.kind);
        if (aggregator === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['kind'],
            message: `expected one of ${aggregatorKinds()
              .map((k) => JSON.stringify(k))
              .join(', ')}`,
          });
          return z.NEVER;
        }
        const compiled = compileExpression(entry.expr, aggregator.input === 'number' ? 'number' : 'key');
        if (!compiled.ok)
          ctx.addIssue({
            code: 'custom',
            path: ['expr'],
            message: `expected a valid ${aggregator.input === 'number' ? 'numeric' : 'string or number'} CEL expression: ${compiled.error.message}`,
          });
        const { kind, expr, ...rest } = entry;
        const options = aggregator.options.safeParse(rest);
        if (!options.success) {
          for (const issue of options.error.issues) {
            const message =
              issue.code === 'unrecognized_keys'
                ? `unknown option(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} for kind ${JSON.stringify(kind)}`
                : issue.message;
            ctx.addIssue({ code: 'custom', path: issue.path as (string | number)[], message });
          }
          return z.NEVER;
        }
        return { kind, expr, ...(options.data as object) };
      }),
    { error: 'expected an object of aggregate name -> {"kind", "expr", ...options}' },
  )
  .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= MAX_AGGREGATES, {
    error: `expected between 1 and ${MAX_AGGREGATES} aggregates`,
  });

/** Compiles the parsed definitions (their expressions compiled at parse time already). */
export function compileAggregates(definitions: Record<string, AggregateDefinition> | undefined): CompiledAggregate[] {
  return Object.entries(definitions ?? {}).map(([name, d]) => {
    const { kind, expr, ...options } = d;
    const aggregator = aggregatorOf(kind);
    if (aggregator === undefined)
      throw new Error(`internal: aggregate ${name} of unknown kind ${JSON.stringify(kind)} after validation`);
    const numeric = aggregator.input === 'number';
    const compiled = compileExpression(expr, numeric ? 'number' : 'key');
    if (!compiled.ok)
      throw new Error(
        `internal: expression ${JSON.stringify(expr)} failed after validation: ${compiled.error.message}`,
      );
    return {
      name,
      kind,
      aggregator,
      options: aggregator.options.parse(options) as object,
      expression: compiled.expression,
      numeric,
    };
  });
}
