import { maxHeaderSize } from 'node:http';

import { clientErrorAnswer } from './answerClientError';

const parseError = (code: string, rawPacket?: string): NodeJS.ErrnoException & { rawPacket?: Buffer } =>
  Object.assign(new Error(`Parse Error: ${code}`), {
    code,
    ...(rawPacket === undefined ? {} : { rawPacket: Buffer.from(rawPacket) }),
  });

describe('clientErrorAnswer', () => {
  it('tells a too-long URL (414) from too-long headers (431)', () => {
    expect(clientErrorAnswer(parseError('HPE_HEADER_OVERFLOW', `GET /api/x?token=${'a'.repeat(100)}`))).toMatchObject({
      status: 414,
      detail: expect.stringMatching(/request URL is longer than/),
    });
    expect(
      clientErrorAnswer(parseError('HPE_HEADER_OVERFLOW', `GET /api/x HTTP/1.1\r\nx-big: ${'a'.repeat(100)}`)),
    ).toMatchObject({ status: 431, detail: expect.stringMatching(/request line and headers are longer than/) });
    expect(clientErrorAnswer(parseError('HPE_HEADER_OVERFLOW'))).toMatchObject({ status: 431 });
  });

  it('answers 414 for a request line longer than the limit even when its headers arrived in the same packet', () => {
    const packet = `GET /api/streams?continuationToken=${'A'.repeat(maxHeaderSize + 1)} HTTP/1.1\r\nhost: localhost\r\n\r\n`;
    expect(clientErrorAnswer(parseError('HPE_HEADER_OVERFLOW', packet))).toMatchObject({ status: 414 });
    // A short request line with headers that overflow together is still 431.
    const headers = `GET /api/x?t=${'a'.repeat(100)} HTTP/1.1\r\nx-big: ${'a'.repeat(maxHeaderSize)}\r\n`;
    expect(clientErrorAnswer(parseError('HPE_HEADER_OVERFLOW', headers))).toMatchObject({ status: 431 });
  });

  it('answers other parser errors with 400 naming the code, and a timed-out request with 408', () => {
    expect(clientErrorAnswer(parseError('HPE_INVALID_METHOD'))).toMatchObject({
      status: 400,
      detail: expect.stringContaining('HPE_INVALID_METHOD'),
    });
    expect(clientErrorAnswer(parseError('ERR_HTTP_REQUEST_TIMEOUT'))).toMatchObject({ status: 408 });
  });
});
