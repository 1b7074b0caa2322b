/**
 * Byte writer/reader for the aggregators' compact encodings (base64 text, so they sit in JSON state and table rows).
 * Unsigned varints are arithmetic, not bitwise, so counts beyond 32 bits survive.
 */
/**
 * Buffer's native slice methods, called directly: `toString(encoding, start, end)` ends in them, and its argument and
 * encoding checks cost a third of encoding a short sketch and as much as decoding a short field (the selective
 * parse). Node has them on every Buffer; where it would not, the documented call.
 */
type Slice = (this: Buffer, start: number, end: number) => string;
const natives = Buffer.prototype as unknown as { base64Slice?: Slice; latin1Slice?: Slice };
const sliceOf = (
  native: Slice | undefined,
  encoding: BufferEncoding,
): ((buf: Buffer, start: number, end: number) => string) =>
  typeof native === 'function'
    ? (buf, start, end) => native.call(buf, start, end)
    : (buf, start, end) => buf.toString(encoding, start, end);

/** buf.toString('base64', start, end). */
export const base64Of = sliceOf(natives.base64Slice, 'base64');

/** buf.toString('latin1', start, end): for ASCII bytes, what UTF-8 decoding gives. */
export const latin1Of = sliceOf(natives.latin1Slice, 'latin1');

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Digit = new Int8Array(128).fill(-1);
for (let d = 0; d < 64; d++) base64Digit[BASE64_DIGITS.charCodeAt(d)] = d;

/** The byte count `s` decodes to when it is canonical base64 (as Buffer encodes), else -1. */
export function canonicalBase64Bytes(s: string): number {
  const n = s.length;
  if (n % 4 !== 0) return -1;
  let pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === 61) pad = s.charCodeAt(n - 2) === 61 ? 2 : 1;
  for (let k = 0; k < n - pad; k++) {
    const c = s.charCodeAt(k);
    if (c >= 128 || (base64Digit[c] as number) < 0) return -1;
  }
  // The spare bits of the last digit before the padding are zero in what Buffer writes.
  if (pad === 1 && ((base64Digit[s.charCodeAt(n - 2)] as number) & 3) !== 0) return -1;
  if (pad === 2 && ((base64Digit[s.charCodeAt(n - 3)] as number) & 15) !== 0) return -1;
  return (n / 4) * 3 - pad;
}

type Write = (this: Buffer, s: string, offset: number, length: number) => number;
const nativeBase64Write = (Buffer.prototype as unknown as { base64Write?: Write }).base64Write;
/** buf.write(s, offset, length, 'base64'), through the native method when Node has it (as the slices above). */
const base64Into = (buf: Buffer, s: string, offset: number, length: number): number =>
  typeof nativeBase64Write === 'function'
    ? nativeBase64Write.call(buf, s, offset, length)
    : buf.write(s, offset, length, 'base64');

/** ByteWriter.number's bound for the varint form: twice the zigzag of ±2^50 stays a safe integer. */
const MAX_SMALL_INTEGER = 2 ** 50;

/** The buffer of a writer whose toBase64 has run: its bytes may be another writer's by then. */
const FINISHED = Buffer.alloc(0);

export class ByteWriter {
  /**
   * One module-level buffer, lent to one writer at a time: a batch encodes an aggregate per window, and a fresh buffer
   * per encoding cost more than the encoding. A writer that finds it lent (never, as encoders run to their
   * toBase64 without nesting, but a caller may drop a writer unfinished) allocates its own.
   */
  private static shared: Buffer = Buffer.allocUnsafe(4096);
  private static lent = false;
  private buf: Buffer;
  private owns: boolean;
  private i = 0;

  constructor() {
    this.owns = !ByteWriter.lent;
    if (this.owns) {
      ByteWriter.lent = true;
      this.buf = ByteWriter.shared;
    } else this.buf = Buffer.allocUnsafe(64);
  }

