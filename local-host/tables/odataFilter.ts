import { compareEdm, compareText, type EdmValue, normalizeDateTime } from './edm';

/**
 * The `$filter` subset of the Table service: comparisons (eq ne gt ge lt le) of a property with a literal, `and`,
 * `or`, `not` and parentheses. Literals: 'text' ('' escapes a quote), datetime'...', guid'...', X'hex' /
 * binary'hex', true/false, integers (Int32, or Int64 when larger or suffixed L), decimals (Double). This is what the
 * SDK's `odata` template emits; anything else is an InvalidInput error naming the position.
 */
export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: Comparison; property: string; literal: EdmValue }
  | { kind: 'constant'; value: boolean };

export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'literal'; v: EdmValue; at: number }
  | { t: '(' | ')'; at: number }
  | { t: 'end'; at: number };

const comparisons = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new FilterSyntaxError(`$filter: ${what} at position ${i} of ${JSON.stringify(text)}`);
  };
  const quoted = (): string => {
    // i is at the opening quote.
    let out = '';
    i++;
    for (;;) {
      if (i >= text.length) fail('expected a closing quote');
      const c = text[i]!;
      if (c === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      out += c;
      i++;
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const at = i;
    if (c === '(' || c === ')') {
      tokens.push({ t: c, at });
      i++;
      continue;
    }
    if (c === "'") {
      tokens.push({ t: 'literal', v: { type: 'String', value: quoted() }, at });
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const m = /^-?(\d+)(\.\d+)?([eE][+-]?\d+)?([lLdDfFmM])?/.exec(text.slice(i));
      if (!m || m[1] === undefined) fail('expected a number');
      const [whole, , fraction, exponent, suffix] = m!;
      i += whole.length;
      const digits = whole.replace(/[lLdDfFmM]$/, '');
      if (suffix === 'L' || suffix === 'l') {
        if (fraction !== undefined || exponent !== undefined) fail('expected an integer before L');
        tokens.push({ t: 'literal', v: { type: 'Int64', value: BigInt(digits) }, at });
      } else if (fraction !== undefined || exponent !== undefined || suffix !== undefined) {
        tokens.push({ t: 'literal', v: { type: 'Double', value: Number(digits) }, at });
      } else {
        const big = BigInt(digits);
        tokens.push({
          t: 'literal',
          v:
            big >= -2147483648n && big <= 2147483647n
              ? { type: 'Int32', value: Number(big) }
              : { type: 'Int64', value: big },
          at,
        });
      }
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      const word = m[0];
      i += word.length;
      if (text[i] === "'") {
        const lower = word.toLowerCase();
        const body = quoted();
        if (lower === 'datetime') {
          const value = normalizeDateTime(body);
          if (value === undefined) fail(`expected an ISO 8601 UTC date-time in datetime'${body}'`);
          tokens.push({ t: 'literal', v: { type: 'DateTime', value: value! }, at });
        } else if (lower === 'guid') {
          tokens.push({ t: 'literal', v: { type: 'Guid', value: body.toLowerCase() }, at });
        } else if (lower === 'x' || lower === 'binary') {
          if (!/^([0-9a-fA-F]{2})*$/.test(body)) fail(`expected hexadecimal bytes in ${word}'${body}'`);
          tokens.push({ t: 'literal', v: { type: 'Binary', value: Buffer.from(body, 'hex').toString('base64') }, at });
        } else {
          fail(`unknown literal prefix ${word}`);
        }
        continue;
      }
      if (word === 'true' || word === 'false')
        tokens.push({ t: 'literal', v: { type: 'Boolean', value: word === 'true' }, at });
      else tokens.push({ t: 'word', v: word, at });
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ t: 'end', at: text.length });
  return tokens;
}

const flipped: Record<Comparison, Comparison> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

/** Parses a `$filter` expression; throws FilterSyntaxError saying what was expected where. */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let p = 0;
  const peek = (): Token => tokens[p]!;
  const fail = (expected: string): never => {
    const tok = peek();
    const found = tok.t === 'end' ? 'the end' : JSON.stringify(text.slice(tok.at, tok.at + 20));
    throw new FilterSyntaxError(
      `$filter: expected ${expected} at position ${tok.at}, found ${found} in ${JSON.stringify(text)}`,
    );
  };
  const isWord = (tok: Token, word: string): boolean => tok.t === 'word' && tok.v.toLowerCase() === word;

  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): FilterNode => {
    let left = unary();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): FilterNode => {
    if (isWord(peek(), 'not')) {
      p++;
      return { kind: 'not', operand: unary() };
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const tok = peek();
    if (tok.t === '(') {
      p++;
      const inner = orExpr();
      if (peek().t !== ')') fail('")"');
      p++;
      return inner;
    }
    if (tok.t === 'literal' && tok.v.type === 'Boolean' && !isComparisonAt(p + 1)) {
      p++;
      return { kind: 'constant', value: tok.v.value };
    }
    // property op literal, or literal op property.
    const first = tok;
    p++;
    const opTok = peek();
    if (opTok.t !== 'word' || !comparisons.has(opTok.v.toLowerCase()))
      return fail('a comparison operator (eq, ne, gt, ge, lt, le)');
    const op = (opTok as { v: string }).v.toLowerCase() as Comparison;
    p++;
    const second = peek();
    p++;
    if (first.t === 'word' && second.t === 'literal')
      return { kind: 'compare', op, property: first.v, literal: second.v };
    if (first.t === 'literal' && second.t === 'word')
      return { kind: 'compare', op: flipped[op], property: second.v, literal: first.v };
    p--;
    return fail('a property compared with a literal');
  };
  const isComparisonAt = (i: number): boolean => {
    const tok = tokens[i];
    return tok?.t === 'word' && comparisons.has(tok.v.toLowerCase());
  };

  const tree = orExpr();
  if (peek().t !== 'end') fail('"and", "or" or the end');
  return tree;
}

