/**
 * RFC 6902 JSON Patch over RFC 6901 JSON Pointers, for dead-letter replay fixes (docs/how-to/dead-letters.md).
 * Written here because no JSON Patch package is installed and the whole of it is small. Pure: the document is copied,
 * never modified; a patch is applied all or nothing. Never evaluates text.
 */

export type PatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: unknown };

export type PatchResult = { ok: true; value: unknown } | { ok: false; error: string };

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks a patch's shape; returns the problem of the first bad operation (index and field), or the typed patch. */
export function parsePatch(input: unknown): { ok: true; patch: PatchOperation[] } | { ok: false; error: string } {
  if (!Array.isArray(input))
    return {
      ok: false,
      error: `expected a JSON Patch (an array of operations), found ${input === null ? 'null' : typeof input}`,
    };
  for (const [i, op] of input.entries()) {
    if (!isObject(op)) return { ok: false, error: `[${i}]: expected an operation object` };
    if (!(OPS as readonly unknown[]).includes(op['op']))
      return { ok: false, error: `[${i}].op: expected one of ${OPS.join(', ')}, found ${JSON.stringify(op['op'])}` };
    const pointers = op['op'] === 'move' || op['op'] === 'copy' ? ['path', 'from'] : ['path'];
    for (const field of pointers) {
      const p = op[field];
      if (typeof p !== 'string' || (p !== '' && !p.startsWith('/')))
        return {
          ok: false,
          error: `[${i}].${field}: expected a JSON Pointer ("" or starting with "/"), found ${JSON.stringify(p)}`,
        };
      if (/~[^01]|~$/.test(p))
        return { ok: false, error: `[${i}].${field}: "~" must be followed by 0 or 1 in ${JSON.stringify(p)}` };
    }
    if ((op['op'] === 'add' || op['op'] === 'replace' || op['op'] === 'test') && !('value' in op))
      return { ok: false, error: `[${i}].value: expected a value for ${String(op['op'])}` };
  }
  return { ok: true, patch: input as PatchOperation[] };
}

const tokens = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

class PatchError extends Error {}

/** The container and last token of a pointer (which must not be the root). */
function parentOf(doc: unknown, pointer: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  const path = tokens(pointer);
  const key = path.pop() as string;
  let node = doc;
  for (const t of path) node = child(node, t, pointer);
  if (!Array.isArray(node) && !isObject(node)) throw new PatchError(`${pointer}: the parent is not an object or array`);
  return { parent: node, key };
}

function arrayIndex(arr: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new PatchError(`${pointer}: expected an array index, found ${JSON.stringify(token)}`);
  const i = Number(token);
  if (i > arr.length || (!allowEnd && i === arr.length))
    throw new PatchError(`${pointer}: index ${i} is out of bounds (length ${arr.length})`);
  return i;
}

function child(node: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(node)) return node[arrayIndex(node, token, pointer, false)];
  if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) return node[token];
  throw new PatchError(`${pointer}: no such member ${JSON.stringify(token)}`);
}

function get(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const t of tokens(pointer)) node = child(node, t, pointer);
  return node;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  if (pointer === '') throw new PatchError('"": the root cannot be removed');
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else {
    if (!Object.prototype.hasOwnProperty.call(parent, key))
      throw new PatchError(`${pointer}: no such member ${JSON.stringify(key)}`);
    delete parent[key];
  }
  return doc;
}

/** Applies the patch to a copy of `document`; the first operation that fails names itself and why. */
export function applyPatch(document: unknown, patch: readonly PatchOperation[]): PatchResult {
  let doc: unknown = structuredClone(document);
  for (const [i, op] of patch.entries()) {
    try {
      switch (op.op) {
        case 'add':
          doc = add(doc, op.path, structuredClone(op.value));
          break;
        case 'remove':
          doc = remove(doc, op.path);
          break;
        case 'replace':
          get(doc, op.path);
          doc =
            op.path === '' ? structuredClone(op.value) : add(remove(doc, op.path), op.path, structuredClone(op.value));
          break;
        case 'move': {
          if (op.path !== op.from && op.path.startsWith(`${op.from}/`))
            throw new PatchError(`${op.from}: cannot be moved into its own child ${op.path}`);
          const value = get(doc, op.from);
          doc = add(remove(doc, op.from), op.path, value);
          break;
        }
        case 'copy':
          doc = add(doc, op.path, structuredClone(get(doc, op.from)));
          break;
        case 'test':
          if (!deepEqual(get(doc, op.path), op.value))
            throw new PatchError(
              `${op.path}: test failed, expected ${JSON.stringify(op.value)}, found ${JSON.stringify(get(doc, op.path))}`,
            );
          break;
      }
    } catch (e) {
      if (e instanceof PatchError) return { ok: false, error: `operation ${i} (${op.op}): ${e.message}` };
      throw e;
    }
  }
  return { ok: true, value: doc };
}
