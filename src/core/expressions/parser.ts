import type { BinaryOperator, Node } from './ast';
import { type SyntaxError, type Token, tokenize } from './tokenizer';

/** Pratt parser: text -> AST. Never throws; nesting depth and length are bounded so hostile input fails cleanly. */
export type ParseResult = { ok: true; ast: Node } | { ok: false; error: SyntaxError };

export const MAX_EXPRESSION_LENGTH = 4096;
const MAX_DEPTH = 64;

const BINARY_POWER: Record<string, number> = {
  '||': 2,
  '&&': 3,
  '==': 4,
  '!=': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};
const TERNARY_POWER = 1;
const UNARY_POWER = 8;
const KEYWORDS: Record<string, boolean | null> = { true: true, false: false, null: null };

class ParseFailure {
  constructor(readonly error: SyntaxError) {}
}

export function parse(text: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: { message: `expected expression text, found ${typeof text}`, position: 0 } };
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, error: { message: `expression too long: expected at most ${MAX_EXPRESSION_LENGTH} characters, found ${text.length}`, position: MAX_EXPRESSION_LENGTH } };
  }
  const tokenized = tokenize(text);
  if (!tokenized.ok) return tokenized;
  const parser = new Parser(tokenized.tokens);
  try {
    const ast = parser.expression(0, 0);
    parser.expectEnd();
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    // The tokenizer always appends an 'end' token, so clamping keeps this defined.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private fail(message: string, token: Token): never {
    throw new ParseFailure({ message: `${message} at position ${token.position}`, position: token.position });
  }

  private isOperator(value: string): boolean {
    const t = this.peek();
    return t.kind === 'operator' && t.value === value;
  }

  private expect(value: string): Token {
    const t = this.next();
    if (t.kind !== 'operator' || t.value !== value) this.fail(`expected '${value}', found ${describe(t)}`, t);
    return t;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'end') this.fail(`expected end of expression, found ${describe(t)}`, t);
  }

  expression(minPower: number, depth: number): Node {
    if (depth > MAX_DEPTH) this.fail(`expression nested too deeply (more than ${MAX_DEPTH} levels)`, this.peek());
    let left = this.prefix(depth);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'operator') break;
      if (t.value === '?') {
        if (TERNARY_POWER < minPower) break;
        this.next();
        const consequent = this.expression(0, depth + 1);
        this.expect(':');
        // Right-associative: a ? b : c ? d : e
        const alternate = this.expression(TERNARY_POWER, depth + 1);
        left = { type: 'conditional', test: left, consequent, alternate, position: t.position };
        continue;
      }
      const power = BINARY_POWER[t.value];
      if (power === undefined || power <= minPower) break;
      this.next();
      const right = this.expression(power, depth + 1);
      left =
        t.value === '&&' || t.value === '||'
          ? { type: 'logical', operator: t.value, left, right, position: t.position }
          : { type: 'binary', operator: t.value as BinaryOperator, left, right, position: t.position };
    }
    return left;
  }

  private prefix(depth: number): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { type: 'literal', value: t.value, position: t.position };
      case 'string':
        return { type: 'literal', value: t.value, position: t.position };
      case 'identifier': {
        if (Object.prototype.hasOwnProperty.call(KEYWORDS, t.value)) return { type: 'literal', value: KEYWORDS[t.value] ?? null, position: t.position };
        if (this.isOperator('(')) return this.call(t.value, t.position, depth);
        const base: Node = t.value === '$' ? { type: 'root', position: t.position } : { type: 'field', name: t.value, position: t.position };
        return this.postfix(base, depth);
      }
      case 'operator':
        if (t.value === '-' || t.value === '!') {
          const operand = this.expression(UNARY_POWER - 1, depth + 1);
          return { type: 'unary', operator: t.value, operand, position: t.position };
        }
        if (t.value === '(') {
          const inner = this.expression(0, depth + 1);
          this.expect(')');
          return this.postfix(inner, depth);
        }
        return this.fail(`expected a value, field or '(', found ${describe(t)}`, t);
      case 'end':
        return this.fail('unexpected end of expression: expected a value, field or \'(\'', t);
    }
  }

  private postfix(base: Node, depth: number): Node {
    let node = base;
    for (;;) {
      if (this.isOperator('.')) {
        const dot = this.next();
        const name = this.next();
        if (name.kind !== 'identifier') this.fail(`expected a field name after '.', found ${describe(name)}`, name);
        node = { type: 'member', object: node, name: name.value, position: dot.position };
      } else if (this.isOperator('[')) {
        const open = this.next();
        const index = this.expression(0, depth + 1);
        this.expect(']');
        node = { type: 'index', object: node, index, position: open.position };
      } else {
        return node;
      }
    }
  }

  private call(name: string, position: number, depth: number): Node {
    this.expect('(');
    const args: Node[] = [];
    if (!this.isOperator(')')) {
      for (;;) {
        args.push(this.expression(0, depth + 1));
        if (this.isOperator(',')) {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return { type: 'call', name, args, position };
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return `string ${JSON.stringify(t.value)}`;
    case 'number':
      return `number ${t.value}`;
    default:
      return `'${t.value}'`;
  }
}
