/** Splits expression text into tokens; errors carry the offset so messages can point at the character. */
export type Token =
  | { kind: 'number'; value: number; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'identifier'; value: string; position: number }
  | { kind: 'operator'; value: string; position: number }
  | { kind: 'end'; position: number };

export interface SyntaxError {
  message: string;
  position: number;
}

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; error: SyntaxError };

// Longest first so `<=` wins over `<`.
const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '<', '>', '!', '?', ':', '(', ')', '[', ']', '.', ','];
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_$]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

export function tokenize(text: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      const literal = match?.[0] ?? '';
      i += literal.length;
      if (isIdentStart(text[i])) return fail(`unexpected character '${text[i]}' after number ${literal}`, i);
      tokens.push({ kind: 'number', value: Number(literal), position: start });
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) return fail(`unterminated string starting at ${start}: expected closing ${c}`, start);
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\') {
          const e = text[i + 1];
          if (e === 'u') {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail(`invalid escape '\\u${hex}': expected 4 hex digits`, i);
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            continue;
          }
          const escaped = e === undefined ? undefined : ESCAPES[e];
          if (escaped === undefined) return fail(`invalid escape '\\${e ?? ''}' in string`, i);
          value += escaped;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: 'string', value, position: start });
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(text[i])) i++;
      tokens.push({ kind: 'identifier', value: text.slice(start, i), position: start });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) return fail(`unexpected character '${c}'`, i);
    tokens.push({ kind: 'operator', value: op, position: start });
    i += op.length;
  }
  tokens.push({ kind: 'end', position: text.length });
  return { ok: true, tokens };
}

function fail(message: string, position: number): TokenizeResult {
  return { ok: false, error: { message: `${message} at position ${position}`, position } };
}
