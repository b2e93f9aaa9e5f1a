/**
 * Bits written and read most significant first, as Prometheus's bstream: the XOR chunk codec's only I/O.
 * Values are at most 32 bits per call (JavaScript's bitwise operators are 32-bit); wider fields are written in
 * two calls by the caller.
 */
export class BitWriter {
  private buf: Uint8Array;
  private bitLen = 0;

  constructor(capacityBytes = 64) {
    this.buf = new Uint8Array(capacityBytes);
  }

  get lengthInBits(): number {
    return this.bitLen;
  }

  /** Writes the low `n` bits (0 ≤ n ≤ 32) of `value`. */
  writeBits(value: number, n: number): void {
    const needed = (this.bitLen + n + 7) >>> 3;
    if (needed > this.buf.length) this.grow(needed);
    if (value === 0) {
      // Bits past bitLen are zero (a new buffer, grow and reset keep them so): zeros only move the end.
      this.bitLen += n;
      return;
    }
    while (n > 0) {
      const free = 8 - (this.bitLen & 7);
      const take = Math.min(n, free);
      const part = (value >>> (n - take)) & ((1 << take) - 1);
      this.buf[this.bitLen >>> 3] |= part << (free - take);
      this.bitLen += take;
      n -= take;
    }
  }

  writeBit(bit: number): void {
    this.writeBits(bit, 1);
  }

  /** Go's binary.PutUvarint for a non-negative safe integer, one byte at a time. */
  writeUvarint(value: number): void {
    if ((this.bitLen & 7) === 0) {
      this.writeUvarintAligned(value);
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.writeBits((v % 0x80) | 0x80, 8);
      v = Math.floor(v / 0x80);
    }
    this.writeBits(v, 8);
  }

  /** writeUvarint at a byte boundary (where the XOR chunk puts its varints): whole bytes stored directly. */
  private writeUvarintAligned(value: number): void {
    if ((this.bitLen >>> 3) + 8 > this.buf.length) this.grow((this.bitLen >>> 3) + 8);
    let at = this.bitLen >>> 3;
    let v = value;
    while (v >= 0x80) {
      this.buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[at++] = v;
    this.bitLen = at * 8;
  }

  /** Go's binary.PutVarint (zig-zag) for a safe integer. */
  writeVarint(value: number): void {
    this.writeUvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Overwrites a whole byte already written (the chunk's sample count). */
  setByte(index: number, value: number): void {
    this.buf[index] = value;
  }

  /** The bytes written so far (a copy, trimmed). */
  bytes(): Uint8Array {
    return this.buf.slice(0, (this.bitLen + 7) >>> 3);
  }

  /** The bytes written so far, not copied: valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, (this.bitLen + 7) >>> 3);
  }

  /** Empties the writer, keeping its buffer. */
  reset(): void {
    this.buf.fill(0, 0, (this.bitLen + 7) >>> 3);
    this.bitLen = 0;
  }

  private grow(needed: number): void {
    const next = new Uint8Array(Math.max(needed, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }
}

/** A chunk ended before the bits its header promised: the bytes are truncated or corrupt. */
export class ChunkFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkFormatError';
  }
}

export class BitReader {
  private pos = 0;
  private readonly limit: number;

  constructor(
    private readonly buf: Uint8Array,
    startByte = 0,
  ) {
    this.pos = startByte * 8;
    this.limit = buf.length * 8;
  }

  /**
   * Reads `n` bits (0 ≤ n ≤ 32) as an unsigned number: the (up to) five bytes they span are read at once, and
   * the bits wanted shifted out of them (bytes past the end of the buffer read as 0, never used: the limit is
   * checked first).
   */
  readBits(n: number): number {
    const pos = this.pos;
    if (pos + n > this.limit) throw new ChunkFormatError('chunk ends early: truncated or corrupt');
    if (n === 0) return 0;
    const buf = this.buf;
    const b = pos >>> 3;
    const off = pos & 7;
    const end = this.buf.length;
    const word =
      ((buf[b]! << 24) |
        ((b + 1 < end ? buf[b + 1]! : 0) << 16) |
        ((b + 2 < end ? buf[b + 2]! : 0) << 8) |
        (b + 3 < end ? buf[b + 3]! : 0)) >>>
      0;
    const top = off === 0 ? word : ((word << off) | ((b + 4 < end ? buf[b + 4]! : 0) >>> (8 - off))) >>> 0;
    this.pos = pos + n;
    return n === 32 ? top : top >>> (32 - n);
  }

  readBit(): number {
    const pos = this.pos;
    if (pos >= this.limit) throw new ChunkFormatError('chunk ends early: truncated or corrupt');
    this.pos = pos + 1;
    return (this.buf[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  }

  readUvarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.readBits(8);
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new ChunkFormatError('varint longer than 10 bytes: corrupt chunk');
  }

  readVarint(): number {
    const u = this.readUvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
}
