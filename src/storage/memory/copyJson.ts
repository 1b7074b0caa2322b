import { splitText } from '../chunkedText';

/** A detached copy via JSON (what a Table round trip does), enforcing the same size budget as the Table stores. */
export function copyJson<T>(field: string, value: T): T {
  const text = JSON.stringify(value) ?? 'null';
  splitText(field, text);
  return JSON.parse(text) as T;
}
