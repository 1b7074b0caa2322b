import type { IncomingMessage } from 'node:http';

import { requestError } from '../errors';

/** The whole request body, refusing bodies over `limit` bytes (the host's default is 100 MB). */
export async function readBody(req: IncomingMessage, limit = 100 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw requestError(`Request body is larger than ${limit} bytes.`, 413);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
