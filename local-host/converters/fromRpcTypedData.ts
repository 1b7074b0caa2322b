import type { RpcTypedData } from '../extension';

/**
 * The value carried by RpcTypedData, as a host-side extension wants it: `json` parsed, `string` kept as
 * text (unlike the library, which JSON-parses strings), bytes as Buffer, collections as arrays, http as is.
 */
export function fromRpcTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (data.string !== undefined) return data.string;
  if (data.json !== undefined) return JSON.parse(data.json);
  if (data.bytes !== undefined) return Buffer.from(data.bytes);
  if (data.stream !== undefined) return Buffer.from(data.stream);
  if (data.http !== undefined) return data.http;
  if (data.int !== undefined) return Number(data.int);
  if (data.double !== undefined) return data.double;
  if (data.collectionBytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (data.collectionString) return data.collectionString.string;
  if (data.collectionDouble) return data.collectionDouble.double;
  if (data.collectionSint64) return data.collectionSint64.sint64.map(Number);
  return undefined;
}
