/**
 * The one encoding of a (pipeline, stream) pair into a durable entity key (and the Windows table key).
 *
 * Why base64url: the key travels inside URLs (`entities/{name}/{key}`) that are encoded and decoded on several paths
 * (the durable client, the Functions host, the local host's router), and a Table key may not hold `/ \ # ?`. The
 * storage `encodeKey` (`%XX`) is undone by URL decoding, so it cannot protect a key; base64url uses only unreserved
 * URL characters, which no layer changes. The two parts are joined by `.`, which base64url never produces, so the
 * pair decodes back exactly and two different pairs never share a key.
 */

/** A stream key is at most this many UTF-8 bytes (342 characters once encoded). */
export const MAX_STREAM_KEY_BYTES = 256;

const SEPARATOR = '.';

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Why `stream` cannot be a stream key, or undefined when it can: it must be non-empty, well-formed Unicode (a lone
 * surrogate cannot travel as UTF-8, so it would arrive as another name) and at most MAX_STREAM_KEY_BYTES UTF-8 bytes.
 */
export function streamKeyProblem(stream: string): string | undefined {
  if (stream.length === 0) return 'expected a non-empty stream key, found an empty string';
  if (!stream.isWellFormed())
    return 'expected a stream key of well-formed Unicode, found a lone surrogate (it cannot be encoded as UTF-8)';
  const bytes = utf8Bytes(stream);
  if (bytes > MAX_STREAM_KEY_BYTES)
    return `expected a stream key of at most ${MAX_STREAM_KEY_BYTES} UTF-8 bytes, found ${bytes}`;
  return undefined;
}

const encodePart = (text: string): string => {
  // Buffer would silently replace a lone surrogate with U+FFFD: two names would then share a key.
  if (!text.isWellFormed())
    throw new TypeError(
      `encodeStreamKey: expected well-formed Unicode, found a lone surrogate in ${JSON.stringify(text)}`,
    );
  return Buffer.from(text, 'utf8').toString('base64url');
};

/** The entity key of (pipeline, stream): `base64url(pipeline) + '.' + base64url(stream)`; reversible with decodeStreamKey. */
export function encodeStreamKey(pipeline: string, stream: string): string {
  return `${encodePart(pipeline)}${SEPARATOR}${encodePart(stream)}`;
}

/**
 * Where a stream sorts in the Windows table: the base64url of its UTF-8 bytes, the stream part of its key
 * (encodeStreamKey). A lone surrogate becomes U+FFFD here (such a name is never stored: ingest dead-letters it), so
 * ordering and range bounds never throw.
 */
export const streamOrderKey = (stream: string): string => Buffer.from(stream, 'utf8').toString('base64url');

/** The start every key of a pipeline's streams shares: its pipeline part and the separator (for range queries). */
export const streamKeyPrefix = (pipeline: string): string => `${streamOrderKey(pipeline)}${SEPARATOR}`;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Inverse of encodeStreamKey; undefined for a key it did not produce. */
export function decodeStreamKey(key: string): { pipeline: string; stream: string } | undefined {
  const split = key.indexOf(SEPARATOR);
  if (split <= 0 || split === key.length - 1) return undefined;
  const a = key.slice(0, split);
  const b = key.slice(split + 1);
  if (!BASE64URL.test(a) || !BASE64URL.test(b)) return undefined;
  const pipeline = Buffer.from(a, 'base64url').toString('utf8');
  const stream = Buffer.from(b, 'base64url').toString('utf8');
  // Reject non-canonical spellings (padding bits, invalid UTF-8): exactly one key per pair.
  return encodeStreamKey(pipeline, stream) === key ? { pipeline, stream } : undefined;
}
