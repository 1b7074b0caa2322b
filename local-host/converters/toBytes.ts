import type { RpcTypedData } from '../extension';

/** The bytes to put on the wire for a body of any RpcTypedData case (text as UTF-8, numbers and JSON as text). */
export function toBytes(data: RpcTypedData): Buffer {
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (data.string !== undefined) return Buffer.from(data.string, 'utf8');
  if (data.json !== undefined) return Buffer.from(data.json, 'utf8');
  if (data.int !== undefined) return Buffer.from(String(data.int));
  if (data.double !== undefined) return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}
