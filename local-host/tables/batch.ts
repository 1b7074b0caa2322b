import { randomUUID } from 'node:crypto';

/** One operation of an entity group transaction, as an HTTP request inside the changeset. */
export interface BatchSubRequest {
  method: string;
  /** The request target as written (an absolute URL from the SDK). */
  url: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

export class BatchSyntaxError extends Error {
  override readonly name = 'BatchSyntaxError';
}

function boundaryOf(contentType: string | undefined, what: string): string {
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  if (!m || !/^multipart\/mixed/i.test((contentType ?? '').trim())) {
    throw new BatchSyntaxError(
      `${what}: expected Content-Type multipart/mixed with a boundary, found ${JSON.stringify(contentType ?? '')}`,
    );
  }
  return m[2]!;
}

/** Splits a multipart body into its parts (text between `--boundary` lines, before `--boundary--`). */
function partsOf(body: string, boundary: string, what: string): string[] {
  const delimiter = `--${boundary}`;
  const end = body.indexOf(`${delimiter}--`);
  if (end < 0) throw new BatchSyntaxError(`${what}: expected the closing delimiter ${delimiter}--`);
  const pieces = body.slice(0, end).split(delimiter);
  // Before the first delimiter is the preamble.
  return pieces.slice(1).map((p) => p.replace(/^\r?\n/, ''));
}

/** Headers (lower-cased names) and the rest, split at the first empty line. */
function headersAndRest(text: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rest };
}

/**
 * Parses a `$batch` body: one changeset (multipart/mixed) holding `application/http` parts, each a request line,
 * headers, an empty line and a JSON body. Throws BatchSyntaxError saying what was expected.
 */
export function parseBatch(body: string, contentType: string | undefined): BatchSubRequest[] {
  const batchParts = partsOf(body, boundaryOf(contentType, '$batch'), '$batch');
  if (batchParts.length !== 1)
    throw new BatchSyntaxError(`$batch: expected exactly one changeset, found ${batchParts.length} parts`);
  const changeset = headersAndRest(batchParts[0]!);
  const requests: BatchSubRequest[] = [];
  for (const [i, part] of partsOf(
    changeset.rest,
    boundaryOf(changeset.headers['content-type'], 'changeset'),
    'changeset',
  ).entries()) {
    const outer = headersAndRest(part);
    if (!/^application\/http/i.test(outer.headers['content-type'] ?? '')) {
      throw new BatchSyntaxError(
        `changeset part ${i}: expected Content-Type application/http, found ${JSON.stringify(outer.headers['content-type'] ?? '')}`,
      );
    }
    const lineEnd = outer.rest.search(/\r?\n/);
    const requestLine = (lineEnd < 0 ? outer.rest : outer.rest.slice(0, lineEnd)).trim();
    const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
    if (!m)
      throw new BatchSyntaxError(
        `changeset part ${i}: expected a request line "METHOD URL HTTP/1.1", found ${JSON.stringify(requestLine)}`,
      );
    const inner = headersAndRest(lineEnd < 0 ? '' : outer.rest.slice(lineEnd).replace(/^\r?\n/, ''));
    requests.push({ method: m[1]!, url: m[2]!, headers: inner.headers, body: inner.rest.replace(/\r?\n$/, '') });
  }
  return requests;
}

export interface BatchSubResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The `$batch` answer: 202 with one changeset response holding a response per operation on success, or only the
 * failed operation's response (its error message prefixed with its index, as the service does).
 */
export function formatBatchResponse(responses: readonly BatchSubResponse[]): { contentType: string; body: string } {
  const batch = `batchresponse_${randomUUID()}`;
  const changeset = `changesetresponse_${randomUUID()}`;
  const lines: string[] = [`--${batch}`, `Content-Type: multipart/mixed; boundary=${changeset}`, ''];
  for (const r of responses) {
    lines.push(
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `HTTP/1.1 ${r.status} ${r.statusText}`,
    );
    for (const [name, value] of Object.entries(r.headers)) lines.push(`${name}: ${value}`);
    lines.push('', r.body ?? '');
  }
  lines.push(`--${changeset}--`, `--${batch}--`, '');
  return { contentType: `multipart/mixed; boundary=${batch}`, body: lines.join('\r\n') };
}
