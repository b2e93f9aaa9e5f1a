import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instantQuery, rangeQuery } from '../../src/promql/engine.ts';
import { PromqlError } from '../../src/promql/errors.ts';
import { at, every, load, range, STALE } from '../support/promql-load.ts';

test('instant selectors look back 5 minutes, the boundary included (Prometheus 2.42)', () => {
  const s = load({
    'x{a="1"}': [
      [0, 1],
      [60, 2],
    ],
  });
  assert.deepEqual(at(s, 'x', 60), { 'x{a="1"}': 2 });
  assert.deepEqual(at(s, 'x', 59), { 'x{a="1"}': 1 });
  assert.deepEqual(at(s, 'x', 360), { 'x{a="1"}': 2 });
  assert.deepEqual(at(s, 'x', 361), {});
  assert.deepEqual(at(s, 'x', -1), {});
});

test('a lookback set per query', () => {
  const s = load({ x: [[0, 1]] });
  assert.deepEqual(instantQuery(s, 'x', 90_000, { lookbackDelta: 60_000 }), { type: 'vector', samples: [] });
  assert.throws(() => instantQuery(s, 'x', 0, { lookbackDelta: 0 }), PromqlError);
});

test('a staleness marker ends a series at once for instant selectors', () => {
  const s = load({
    x: [
      [0, 1],
      [30, STALE],
      [90, 3],
    ],
  });
  assert.deepEqual(at(s, 'x', 20), { 'x{}': 1 });
  assert.deepEqual(at(s, 'x', 30), {});
  assert.deepEqual(at(s, 'x', 89), {});
  assert.deepEqual(at(s, 'x', 90), { 'x{}': 3 });
  assert.deepEqual(range(s, 'x', 0, 120, 30), {
    'x{}': [
      [0, 1],
      [90, 3],
      [120, 3],
    ],
  });
});

test('range selectors skip staleness markers; a plain NaN is a value', () => {
  const s = load({
    x: [
      [0, 1],
      [15, STALE],
      [30, Number.NaN],
      [45, 4],
    ],
  });
  const m = instantQuery(s, 'x[1m]', 45_000);
  assert.equal(m.type, 'matrix');
  if (m.type !== 'matrix') return;
  assert.deepEqual(Array.from(m.series[0]?.t ?? []), [0, 30_000, 45_000]);
  assert.ok(Number.isNaN(m.series[0]?.v[1] as number));
  assert.deepEqual(at(s, 'count_over_time(x[1m])', 45), { '{}': 3 });
});

test('range windows include both ends (Prometheus 2.42): [t - range, t]', () => {
  const s = load({ x: every(0, 60, 3, (i) => i) });
  assert.deepEqual(at(s, 'count_over_time(x[1m])', 120), { '{}': 2 });
  assert.deepEqual(at(s, 'count_over_time(x[59s])', 120), { '{}': 1 });
  assert.deepEqual(at(s, 'count_over_time(x[2m])', 120), { '{}': 3 });
});

test('offset moves the evaluation time back, a negative offset forward', () => {
  const s = load({ x: every(0, 60, 5, (i) => i * 10) });
  assert.deepEqual(at(s, 'x offset 1m', 120), { 'x{}': 10 });
  assert.deepEqual(at(s, 'x offset -1m', 120), { 'x{}': 30 });
  assert.deepEqual(at(s, 'sum_over_time(x[1m] offset 2m)', 240), { '{}': 30 });
});

test('@ fixes the evaluation time: a number, start() and end()', () => {
  const s = load({ x: every(0, 60, 5, (i) => i * 10) });
  assert.deepEqual(at(s, 'x @ 60', 240), { 'x{}': 10 });
  assert.deepEqual(at(s, 'x @ 60 offset 1m', 240), { 'x{}': 0 });
  assert.deepEqual(range(s, 'x @ start()', 60, 180, 60), {
    'x{}': [
      [60, 10],
      [120, 10],
      [180, 10],
    ],
  });
  assert.deepEqual(range(s, 'x @ end()', 60, 180, 60), {
    'x{}': [
      [60, 30],
      [120, 30],
      [180, 30],
    ],
  });
  assert.deepEqual(at(s, 'timestamp(x @ 90)', 240), { '{}': 60 });
});

