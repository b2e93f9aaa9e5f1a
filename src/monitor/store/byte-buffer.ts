/** Little-endian fields for the store's file formats: a growable writer and a bounds-checked reader. */

/** A file's bytes do not hold what its format promises: truncated or corrupt. The file is set aside. */
export class StoreFileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreFileFormatError';
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Where a streamed file goes: a file being written (AtomicFileWriter) or memory (ByteWriter). */
export interface ByteSink {
  /** Bytes written so far. */
  readonly length: number;
  write(bytes: Uint8Array): void;
}

export class ByteWriter implements ByteSink {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(capacityBytes = 4096) {
    this.buf = new Uint8Array(capacityBytes);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }

  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  write(b: Uint8Array): void {
    this.bytes(b);
  }

  /** Forgets what was written, keeping the buffer. */
  clear(): void {
    this.len = 0;
  }

  /** A string as u32 byte length + UTF-8. */
  text(s: string): void {
    const b = textEncoder.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  /** Overwrites a u32 written earlier (a length or an offset known only later). */
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.len + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.end) throw new StoreFileFormatError('the file ends early: truncated or corrupt');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }

  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  f64(): number {
    return this.view.getFloat64(this.need(8), true);
  }

  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  text(): string {
    const b = this.bytes(this.u32());
    try {
      return textDecoder.decode(b);
    } catch {
      throw new StoreFileFormatError('a name in the file is not UTF-8: corrupt');
    }
  }
}
