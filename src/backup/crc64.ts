/**
 * CRC-64/Jones as Redis computes it (src/crc64.c): reflected, polynomial 0xad93d23594c935a9, initial value 0, no
 * final xor. It closes every RDB file and every DUMP payload. Kept as two 32-bit halves: BigInt per byte is far
 * too slow for a stream of hundreds of megabytes.
 */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5; // 0xad93d23594c935a9 bit-reversed is 0x95ac9329ac4bc9b5

const TABLE_HI = new Uint32Array(256 * 8);
const TABLE_LO = new Uint32Array(256 * 8);

for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}
// Slicing-by-8 tables: TABLE[k][n] is TABLE[k-1][n] advanced by one zero byte.
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const prevHi = TABLE_HI[(k - 1) * 256 + n];
    const prevLo = TABLE_LO[(k - 1) * 256 + n];
    const i = prevLo & 0xff;
    TABLE_LO[k * 256 + n] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[i]) >>> 0;
    TABLE_HI[k * 256 + n] = ((prevHi >>> 8) ^ TABLE_HI[i]) >>> 0;
  }
}

/** An incremental CRC-64/Jones. */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    const n = data.length;
    const H = TABLE_HI;
    const L = TABLE_LO;
    for (; i + 8 <= n; i += 8) {
      const a = (lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
      const b = (hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24))) >>> 0;
      lo =
        L[1792 + (a & 0xff)] ^
        L[1536 + ((a >>> 8) & 0xff)] ^
        L[1280 + ((a >>> 16) & 0xff)] ^
        L[1024 + (a >>> 24)] ^
        L[768 + (b & 0xff)] ^
        L[512 + ((b >>> 8) & 0xff)] ^
        L[256 + ((b >>> 16) & 0xff)] ^
        L[b >>> 24];
      hi =
        H[1792 + (a & 0xff)] ^
        H[1536 + ((a >>> 8) & 0xff)] ^
        H[1280 + ((a >>> 16) & 0xff)] ^
        H[1024 + (a >>> 24)] ^
        H[768 + (b & 0xff)] ^
        H[512 + ((b >>> 8) & 0xff)] ^
        H[256 + ((b >>> 16) & 0xff)] ^
        H[b >>> 24];
    }
    for (; i < n; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ L[idx];
      hi = (hi >>> 8) ^ H[idx];
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** The checksum as the 8 little-endian bytes Redis writes after the data. */
  digestBytes(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

export function crc64(data: Uint8Array): Crc64 {
  return new Crc64().update(data);
}