test('timestamp() of a selector is the sample time, of anything else the evaluation time', () => {
  const s = load({ x: [[10, 1]] });
  assert.deepEqual(at(s, 'timestamp(x)', 100), { '{}': 10 });
  assert.deepEqual(at(s, 'timestamp((x))', 100), { '{}': 10 });
  assert.deepEqual(at(s, 'timestamp(x offset 30s)', 100), { '{}': 10 });
  assert.deepEqual(at(s, 'timestamp(x + 0)', 100), { '{}': 100 });
  assert.deepEqual(at(s, 'timestamp(sort(x))', 100), { '{}': 100 });
});

test('subqueries evaluate at steps aligned to the epoch inside [t - range, t]', () => {
  const s = load({ x: every(0, 10, 31, (i) => i) });
  // Steps at 240, 260, 280, 300 for [60s:20s] at 300 → x = 24, 26, 28, 30.
  assert.deepEqual(at(s, 'sum_over_time(x[60s:20s])', 300), { '{}': 108 });
  assert.deepEqual(at(s, 'count_over_time(x[55s:20s])', 305), { '{}': 3 });
  assert.deepEqual(at(s, 'max_over_time(x[1m:20s] offset 1m)', 300), { '{}': 24 });
  assert.deepEqual(at(s, 'rate(x[1m:10s])', 300), { '{}': 0.1 });
});

test('a subquery without a step uses 1 minute, or the step the caller sets (a rule test evaluation_interval)', () => {
  const s = load({ x: every(0, 10, 31, (i) => i) });
  assert.deepEqual(at(s, 'count_over_time(x[5m:])', 300), { '{}': 6 });
  const v = instantQuery(s, 'count_over_time(x[5m:])', 300_000, { subqueryStepMs: 30_000 });
  assert.deepEqual(v.type === 'vector' ? v.samples.map((x) => x.v) : [], [11]);
  const m = instantQuery(s, 'x[1m:30s]', 300_000);
  assert.deepEqual(m.type === 'matrix' ? Array.from(m.series[0]?.t ?? []) : [], [240_000, 270_000, 300_000]);
});

test('range queries: one series per label set, points only where the expression has a value', () => {
  const s = load({ 'x{a="1"}': [[0, 1]], 'x{a="2"}': [[400, 2]] });
  assert.deepEqual(range(s, 'x', 0, 600, 200), {
    'x{a="1"}': [
      [0, 1],
      [200, 1],
    ],
    'x{a="2"}': [
      [400, 2],
      [600, 2],
    ],
  });
  assert.deepEqual(range(s, 'time()', 0, 20, 10), {
    '{}': [
      [0, 0],
      [10, 10],
      [20, 20],
    ],
  });
});

test('range query errors are bad_data: step, order, resolution, expression type', () => {
  const s = load({ x: [[0, 1]] });
  const bad = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof PromqlError && e.errorType === 'bad_data' && re.test(e.message));
  bad(() => rangeQuery(s, 'x', 0, 10, 0), /zero or negative query resolution step/);
  bad(() => rangeQuery(s, 'x', 10, 0, 1), /end timestamp must not be before start time/);
  // Prometheus 2.42 refuses (end - start) / step > 11,000 (integer division): 11,000 steps still pass (compared
  // with Debian's Prometheus in test/integration/monitor/up-vs-prometheus.test.ts).
  bad(() => rangeQuery(s, 'x', 0, 11_001_000, 1000), /exceeded maximum resolution of 11,000 points/);
  assert.equal(rangeQuery(s, 'x', 0, 11_000_000, 1000).type, 'matrix');
  bad(() => rangeQuery(s, 'x[5m]', 0, 10, 1), /invalid expression type "range vector" for range query/);
  bad(() => rangeQuery(s, '"s"', 0, 10, 1), /invalid expression type "string" for range query/);
});

test('instant query result shapes: scalar, string, vector with the evaluation time, sorted matrix', () => {
  const s = load({ 'x{a="2"}': [[0, 1]], 'x{a="1"}': [[0, 2]] });
  assert.deepEqual(instantQuery(s, '1 + 1', 5000), { type: 'scalar', t: 5000, v: 2 });
  assert.deepEqual(instantQuery(s, '"hi"', 5000), { type: 'string', t: 5000, v: 'hi' });
  const v = instantQuery(s, 'x', 5000);
  assert.equal(v.type, 'vector');
  if (v.type === 'vector')
    assert.deepEqual(
      v.samples.map((x) => [x.labels.a, x.t]),
      [
        ['1', 5000],
        ['2', 5000],
      ],
    );
  const m = instantQuery(s, 'x[1m]', 5000);
  if (m.type === 'matrix')
    assert.deepEqual(
      m.series.map((x) => x.labels.a),
      ['1', '2'],
    );
  else assert.fail(m.type);
});