/** What a filter reads of an entity: a property's typed value by name (PartitionKey, RowKey, Timestamp included). */
export type PropertyReader = (name: string) => EdmValue | undefined;

/** Whether an entity matches; a missing property or a comparison across types makes that comparison false. */
export function evaluateFilter(node: FilterNode, read: PropertyReader): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, read) && evaluateFilter(node.right, read);
    case 'or':
      return evaluateFilter(node.left, read) || evaluateFilter(node.right, read);
    case 'not':
      return !evaluateFilter(node.operand, read);
    case 'constant':
      return node.value;
    case 'compare': {
      const value = read(node.property);
      if (value === undefined) return false;
      const c = compareEdm(value, node.literal);
      if (c === undefined) return false;
      switch (node.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'ge':
          return c >= 0;
        case 'lt':
          return c < 0;
        case 'le':
          return c <= 0;
      }
    }
  }
}

/** A range of a key column the store can read in SQL instead of scanning; bounds are inclusive unless said. */
export interface KeyRange {
  eq?: string;
  low?: { value: string; inclusive: boolean };
  high?: { value: string; inclusive: boolean };
}

/**
 * The PartitionKey and RowKey ranges implied by the top-level `and` of a filter (the only part that narrows every
 * match), so the store reads just those rows in key order; the whole filter is still evaluated on each row read.
 */
export function keyRanges(node: FilterNode | undefined): { PartitionKey: KeyRange; RowKey: KeyRange } {
  const out = { PartitionKey: {} as KeyRange, RowKey: {} as KeyRange };
  const visit = (n: FilterNode): void => {
    if (n.kind === 'and') {
      visit(n.left);
      visit(n.right);
      return;
    }
    if (
      n.kind !== 'compare' ||
      (n.property !== 'PartitionKey' && n.property !== 'RowKey') ||
      n.literal.type !== 'String'
    )
      return;
    const range = out[n.property];
    const value = n.literal.value;
    const tighterLow = (inclusive: boolean): void => {
      const c = range.low ? compareText(value, range.low.value) : 1;
      if (c > 0 || (c === 0 && !inclusive)) range.low = { value, inclusive };
    };
    const tighterHigh = (inclusive: boolean): void => {
      const c = range.high ? compareText(value, range.high.value) : -1;
      if (c < 0 || (c === 0 && !inclusive)) range.high = { value, inclusive };
    };
    switch (n.op) {
      case 'eq':
        // Two different eq's match nothing; the row-wise evaluation says so, the range keeps the first.
        range.eq ??= value;
        break;
      case 'gt':
        tighterLow(false);
        break;
      case 'ge':
        tighterLow(true);
        break;
      case 'lt':
        tighterHigh(false);
        break;
      case 'le':
        tighterHigh(true);
        break;
      case 'ne':
        break;
    }
  };
  if (node) visit(node);
  return out;
}
