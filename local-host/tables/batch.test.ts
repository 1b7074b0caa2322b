import { BatchSyntaxError, formatBatchResponse, parseBatch } from './batch';

// A changeset exactly as @azure/data-tables 13 assembles it (TablePolicies.getNextSubrequestBodyPart): CRLF lines,
// absolute sub-request URLs, the JSON body after an empty line.
const body = [
  '--batch_b1',
  'Content-Type: multipart/mixed; boundary=changeset_c1',
  '',
  '--changeset_c1',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  "PUT http://127.0.0.1:10002/devstoreaccount1/Windows(PartitionKey='p',RowKey='r%27%271') HTTP/1.1",
  'content-type: application/json',
  'accept: application/json',
  '',
  '{"PartitionKey":"p","RowKey":"r\'1","n":1}',
  '--changeset_c1',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  "DELETE http://127.0.0.1:10002/devstoreaccount1/Windows(PartitionKey='p',RowKey='r2') HTTP/1.1",
  'If-Match: *',
  '',
  '',
  '--changeset_c1--',
  '--batch_b1--',
  '',
].join('\r\n');

describe('parseBatch', () => {
  it('reads each operation of the changeset: method, URL, headers (lower-cased) and body', () => {
    expect(parseBatch(body, 'multipart/mixed; boundary=batch_b1')).toEqual([
      {
        method: 'PUT',
        url: "http://127.0.0.1:10002/devstoreaccount1/Windows(PartitionKey='p',RowKey='r%27%271')",
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{"PartitionKey":"p","RowKey":"r\'1","n":1}',
      },
      {
        method: 'DELETE',
        url: "http://127.0.0.1:10002/devstoreaccount1/Windows(PartitionKey='p',RowKey='r2')",
        headers: { 'if-match': '*' },
        body: '',
      },
    ]);
  });

  it('rejects a body that is not a multipart changeset, saying what it expected', () => {
    expect(() => parseBatch(body, 'application/json')).toThrow(BatchSyntaxError);
    expect(() => parseBatch(body, 'application/json')).toThrow(
      /expected Content-Type multipart\/mixed with a boundary, found "application\/json"/,
    );
    expect(() => parseBatch(body.replace('--batch_b1--', ''), 'multipart/mixed; boundary=batch_b1')).toThrow(
      /expected the closing delimiter --batch_b1--/,
    );
    expect(() =>
      parseBatch(body.replace(' HTTP/1.1\r\nIf-Match', '\r\nIf-Match'), 'multipart/mixed; boundary=batch_b1'),
    ).toThrow(/expected a request line "METHOD URL HTTP\/1.1"/);
    expect(() =>
      parseBatch(body.replaceAll('application/http', 'text/plain'), 'multipart/mixed; boundary=batch_b1'),
    ).toThrow(/expected Content-Type application\/http, found "text\/plain"/);
  });
});

describe('formatBatchResponse', () => {
  it('answers one changeset response per operation, in the form the SDK splits on', () => {
    const out = formatBatchResponse([
      { status: 204, statusText: 'No Content', headers: { ETag: 'W/"x"' } },
      { status: 204, statusText: 'No Content', headers: {} },
    ]);
    const boundary = /^multipart\/mixed; boundary=(batchresponse_[0-9a-f-]+)$/.exec(out.contentType)?.[1];
    expect(boundary).toBeDefined();
    expect(out.body.startsWith(`--${boundary}\r\nContent-Type: multipart/mixed; boundary=changesetresponse_`)).toBe(
      true,
    );
    expect(out.body.endsWith(`--${boundary}--\r\n`)).toBe(true);
    // The SDK splits on "--changesetresponse_" and drops the first and last pieces.
    const pieces = out.body.split('--changesetresponse_').slice(1, -1);
    expect(pieces.map((p) => /HTTP\/1.1 (\d+)/.exec(p)?.[1])).toEqual(['204', '204']);
    expect(pieces[0]).toContain('ETag: W/"x"');
    expect(out.body).not.toContain('{');
  });
});
