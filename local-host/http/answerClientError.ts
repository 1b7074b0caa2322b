import { maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';

import { problemBody } from './sendText';

const answered = new WeakSet<Duplex>();

/** The status and explanation for a request Node's parser refused before any handler ran. */
export function clientErrorAnswer(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): {
  status: 400 | 408 | 414 | 431;
  detail: string;
} {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, detail: 'The request did not arrive completely in time.' };
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    // Node counts the request line and the headers together; the URL alone was too long when the packet holds no line
    // break yet, or a request line that by itself exceeds the limit (a 20 KB URL arrives whole with its headers).
    const lineEnd = err.rawPacket?.indexOf('\r\n') ?? -1;
    const urlTooLong = err.rawPacket !== undefined && (lineEnd === -1 || lineEnd > maxHeaderSize);
    return urlTooLong
      ? {
          status: 414,
          detail: `The request URL is longer than the ${maxHeaderSize} bytes allowed for the request line and headers. Send long values (e.g. continuation tokens) in a shorter form.`,
        }
      : {
          status: 431,
          detail: `The request line and headers are longer than ${maxHeaderSize} bytes. Send long values in the body or shorten them.`,
        };
  }
  return { status: 400, detail: `Malformed HTTP request (${err.code ?? 'parse error'}): ${err.message}.` };
}

/**
 * `clientError` handler: answers requests the parser refused (a 133 KB URL, bad bytes) with problem+json instead of
 * Node's bare 400 or a reset connection. The client may still be sending what the parser gave up on; closing with
 * unread data makes the kernel reset the connection before the client reads the answer, so the rest is read and
 * dropped (bounded by a timer) after the answer is written.
 */
export function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, detail } = clientErrorAnswer(err);
  const body = problemBody(status, detail);
  const reason = {
    400: 'Bad Request',
    408: 'Request Timeout',
    414: 'URI Too Long',
    431: 'Request Header Fields Too Large',
  }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // Node's own data listener feeds a parser that already failed: drain instead.
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), 5_000).unref();
}
