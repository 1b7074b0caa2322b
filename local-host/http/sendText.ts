import type { ServerResponse } from 'node:http';

/** A plain-text or JSON answer for host-generated responses (errors, admin). */
export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
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