  private room(n: number): void {
    if (this.i + n <= this.buf.length) return;
    if (this.buf === FINISHED) throw new Error('ByteWriter: written after toBase64 (a writer encodes once)');
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.i + n));
    this.buf.copy(grown, 0, 0, this.i);
    this.buf = grown;
    if (this.owns) ByteWriter.shared = grown;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.i++] = b;
    return this;
  }

  uvarint(n: number): this {
    this.room(10);
    const buf = this.buf;
    let z = n;
    // Arithmetic beyond 31 bits (bitwise operators would cut the number), bit operations below.
    while (z >= 0x80000000) {
      buf[this.i++] = (z % 128) + 128;
      z = Math.floor(z / 128);
    }
    while (z >= 128) {
      buf[this.i++] = (z & 127) | 128;
      z >>>= 7;
    }
    buf[this.i++] = z;
    return this;
  }

  double(x: number): this {
    this.room(8);
    this.buf.writeDoubleLE(x, this.i);
    this.i += 8;
    return this;
  }

  /**
   * A number in as few bytes as it takes: an integer within ±2^50 as a zigzag varint shifted one bit left (a
   * millisecond timestamp in 7 bytes, a small count in 1), anything else as the tag 1 and then the double.
   */
  number(x: number): this {
    if (Number.isInteger(x) && x <= MAX_SMALL_INTEGER && x >= -MAX_SMALL_INTEGER)
      return this.uvarint((x >= 0 ? x * 2 : -x * 2 - 1) * 2);
    return this.uvarint(1).double(x);
  }

  /**
   * When `s` is canonical base64 (what Buffer writes: the alphabet, `=` padding, zero spare bits), its length in bytes
   * and the bytes, as ByteReader.base64 reads them back to the same text; returns false and writes nothing otherwise.
   * `n`: canonicalBase64Bytes(s), when the caller has it.
   */
  base64(s: string, n = canonicalBase64Bytes(s)): boolean {
    if (n < 0) return false;
    this.uvarint(n);
    this.room(n);
    if (n > 0) this.i += base64Into(this.buf, s, this.i, n);
    return true;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.i);
    this.i += b.length;
    return this;
  }

  /** Length (varint) and UTF-8 bytes, as Buffer.from(s, 'utf8') gives them; ASCII is copied without a Buffer. */
  text(s: string): this {
    const n = s.length;
    if (n < 128) {
      this.room(n + 1);
      const buf = this.buf;
      const at = this.i;
      let k = 0;
      while (k < n) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) break;
        buf[at + 1 + k] = c;
        k++;
      }
      if (k === n) {
        buf[at] = n;
        this.i = at + 1 + n;
        return this;
      }
    }
    const b = Buffer.from(s, 'utf8');
    return this.uvarint(b.length).bytes(b);
  }

  /** The bytes as base64; ends the writer (the shared buffer goes back for the next one). */
  toBase64(): string {
    if (this.buf === FINISHED) throw new Error('ByteWriter: toBase64 called twice (a writer encodes once)');
    const text = base64Of(this.buf, 0, this.i);
    if (this.owns) {
      this.owns = false;
      ByteWriter.lent = false;
    }
    this.buf = FINISHED;
    return text;
  }
}

export class ByteReader {
  private i = 0;
  private readonly buf: Buffer;

  constructor(
    encoded: string,
    private readonly what: string,
  ) {
    this.buf = Buffer.from(encoded, 'base64');
  }

  private need(n: number): void {
    if (this.i + n > this.buf.length)
      throw new Error(
        `${this.what} encoding ended early: expected ${n} more byte(s) at offset ${this.i}, found ${this.buf.length - this.i}`,
      );
  }

  /** Reads the version byte and refuses any other version. */
  version(expected: number): void {
    const v = this.byte();
    if (v !== expected) throw new Error(`unsupported ${this.what} encoding: expected version ${expected}, found ${v}`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.i++] as number;
  }

  uvarint(): number {
    let z = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      z += (b % 128) * scale;
      if (b < 128) return z;
      scale *= 128;
    }
  }

  /** What ByteWriter.number wrote (-0 comes back as 0). */
  number(): number {
    const at = this.i;
    const tag = this.uvarint();
    if (tag === 1) return this.double();
    if (tag % 2 !== 0)
      throw new Error(`${this.what} encoding: expected a number at offset ${at}, found the tag ${tag}`);
    const zigzag = tag / 2;
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.i);
    this.i += 8;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.i, this.i + n);
    this.i += n;
    return out;
  }

  /** What ByteWriter.base64 wrote, as base64 text. */
  base64(): string {
    const n = this.uvarint();
    this.need(n);
    const text = base64Of(this.buf, this.i, this.i + n);
    this.i += n;
    return text;
  }

  text(): string {
    return this.bytes(this.uvarint()).toString('utf8');
  }

  /** The bytes not read yet. */
  rest(): Buffer {
    return this.bytes(this.buf.length - this.i);
  }

  /** Refuses trailing bytes, so a truncated or concatenated encoding is not read as a valid one. */
  end(): void {
    if (this.i !== this.buf.length)
      throw new Error(`${this.what} encoding: expected ${this.i} bytes, found ${this.buf.length}`);
  }
}
