/**
 * A float64's bit pattern as two unsigned 32-bit halves, without BigInt and without passing NaNs through
 * arithmetic: staleness markers (STALE_NAN) must survive bit for bit.
 */
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

export function floatHi(v: number): number {
  scratch[0] = v;
  return words[HI]!;
}

/** Call right after floatHi with the same value (shares the scratch word). */
export function floatLoOfLast(): number {
  return words[LO]!;
}

/** Stores the float with bits (hi, lo) at `index` of the Float64Array whose words (`wordsOf`) are `outWords`. */
export function setFloatBits(outWords: Uint32Array, index: number, hi: number, lo: number): void {
  outWords[index * 2 + HI] = hi;
  outWords[index * 2 + LO] = lo;
}

export function wordsOf(array: Float64Array): Uint32Array {
  return new Uint32Array(array.buffer, array.byteOffset, array.length * 2);
}
