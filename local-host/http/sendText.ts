import type { ServerResponse } from 'node:http';

/** A plain-text or JSON answer for host-generated responses (errors, admin). */
export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8' });
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** An RFC 9457 problem body for host-generated errors. */
export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'about:blank', title: titles[status] ?? 'Error', status, detail, ...extra });
}

/** Answers with application/problem+json; `extra` adds members such as `field`. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  sendText(res, status, problemBody(status, detail, extra), {
    ...headers,
    'content-type': 'application/problem+json; charset=utf-8',
  });
}
