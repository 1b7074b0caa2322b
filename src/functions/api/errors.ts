import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';

import { StorageInputError } from '../../storage/StorageInputError';

// The problem body as a schema, so the OpenAPI document (openApi.ts) and these types have one definition.
export const fieldErrorSchema = z.object({
  field: z.string().meta({ description: 'The field: a query or route parameter, a dotted body path, or "(body)".' }),
  message: z.string().meta({ description: 'What was expected and what was found.' }),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** Thrown by handlers; {@link withProblems} turns it into an RFC 9457 problem response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = 'HttpError';
  }

  static badRequest(errors: FieldError[]): HttpError {
    return new HttpError(400, 'Invalid request', errors.map((e) => e.message).join('; '), errors);
  }

  static notFound(detail: string): HttpError {
    return new HttpError(404, 'Not found', detail);
  }
}

/** RFC 9457 problem details, as every API error leaves (Content-Type application/problem+json). */
export const problemSchema = z.object({
  type: z.string().meta({ description: 'A URI naming the kind of problem (the RFC 9110 status section).' }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional().meta({ description: 'The request path.' }),
  errors: z.array(fieldErrorSchema).optional().meta({ description: 'One entry per invalid field (400 responses).' }),
});
export type Problem = z.infer<typeof problemSchema>;

const PROBLEM_TYPES: Record<number, string> = {
  400: 'https://www.rfc-editor.org/rfc/rfc9110#name-400-bad-request',
  404: 'https://www.rfc-editor.org/rfc/rfc9110#name-404-not-found',
  413: 'https://www.rfc-editor.org/rfc/rfc9110#name-413-content-too-large',
  500: 'https://www.rfc-editor.org/rfc/rfc9110#name-500-internal-server-error',
  503: 'https://www.rfc-editor.org/rfc/rfc9110#name-503-service-unavailable',
};

export function problemResponse(problem: Omit<Problem, 'type'>): HttpResponseInit {
  const body: Problem = { type: PROBLEM_TYPES[problem.status] ?? 'about:blank', ...problem };
  return {
    status: problem.status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: JSON.stringify(body),
  };
}

/** The one mapper: HttpError and store input errors become their problem; anything else a 500 that leaks nothing. */
export function toProblem(error: unknown, context: InvocationContext, instance: string): HttpResponseInit {
  if (error instanceof HttpError) {
    return problemResponse({
      title: error.title,
      status: error.status,
      detail: error.detail,
      instance,
      ...(error.errors.length ? { errors: error.errors } : {}),
    });
  }
  if (error instanceof StorageInputError) {
    return problemResponse({
      title: 'Invalid request',
      status: 400,
      detail: error.message,
      instance,
      errors: [{ field: error.field, message: error.message }],
    });
  }
  context.error(`Unhandled error in ${context.functionName} (invocation ${context.invocationId}):`, error);
  return problemResponse({
    title: 'Internal server error',
    status: 500,
    detail: `The request failed unexpectedly; quote invocation id ${context.invocationId} when reporting it.`,
    instance,
  });
}

/** Wraps every API handler so errors leave as application/problem+json. */
export function withProblems(handler: HttpHandler): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return toProblem(error, context, new URL(request.url).pathname);
    }
  };
}
