import type { ParseResult } from '@marcbachmann/cel-js';

import { celEnvironment, MAX_EXPRESSION_LENGTH } from './celEnvironment';
import { startMetering, stopMetering } from './costMeter';
import { fieldReader, parseFieldPath } from './fieldPath';
import { findGrowth, findUnsafe, variables } from './findUnsafe';
import { type FastEvaluator, NOT_ANSWERED, numericFastPath } from './numericFastPath';

export interface ExpressionError {
  message: string;
  /** 0-based offset into the expression text. */
  position: number;
  /**
   * Set when evaluation failed because the event lacks a field the expression reads ("Unknown variable",
   * "No such key"): like a SQL NULL, which filters treat as false and measures skip.
   */
  missingField?: true;
}

export type EvalResult = { ok: true; value: unknown } | { ok: false; error: ExpressionError };

/** What the result must be; checked at definition time where CEL's type checker can tell. */
export type ExpressionRole = 'boolean' | 'number' | 'key';

export interface CompiledExpression {
  /** The source text, kept for messages. */
  text: string;
  /** Set when the text is a bare field path (`delay`, `meta.ts`): evaluated as a direct own-property read. */
  fieldPath?: readonly string[];
  /** For a bare field path: the value (null when missing), with no result object - the hot loop's fast path. */
  read?: (payload: Record<string, unknown>) => unknown;
  /**
   * For a numeric expression the direct evaluator takes (numericFastPath.ts): its value with no result object, or
   * NOT_ANSWERED, when the caller must call evaluate (which gives the same value whenever this answers).
   */
  fast?: FastEvaluator;
  /**
   * Every top-level event field the expression can read (a bare path's first step; a CEL expression's identifiers,
   * comprehension variables included): an event holding just these fields evaluates as the whole event does, which
   * lets processBatch skip materializing the rest (batch/selectiveParse.ts). Absent: unknown, so the whole event.
   */
  fields?: readonly string[];
  /**
   * Never throws. A bare field path yields null when the field is missing; any other expression reports a missing
   * field as an error ("Unknown variable" / "No such key"). CEL integers (BigInt) come back as numbers.
   */
  evaluate(payload: Record<string, unknown>): EvalResult;
}

export type CompileResult = { ok: true; expression: CompiledExpression } | { ok: false; error: ExpressionError };

const ACCEPTED: Record<ExpressionRole, { types: ReadonlySet<string>; expected: string }> = {
  boolean: { types: new Set(['bool', 'dyn']), expected: 'a boolean (bool) result' },
  number: { types: new Set(['int', 'uint', 'double', 'dyn']), expected: 'a numeric (int or double) result' },
  key: { types: new Set(['string', 'int', 'uint', 'double', 'dyn']), expected: 'a string or number result' },
};

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An evaluation context whose `get` reads the current payload's OWN properties. cel-js looks top-level variables up
 * with `context[name]` on a plain object, which would find `constructor` or `toString` on Object.prototype; a Map
 * context is read through `get` instead. One scope per compiled expression, reused for every event (evaluation is
 * synchronous), so it costs no allocation per event - but ~25 ns more per evaluation than a plain object, so it is
 * used only by expressions naming a variable that Object.prototype has (payloads are parsed JSON objects, whose only
 * inherited properties are Object.prototype's).
 */
class PayloadScope extends Map<string, unknown> {
  payload: Record<string, unknown> = {};
  override get(name: string): unknown {
    return hasOwn.call(this.payload, name) ? this.payload[name] : undefined;
  }
}

interface CelError {
  code?: unknown;
  summary?: unknown;
  message?: unknown;
  range?: { start?: unknown };
}

function toError(e: unknown): ExpressionError {
  const err = (e ?? {}) as CelError;
  const position = typeof err.range?.start === 'number' ? err.range.start : 0;
  const text =
    typeof err.summary === 'string' ? err.summary : e instanceof Error ? e.message.split('\n')[0] : String(e);
  const error: ExpressionError = { message: `${text} (at position ${position})`, position };
  if (err.code === 'unknown_variable' || err.code === 'no_such_key') error.missingField = true;
  return error;
}

/**
 * Compiles once per pipeline version; CEL via @marcbachmann/cel-js, which interprets its own AST (no eval or
 * new Function). Parse errors, type errors the checker can see (unknown functions, `1 + "a"`, a filter that is not
 * boolean), over-long text, `matches` and nested comprehensions are rejected here, with a position.
 */
export function compileExpression(text: string, role: ExpressionRole): CompileResult {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: {
        message: `expected at most ${MAX_EXPRESSION_LENGTH} characters, found ${text.length}`,
        position: MAX_EXPRESSION_LENGTH,
      },
    };
  }
  const path = parseFieldPath(text);
  if (path !== undefined) {
    const read = fieldReader(path);
    return {
      ok: true,
      expression: {
        text,
        fieldPath: path,
        read,
        fields: [path[0] as string],
        evaluate: (payload) => ({ ok: true, value: read(payload) }),
      },
    };
  }

  let parsed: ParseResult;
  try {
    parsed = celEnvironment().parse(text);
  } catch (e) {
    return { ok: false, error: toError(e) };
  }
  const unsafe = findUnsafe(parsed.ast);
  if (unsafe) return { ok: false, error: unsafe };
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, error: toError(checked.error) };
  const growth = findGrowth(parsed.ast);
  if (growth) return { ok: false, error: growth };
  const accepted = ACCEPTED[role];
  if (checked.type !== undefined && !accepted.types.has(checked.type)) {
    return { ok: false, error: { message: `expected ${accepted.expected}, found type ${checked.type}`, position: 0 } };
  }

  const run = parsed as (context: object) => unknown;
  const scope = variables(parsed.ast).some((name) => name in Object.prototype) ? new PayloadScope() : undefined;
  // Numeric expressions over number fields skip cel-js and its meter; anything else falls through (numericFastPath.ts).
  const fast = numericFastPath(parsed.ast);
  // cel-js reads the event only through top-level identifiers (`id` nodes, looked up by name in the context).
  const fields = [...new Set(variables(parsed.ast))];
  return {
    ok: true,
    expression: {
      text,
      ...(fast === undefined ? {} : { fast }),
      fields,
      evaluate(payload) {
        if (fast !== undefined) {
          const answer = fast(payload);
          if (answer !== NOT_ANSWERED) return { ok: true, value: answer };
        }
        startMetering();
        try {
          let value: unknown;
          if (scope === undefined) value = run(payload);
          else {
            scope.payload = payload;
            value = run(scope);
          }
          const breach = stopMetering();
          if (breach !== undefined) return { ok: false, error: toError(breach) };
          return { ok: true, value: typeof value === 'bigint' ? Number(value) : value };
        } catch (e) {
          return { ok: false, error: toError(stopMetering() ?? e) };
        }
      },
    },
  };
}
