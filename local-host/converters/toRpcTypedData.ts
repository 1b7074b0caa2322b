import type { RpcTypedData } from '../extension';

/**
 * A host-side value as RpcTypedData, mirroring how the Functions host encodes binding data: text as
 * `string`, binary as `bytes`, numbers as `int`/`double`, arrays of text/binary/numbers as collections,
 * everything else as `json`.
 */
export function toRpcTypedData(value: unknown): RpcTypedData {
  if (typeof value === 'string') return { string: value };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { bytes: new Uint8Array(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: value } : { double: value };
  if (Array.isArray(value) && value.length > 0) {
    if (value.every((v) => typeof v === 'string')) return { collectionString: { string: value as string[] } };
    if (value.every((v) => v instanceof Uint8Array)) return { collectionBytes: { bytes: value as Uint8Array[] } };
    if (value.every((v) => typeof v === 'number')) {
      const numbers = value as number[];
      return numbers.every(Number.isInteger)
        ? { collectionSint64: { sint64: numbers } }
        : { collectionDouble: { double: numbers } };
    }
  }
  return { json: JSON.stringify(value ?? null) };
}
