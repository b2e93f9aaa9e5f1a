import { BitReader, BitWriter, ChunkFormatError } from './bit-stream.ts';
import { floatHi, floatLoOfLast, setFloatBits, wordsOf } from './float-bits.ts';

/**
 * Prometheus's XOR chunk (tsdb/chunkenc/xor.go), byte for byte: a 2-byte big-endian sample count, the first
 * timestamp as a varint and value as 64 raw bits, the second timestamp as a uvarint delta, then delta-of-delta
 * timestamps in buckets of 0/14/17/20/64 bits and values XORed with the previous one (Gorilla). Timestamps are
 * integer milliseconds (safe integers); values keep their exact bit pattern, NaN payloads included.
 */
export const MAX_CHUNK_SAMPLES = 0xffff;

export class XorChunkEncoder {
  private readonly w: BitWriter;
  private n = 0;
  private t = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0xff;
  private trailing = 0;

  /** `capacityBytes`: the first allocation (a full 120-sample chunk of typical data is 100–250 bytes). */
  constructor(capacityBytes = 128) {
    this.w = new BitWriter(capacityBytes);
    this.w.writeBits(0, 16);
  }

  get count(): number {
    return this.n;
  }

  get lastT(): number {
    return this.t;
  }

  /** Appends a sample; `t` must be a safe integer greater than the previous one (the caller checks). */
  append(t: number, v: number): void {
    const hi = floatHi(v);
    const lo = floatLoOfLast();
    if (this.n === 0) {
      this.w.writeVarint(t);
      this.w.writeBits(hi, 32);
      this.w.writeBits(lo, 32);
    } else if (this.n === 1) {
      this.tDelta = t - this.t;
      this.w.writeUvarint(this.tDelta);
      this.writeValue(hi, lo);
    } else {
      const tDelta = t - this.t;
      this.writeDod(tDelta - this.tDelta);
      this.tDelta = tDelta;
      this.writeValue(hi, lo);
    }
    this.t = t;
    this.vHi = hi;
    this.vLo = lo;
    this.n++;
    this.w.setByte(0, this.n >>> 8);
    this.w.setByte(1, this.n & 0xff);
  }

  bytes(): Uint8Array {
    return this.w.bytes();
  }

  /** The chunk so far, not copied: valid until the next append or reset. */
  view(): Uint8Array {
    return this.w.view();
  }

  /** Starts a new, empty chunk in the same buffer (the head reuses one encoder per series). */
  reset(): void {
    this.w.reset();
    this.w.writeBits(0, 16);
    this.n = 0;
    this.t = 0;
    this.tDelta = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.leading = 0xff;
    this.trailing = 0;
  }

  private writeDod(dod: number): void {
    const w = this.w;
    if (dod === 0) w.writeBit(0);
    else if (dod >= -8191 && dod <= 8192) {
      w.writeBits(0b10, 2);
      w.writeBits(dod & 0x3fff, 14);
    } else if (dod >= -65535 && dod <= 65536) {
      w.writeBits(0b110, 3);
      w.writeBits(dod & 0x1ffff, 17);
    } else if (dod >= -524287 && dod <= 524288) {
      w.writeBits(0b1110, 4);
      w.writeBits(dod & 0xfffff, 20);
    } else {
      w.writeBits(0b1111, 4);
      w.writeBits(Math.floor(dod / 0x100000000) >>> 0, 32);
      w.writeBits(dod >>> 0, 32);
    }
  }

