import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';

import { MAX_CONTINUATION_TOKEN_LENGTH } from '../../storage/continuationToken';
import { type FieldError, HttpError } from './errors';

/** Field errors naming the field, what was expected (zod's message) and what was found. */
export function fieldErrors(error: z.ZodError, input: unknown, prefix = ''): FieldError[] {
  return error.issues.map((issue) => {
    const field = prefix + (issue.path.map(String).join('.') || '(body)');
    let found: unknown = input;
    for (const key of issue.path)
      found = found !== null && typeof found === 'object' ? (found as Record<PropertyKey, unknown>)[key] : undefined;
    return { field, message: `${field}: ${issue.message}; found ${describe(found)}` };
  });
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Validates the query string (single values; repeated keys take the first). */
export function parseQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.output<S> {
  const input: Record<string, string> = {};
  for (const [key, value] of request.query.entries()) if (!(key in input)) input[key] = value;
  const result = schema.safeParse(input);
  if (!result.success) throw HttpError.badRequest(fieldErrors(result.error, input));
  return result.data;
}

/** Validates route parameters. */
export function parseParams<S extends z.ZodType>(request: HttpRequest, schema: S): z.output<S> {
  const result = schema.safeParse(request.params);
  if (!result.success) throw HttpError.badRequest(fieldErrors(result.error, request.params));
  return result.data;
}

/** Reads a JSON body, naming the problem when it is missing or not JSON. */
export async function readJson(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '')
    throw HttpError.badRequest([{ field: '(body)', message: '(body): expected a JSON document; found an empty body' }]);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw HttpError.badRequest([
      {
        field: '(body)',
        message: `(body): expected valid JSON; found ${describe(text)} (${(error as Error).message})`,
      },
    ]);
  }
}

/** Epoch ms from either an ISO 8601 time or an integer of epoch milliseconds. */
export const timeParam = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes('T') ? text : `${text}Z`)
      : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return ms;
});

export const pageQuery = {
  limit: z.coerce
    .number()
    .int('expected an integer from 1 to 1000')
    .min(1, 'expected an integer from 1 to 1000')
    .max(1000, 'expected an integer from 1 to 1000')
    .optional(),
  continuationToken: z
    .string()
    .min(1, 'expected a token from a previous page')
    .max(
      MAX_CONTINUATION_TOKEN_LENGTH,
      `expected a token from a previous page (at most ${MAX_CONTINUATION_TOKEN_LENGTH} characters)`,
    )
    .optional(),
};
