import { StorageInputError } from './StorageInputError';

/**
 * Table limits: a string property holds at most 64 KiB (32,768 UTF-16 code units) and an entity at most 1 MiB.
 * Long text is split over properties `name`, `name_1`, `name_2`, ... of CHUNK_CHARS units each, with `nameChunks`
 * recording the count, so one entity holds up to MAX_TEXT_CHARS units (about 900 KB as UTF-16, under the 1 MiB cap
 * with room for the other properties). Entities are written in Replace mode, so stale chunks never linger.
 */
export const CHUNK_CHARS = 30_000;
export const MAX_CHUNKS = 15;
export const MAX_TEXT_CHARS = CHUNK_CHARS * MAX_CHUNKS;

export function splitText(name: string, text: string): Record<string, string | number> {
  if (text.length > MAX_TEXT_CHARS) {
    throw new StorageInputError(
      name,
      `${name}: expected at most ${MAX_TEXT_CHARS} characters once serialized, found ${text.length}`,
    );
  }
  const props: Record<string, string | number> = {};
  let index = 0;
  let offset = 0;
  do {
    let end = Math.min(offset + CHUNK_CHARS, text.length);
    // Never cut a surrogate pair in two: a lone surrogate does not survive the service's UTF-8 round trip.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    props[index === 0 ? name : `${name}_${index}`] = text.slice(offset, end);
    offset = end;
    index += 1;
  } while (offset < text.length);
  if (index > 1) props[`${name}Chunks`] = index;
  return props;
}

export function joinText(name: string, entity: Record<string, unknown>): string {
  const count = typeof entity[`${name}Chunks`] === 'number' ? (entity[`${name}Chunks`] as number) : 1;
  let text = '';
  for (let i = 0; i < count; i++) {
    const part = entity[i === 0 ? name : `${name}_${i}`];
    if (typeof part !== 'string') throw new Error(`Stored entity is missing text chunk ${i} of ${count} for ${name}`);
    text += part;
  }
  return text;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
