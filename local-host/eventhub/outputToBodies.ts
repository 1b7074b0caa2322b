import { appError } from '../errors';
import type { RpcTypedData } from '../extension';

const text = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

/**
 * The event bodies an eventHub output binding's value stands for, as the host's collector binding sends
 * them: an array becomes one event per element, anything else one event; strings go as-is, other JSON
 * values as JSON text, bytes untouched. No value (undefined) sends nothing.
 */
export function outputToBodies(data: RpcTypedData | undefined | null): Buffer[] {
  if (!data) return [];
  if (data.string !== undefined) return [Buffer.from(data.string, 'utf8')];
  if (data.json !== undefined) {
    const value: unknown = JSON.parse(data.json);
    if (value === null) return [];
    return Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined).map(text) : [text(value)];
  }
  if (data.bytes !== undefined) return [Buffer.from(data.bytes)];
  if (data.stream !== undefined) return [Buffer.from(data.stream)];
  if (data.int !== undefined) return [text(data.int)];
  if (data.double !== undefined) return [text(data.double)];
  if (data.collectionString) return data.collectionString.string.map(text);
  if (data.collectionBytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (data.collectionDouble) return data.collectionDouble.double.map(text);
  if (data.collectionSint64) return data.collectionSint64.sint64.map(text);
  throw appError(
    `An eventHub output binding got data of a kind it cannot send (${Object.keys(data).join(', ') || 'empty'}); expected a string, bytes, number, JSON value or an array of them.`,
  );
}
