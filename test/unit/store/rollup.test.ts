import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateFor, columnChunks, looksLikeCounter, rollUp } from '../../../src/monitor/store/rollup.ts';
import { decodeXorChunk } from '../../../src/monitor/store/xor-chunk.ts';
import { STALE_NAN } from '../../../src/promql/types.ts';

const MIN = 60_000;

/** Prometheus's increase without extrapolation: sum of rises, a drop counts as a reset from zero. */
function increase(v: ArrayLike<number>): number {
  let total = 0;
  for (let i = 1; i < v.length; i++) total += v[i]! >= v[i - 1]! ? v[i]! - v[i - 1]! : v[i]!;
  return total;
}

describe('rollups', () => {
  // A counter every minute for 12 minutes: 10 20 30 40 | 5 15 (reset) 25 35 45 | 50 2 (reset) 4, then a stale marker.
  const t = Float64Array.from({ length: 13 }, (_, i) => i * MIN);
  const v = Float64Array.from([10, 20, 30, 40, 5, 15, 25, 35, 45, 50, 2, 4, 0]);
  v[12] = STALE_NAN;

  it('aggregates count, sum, min and max per 5 min bucket at the bucket’s last sample time, staleness left out', () => {
    const r = rollUp(t, v, 5 * MIN);
    assert.deepEqual(r.count, { t: [4 * MIN, 9 * MIN, 11 * MIN], v: [5, 5, 2] });
    assert.deepEqual(r.sum, { t: [4 * MIN, 9 * MIN, 11 * MIN], v: [105, 170, 6] });
    assert.deepEqual(r.min, { t: [4 * MIN, 9 * MIN, 11 * MIN], v: [5, 15, 2] });
    assert.deepEqual(r.max, { t: [4 * MIN, 9 * MIN, 11 * MIN], v: [40, 50, 4] });
  });

  it('keeps the first sample, each bucket’s last and both sides of every reset in the counter column', () => {
    const r = rollUp(t, v, 5 * MIN);
    assert.deepEqual(r.counter, {
      t: [0, 3 * MIN, 4 * MIN, 9 * MIN, 10 * MIN, 11 * MIN],
      v: [10, 40, 5, 50, 2, 4],
    });
    assert.equal(increase(r.counter.v), increase(v.subarray(0, 12)));
    assert.equal(increase(r.counter.v), 30 + 50 + 4);
  });

  it('keeps no reset pairs for a gauge (a series not named as a counter)', () => {
    const r = rollUp(t, v, 5 * MIN, false);
    assert.deepEqual(r.counter, { t: [0, 4 * MIN, 9 * MIN, 11 * MIN], v: [10, 5, 50, 4] });
    assert.ok(looksLikeCounter('redis_commands_total'));
    assert.ok(looksLikeCounter('redis_latency_bucket'));
    assert.ok(!looksLikeCounter('redis_memory_used_bytes'));
    assert.ok(!looksLikeCounter(undefined));
  });

  it('rolls up by the hour the same way', () => {
    const r = rollUp(t, v, 60 * MIN);
    assert.deepEqual(r.count.v, [12]);
    assert.deepEqual(r.sum.v, [281]);
    assert.deepEqual([r.min.v[0], r.max.v[0]], [2, 50]);
    assert.deepEqual(r.counter.t, [0, 3 * MIN, 4 * MIN, 9 * MIN, 10 * MIN, 11 * MIN]);
  });

  it('makes an extreme NaN only when every value is', () => {
    const r = rollUp([0, 1, 2], [Number.NaN, 3, 1], 5 * MIN);
    assert.deepEqual([r.min.v[0], r.max.v[0], r.sum.v[0]], [1, 3, Number.NaN]);
    assert.ok(Number.isNaN(rollUp([0], [Number.NaN], 5 * MIN).min.v[0]));
  });

  it('stores a column as XOR chunks that decode to it', () => {
    const col = {
      t: Array.from({ length: 2500 }, (_, i) => i * 300_000),
      v: Array.from({ length: 2500 }, (_, i) => i / 3),
    };
    const chunks = columnChunks(col);
    assert.deepEqual(
      chunks.map((c) => c.count),
      [1000, 1000, 500],
    );
    assert.deepEqual(
      chunks.flatMap((c) => Array.from(decodeXorChunk(c.bytes).v)),
      col.v,
    );
  });

  it('picks the aggregate by the function the selection feeds', () => {
    assert.equal(aggregateFor('rate'), 'counter');
    assert.equal(aggregateFor('increase'), 'counter');
    assert.equal(aggregateFor('irate'), 'counter');
    assert.equal(aggregateFor('resets'), 'counter');
    assert.equal(aggregateFor('changes'), 'counter');
    assert.equal(aggregateFor('min_over_time'), 'min');
    assert.equal(aggregateFor('max_over_time'), 'max');
    assert.equal(aggregateFor('count_over_time'), 'avg');
    assert.equal(aggregateFor('sum_over_time'), 'avg');
    assert.equal(aggregateFor('avg_over_time'), 'avg');
    assert.equal(aggregateFor('sum_over_time'), 'avg');
    assert.equal(aggregateFor(undefined), 'avg');
  });
});