  private writeValue(hi: number, lo: number): void {
    const w = this.w;
    const dHi = (hi ^ this.vHi) >>> 0;
    const dLo = (lo ^ this.vLo) >>> 0;
    if (dHi === 0 && dLo === 0) {
      w.writeBit(0);
      return;
    }
    w.writeBit(1);
    let leading = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
    const trailing = dLo !== 0 ? ctz32(dLo) : 32 + ctz32(dHi);
    if (leading >= 32) leading = 31;
    if (this.leading !== 0xff && leading >= this.leading && trailing >= this.trailing) {
      w.writeBit(0);
      writeShifted(w, dHi, dLo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    w.writeBit(1);
    w.writeBits(leading, 5);
    const sigbits = 64 - leading - trailing;
    w.writeBits(sigbits & 0x3f, 6);
    writeShifted(w, dHi, dLo, trailing, sigbits);
  }
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Writes the low `n` bits of the 64-bit (hi, lo) shifted right by `s`. */
function writeShifted(w: BitWriter, hi: number, lo: number, s: number, n: number): void {
  let sHi = hi;
  let sLo = lo;
  if (s >= 32) {
    sLo = hi >>> (s - 32);
    sHi = 0;
  } else if (s > 0) {
    sLo = ((lo >>> s) | (hi << (32 - s))) >>> 0;
    sHi = hi >>> s;
  }
  if (n > 32) {
    w.writeBits(sHi, n - 32);
    w.writeBits(sLo, 32);
  } else w.writeBits(sLo, n);
}

export interface DecodedChunk {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** The number of samples a chunk's header announces (0 for fewer than 2 bytes). */
export function chunkSampleCount(bytes: Uint8Array): number {
  return bytes.length < 2 ? 0 : (bytes[0]! << 8) | bytes[1]!;
}

/** Decodes a whole chunk; throws ChunkFormatError when it is truncated or its timestamps are not increasing. */
export function decodeXorChunk(bytes: Uint8Array): DecodedChunk {
  if (bytes.length < 2) throw new ChunkFormatError('chunk shorter than its header');
  const n = chunkSampleCount(bytes);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  decodeXorChunkInto(bytes, t, wordsOf(v), 0);
  return { t, v };
}

/**
 * Decodes a whole chunk into `t` and the float words `vWords` (wordsOf a Float64Array) from index `at`, which
 * must have room for chunkSampleCount(bytes) more; returns how many samples it wrote.
 */
export function decodeXorChunkInto(bytes: Uint8Array, t: Float64Array, vWords: Uint32Array, at: number): number {
  if (bytes.length < 2) throw new ChunkFormatError('chunk shorter than its header');
  const n = chunkSampleCount(bytes);
  const r = new BitReader(bytes, 2);
  let ts = 0;
  let tDelta = 0;
  let hi = 0;
  let lo = 0;
  const state = { leading: 0, trailing: 0 };
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      ts = r.readVarint();
      hi = r.readBits(32);
      lo = r.readBits(32);
    } else {
      if (i === 1) tDelta = r.readUvarint();
      else tDelta += readDod(r);
      if (tDelta <= 0) throw new ChunkFormatError('chunk timestamps do not increase: corrupt chunk');
      ts += tDelta;
      if (r.readBit() === 1) {
        const x = readXor(r, state);
        hi = (hi ^ x.hi) >>> 0;
        lo = (lo ^ x.lo) >>> 0;
      }
    }
    t[at + i] = ts;
    setFloatBits(vWords, at + i, hi, lo);
  }
  return n;
}

function readDod(r: BitReader): number {
  if (r.readBit() === 0) return 0;
  let bucket = 1;
  for (let i = 1; i < 4; i++) {
    bucket <<= 1;
    if (r.readBit() === 0) break;
    bucket |= 1;
  }
  const size = bucket === 0b10 ? 14 : bucket === 0b110 ? 17 : bucket === 0b1110 ? 20 : 0;
  if (bucket === 0) return 0;
  if (bucket === 0b1111) {
    const hi = r.readBits(32) | 0;
    return hi * 0x100000000 + r.readBits(32);
  }
  const bits = r.readBits(size);
  return bits > 2 ** (size - 1) ? bits - 2 ** size : bits;
}

const xorResult = { hi: 0, lo: 0 };

function readXor(r: BitReader, state: { leading: number; trailing: number }): { hi: number; lo: number } {
  if (r.readBit() === 1) {
    state.leading = r.readBits(5);
    let sigbits = r.readBits(6);
    if (sigbits === 0) sigbits = 64;
    state.trailing = 64 - state.leading - sigbits;
    if (state.trailing < 0) throw new ChunkFormatError('chunk value field too wide: corrupt chunk');
  }
  const n = 64 - state.leading - state.trailing;
  let hi = 0;
  let lo: number;
  if (n > 32) {
    hi = r.readBits(n - 32);
    lo = r.readBits(32);
  } else lo = r.readBits(n);
  const s = state.trailing;
  if (s >= 32) {
    xorResult.hi = (lo << (s - 32)) >>> 0;
    xorResult.lo = 0;
  } else if (s > 0) {
    xorResult.hi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
    xorResult.lo = (lo << s) >>> 0;
  } else {
    xorResult.hi = hi >>> 0;
    xorResult.lo = lo >>> 0;
  }
  return xorResult;
}
