import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkFormatError } from '../../../src/monitor/store/bit-stream.ts';
import { decodeXorChunk, XorChunkEncoder } from '../../../src/monitor/store/xor-chunk.ts';
import { isStaleNaN, STALE_NAN } from '../../../src/promql/types.ts';

function bitsOf(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0).toString(16);
}

function floatFromBits(bits: bigint): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, bits);
  return dv.getFloat64(0);
}

function encode(t: ArrayLike<number>, v: ArrayLike<number>): Uint8Array {
  const e = new XorChunkEncoder();
  for (let i = 0; i < t.length; i++) e.append(t[i]!, v[i]!);
  return e.bytes();
}

function assertRoundTrip(t: readonly number[], v: ArrayLike<number>): void {
  const d = decodeXorChunk(encode(t, v));
  assert.deepEqual(Array.from(d.t), t);
  assert.deepEqual(Array.from(d.v, bitsOf), Array.from(v, bitsOf));
}

/** V8 canonicalises NaNs stored in a plain array of numbers: NaN payloads survive only in a Float64Array. */
function withNaNs(values: readonly number[], nans: Record<number, number>): Float64Array {
  const out = Float64Array.from(values);
  for (const [i, v] of Object.entries(nans)) out[Number(i)] = v;
  return out;
}

// Written by Debian's promtool 2.42 (`tsdb create-blocks-from openmetrics`) from the samples below: the chunk's
// bytes as they sit in the block's chunks/000001 file, after the length and the encoding byte.
const PROMTOOL_CHUNK =
  '000c80a0abfef9623ff00000000000009875c26fff489c4c0760038c35183efe37e43c8800759f577933f3cfe43c8800759df000' +
  '00000000ddae0810000000000003fffffffffffe49091801b07f8093333333333336e2ae7ffc99999999999b0eaa400010000000000000';
const GO_NAN = floatFromBits(0x7ff8000000000001n);
const GOLDEN_T = [
  1700000000000, 1700000015000, 1700000030000, 1700000047500, 1700000090000, 1700000091000, 1700001000000,
  1700001010000, 1700001020000, 1700001028123, 1700001038123, 1700001048123,
];
const GOLDEN_V = withNaNs([1, 2.5, 2.5, -0, 1e300, 0, Infinity, -Infinity, 0.1, 42, 42, 43], { 5: GO_NAN });

describe('XOR chunk codec', () => {
  it('writes the same bytes as Prometheus for the same samples', () => {
    assert.equal(Buffer.from(encode(GOLDEN_T, GOLDEN_V)).toString('hex'), PROMTOOL_CHUNK);
  });

  it('reads the chunk Prometheus wrote', () => {
    const d = decodeXorChunk(Buffer.from(PROMTOOL_CHUNK, 'hex'));
    assert.deepEqual(Array.from(d.t), GOLDEN_T);
    assert.deepEqual(Array.from(d.v, bitsOf), Array.from(GOLDEN_V, bitsOf));
    assert.equal(bitsOf(d.v[5]!), '7ff8000000000001');
  });

  it('keeps the staleness marker bit for bit', () => {
    const d = decodeXorChunk(encode([1000, 2000, 3000], withNaNs([1, 0, 1], { 1: STALE_NAN })));
    assert.ok(isStaleNaN(d.v[1]!));
    assert.ok(!isStaleNaN(GO_NAN));
  });

  it('round-trips edge values: -0, NaN payloads, infinities, subnormals, extremes', () => {
    const values = withNaNs(
      [
        0,
        -0,
        0,
        0,
        0,
        Infinity,
        -Infinity,
        Number.MIN_VALUE,
        -Number.MIN_VALUE,
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
        Number.EPSILON,
        2 ** 53,
        1,
        1,
      ],
      { 2: Number.NaN, 3: STALE_NAN, 4: GO_NAN },
    );
    assert.ok(isStaleNaN(values[3]!));
    assertRoundTrip(
      Array.from(values, (_, i) => 1000 * i),
      values,
    );
  });

  it('round-trips every timestamp bucket boundary and huge gaps', () => {
    const gaps = [1, 8192, 8193, 8192 - 16383, 65536, 65537, 524288, 524289, 2 ** 31, 2 ** 33 + 7, 10 * 365 * 86400000];
    const t = [0, 10];
    for (const g of gaps) {
      const delta = t[t.length - 1]! - t[t.length - 2]!;
      const next = delta + g > 0 ? delta + g : 1;
      t.push(t[t.length - 1]! + next);
    }
    assertRoundTrip(
      t,
      t.map((x) => x / 7),
    );
  });

  it('round-trips negative and large first timestamps', () => {
    assertRoundTrip([-5000, -4000, 0, 3], [1, 2, 3, 4]);
    assertRoundTrip([2 ** 52, 2 ** 52 + 1], [1, 2]);
  });

  it('round-trips random series (property)', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const dv = new DataView(new ArrayBuffer(8));
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(rand() * 200);
      const t: number[] = [];
      const v = new Float64Array(n);
      let ts = Math.floor(rand() * 2 ** 42);
      let val = rand() * 1000;
      for (let i = 0; i < n; i++) {
        const kind = rand();
        ts += kind < 0.6 ? 10000 : kind < 0.9 ? 1 + Math.floor(rand() * 100000) : 1 + Math.floor(rand() * 2 ** 40);
        const vk = rand();
        if (vk < 0.3) val += 1;
        else if (vk < 0.5) val = rand() * 1e6;
        else if (vk < 0.6) {
          dv.setUint32(0, Math.floor(rand() * 2 ** 32));
          dv.setUint32(4, Math.floor(rand() * 2 ** 32));
          val = dv.getFloat64(0);
        }
        t.push(ts);
        v[i] = val;
      }
      assertRoundTrip(t, v);
    }
  });

  it('reports a truncated chunk with a typed error, never garbage', () => {
    const bytes = encode(GOLDEN_T, GOLDEN_V);
    for (const cut of [0, 1, 5, 20, bytes.length - 1]) {
      assert.throws(() => decodeXorChunk(bytes.subarray(0, cut)), ChunkFormatError);
    }
  });
});
