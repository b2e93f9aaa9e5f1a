import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, every, load } from '../support/promql-load.ts';

// Values worked out by hand from Prometheus 2.42's extrapolatedRate, instantValue and linearRegression.

test('rate/increase over a window the samples fill: no extrapolation needed', () => {
  const s = load({ c: every(0, 15, 5, (i) => i * 10) }); // 0..40 at 0..60 s
  assert.deepEqual(at(s, 'increase(c[1m])', 60), { '{}': 40 });
  assert.deepEqual(at(s, 'rate(c[1m])', 60), { '{}': 40 / 60 });
});

test('rate extrapolates to the window edges when samples are close to them', () => {
  const s = load({ c: every(0, 15, 5, (i) => i * 10) });
  // Window [7 s, 67 s]: samples 15..60 s (10..40), 30 over 45 s, extended by 8 s and 7 s to 60 s → 40.
  assert.deepEqual(at(s, 'increase(c[1m])', 67), { '{}': 40 });
});

test('a counter is not extrapolated below zero', () => {
  const s = load({
    c: [
      [30, 5],
      [45, 15],
      [60, 25],
    ],
  });
  // 20 over 30 s; 30 s to the window start, but zero is reached 7.5 s before the first sample → 20 × 37.5 / 30.
  assert.deepEqual(at(s, 'increase(c[1m])', 60), { '{}': 25 });
});

test('a counter reset adds the value before the reset', () => {
  const s = load({
    c: [
      [0, 10],
      [15, 20],
      [30, 5],
      [45, 15],
    ],
  });
  assert.deepEqual(at(s, 'increase(c[45s])', 45), { '{}': 25 });
  assert.deepEqual(at(s, 'resets(c[45s])', 45), { '{}': 1 });
  assert.deepEqual(at(s, 'changes(c[45s])', 45), { '{}': 3 });
});

test('far from the window edge, extrapolation stops half an interval out', () => {
  const s = load({
    g: [
      [0, 10],
      [30, 4],
    ],
  });
  // delta: -6 over 30 s; start 0 s away, end 30 s away (< 1.1 × 30) → 60 s → -12.
  assert.deepEqual(at(s, 'delta(g[1m])', 60), { '{}': -12 });
  const t = load({
    c: [
      [100, 1],
      [110, 2],
      [120, 3],
    ],
  });
  // increase(c[5m]) at 120: 2 over 20 s (10 s apart, threshold 11 s). The window starts 280 s before the first
  // sample, but the counter's zero point is only 10 s before it (< 11 s): extend by 10 s; the end is 0 s away.
  // 30 s / 20 s × 2 = 3.
  assert.deepEqual(at(t, 'increase(c[5m])', 120), { '{}': 3 });
  // The same slope from 100: the zero point is 1000 s back, so only half an interval (5 s) is added → 2.5.
  const u = load({
    c: [
      [100, 100],
      [110, 101],
      [120, 102],
    ],
  });
  assert.deepEqual(at(u, 'increase(c[5m])', 120), { '{}': 2.5 });
});

test('fewer than two samples: no rate', () => {
  const s = load({ c: [[0, 1]] });
  assert.deepEqual(at(s, 'rate(c[1m])', 30), {});
  assert.deepEqual(at(s, 'irate(c[1m])', 30), {});
  assert.deepEqual(at(s, 'deriv(c[1m])', 30), {});
});

test('irate and idelta use the last two samples; irate treats a drop as a reset', () => {
  const s = load({
    c: [
      [0, 10],
      [15, 20],
      [30, 5],
    ],
  });
  assert.deepEqual(at(s, 'irate(c[1m])', 30), { '{}': 5 / 15 });
  assert.deepEqual(at(s, 'idelta(c[1m])', 30), { '{}': -15 });
});

test('deriv and predict_linear by least squares', () => {
  const s = load({
    g: [
      [0, 1],
      [10, 3],
      [20, 5],
    ],
  });
  assert.deepEqual(at(s, 'deriv(g[1m])', 20), { '{}': 0.2 });
  assert.deepEqual(at(s, 'predict_linear(g[1m], 10)', 20), { '{}': 7 });
  const flat = load({
    g: [
      [0, 4],
      [10, 4],
    ],
  });
  assert.deepEqual(at(flat, 'deriv(g[1m])', 10), { '{}': 0 });
});

test('*_over_time', () => {
  const s = load({
    'g{a="1"}': [
      [0, 1],
      [10, 4],
      [20, 2],
      [30, 5],
    ],
  });
  const q = (f: string) => at(s, `${f}(g[30s])`, 30)['{a="1"}'];
  assert.equal(q('avg_over_time'), 3);
  assert.equal(q('sum_over_time'), 12);
  assert.equal(q('min_over_time'), 1);
  assert.equal(q('max_over_time'), 5);
  assert.equal(q('count_over_time'), 4);
  assert.equal(q('present_over_time'), 1);
  assert.equal(q('stdvar_over_time'), 2.5);
  assert.equal(q('stddev_over_time'), Math.sqrt(2.5));
  assert.equal(at(s, 'quantile_over_time(0.5, g[30s])', 30)['{a="1"}'], 3);
  assert.equal(at(s, 'quantile_over_time(0.25, g[30s])', 30)['{a="1"}'], 1.75);
  assert.equal(at(s, 'quantile_over_time(2, g[30s])', 30)['{a="1"}'], Number.POSITIVE_INFINITY);
  assert.deepEqual(at(s, 'last_over_time(g[30s])', 30), { 'g{a="1"}': 5 }, 'last_over_time keeps the name');
});

test('NaN in max_over_time/min_over_time is replaced by any number', () => {
  const s = load({
    g: [
      [0, Number.NaN],
      [10, 3],
      [20, 1],
    ],
  });
  assert.deepEqual(at(s, 'max_over_time(g[30s])', 20), { '{}': 3 });
  assert.deepEqual(at(s, 'min_over_time(g[30s])', 20), { '{}': 1 });
});

test('absent_over_time: 1 with the equality matchers when nothing is in the window', () => {
  const s = load({ 'x{job="a"}': [[0, 1]] });
  assert.deepEqual(at(s, 'absent_over_time(x{job="a"}[1m])', 30), {});
  assert.deepEqual(at(s, 'absent_over_time(x{job="a"}[1m])', 90), { '{job="a"}': 1 });
  assert.deepEqual(at(s, 'absent_over_time(x{job="a",instance=~"i.*"}[1m])', 90), { '{job="a"}': 1 });
});
