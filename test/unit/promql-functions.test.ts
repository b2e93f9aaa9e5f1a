import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instantQuery } from '../../src/promql/engine.ts';
import { PromqlError } from '../../src/promql/errors.ts';
import { formatFloatF } from '../../src/promql/go-float.ts';
import { at, load } from '../support/promql-load.ts';

const s = load({
  'g{instance="r1:6379",job="redis"}': [[0, 2.5]],
  'g{instance="r2:6380",job="redis"}': [[0, -1.5]],
  'h_bucket{le="1"}': [[0, 10]],
  'h_bucket{le="2"}': [[0, 20]],
  'h_bucket{le="+Inf"}': [[0, 20]],
  'ts{}': [[0, 1_700_000_000]],
});

test('label_replace: anchored regex, Go templates ($1, $name, $$, braces), no match leaves the series', () => {
  assert.deepEqual(at(s, 'label_replace(g{instance="r1:6379"}, "host", "$1", "instance", "(.*):.*")', 0), {
    'g{host="r1",instance="r1:6379",job="redis"}': 2.5,
  });
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Go template in PromQL, not a JavaScript one
  assert.deepEqual(at(s, 'label_replace(g{instance="r1:6379"}, "x", "${1}0-$$-$1x", "instance", "r(\\\\d).*")', 0), {
    'g{instance="r1:6379",job="redis",x="10-$-"}': 2.5,
  });
  assert.deepEqual(at(s, 'label_replace(g{instance="r1:6379"}, "x", "$port", "instance", ".*:(?P<port>\\\\d+)")', 0), {
    'g{instance="r1:6379",job="redis",x="6379"}': 2.5,
  });
  assert.deepEqual(at(s, 'label_replace(g{instance="r1:6379"}, "x", "y", "instance", "r1")', 0), {
    'g{instance="r1:6379",job="redis"}': 2.5,
  });
  assert.deepEqual(at(s, 'label_replace(g{instance="r1:6379"}, "job", "", "job", ".*")', 0), {
    'g{instance="r1:6379"}': 2.5,
  });
  assert.throws(() => instantQuery(s, 'label_replace(g, "instance", "", "instance", ".*")', 0), /same labelset/);
  assert.throws(
    () => instantQuery(s, 'label_replace(g, "a-b", "", "job", ".*")', 0),
    (e: unknown) => e instanceof PromqlError && /invalid destination label name/.test(e.message),
  );
});

test('label_join', () => {
  assert.deepEqual(at(s, 'label_join(g{instance="r1:6379"}, "x", "/", "job", "instance", "nope")', 0), {
    'g{instance="r1:6379",job="redis",x="redis/r1:6379/"}': 2.5,
  });
});

test('histogram_quantile interpolates inside the bucket; beyond the last finite bucket gives its bound', () => {
  assert.deepEqual(at(s, 'histogram_quantile(0.5, h_bucket)', 0), { '{}': 1 });
  assert.deepEqual(at(s, 'histogram_quantile(0.75, h_bucket)', 0), { '{}': 1.5 });
  assert.deepEqual(at(s, 'histogram_quantile(1, h_bucket)', 0), { '{}': 2 });
  assert.deepEqual(at(s, 'histogram_quantile(0.25, h_bucket)', 0), { '{}': 0.5 });
  assert.deepEqual(at(s, 'histogram_quantile(1.5, h_bucket)', 0), { '{}': Number.POSITIVE_INFINITY });
  assert.deepEqual(at(s, 'histogram_quantile(0.5, h_bucket{le!="+Inf"})', 0), { '{}': Number.NaN });
  assert.deepEqual(at(s, 'histogram_quantile(0.5, g)', 0), {}, 'no le label: skipped');
});

test('clamp, clamp_min, clamp_max, round drop the name', () => {
  assert.deepEqual(at(s, 'clamp(g, -1, 2)', 0), {
    '{instance="r1:6379",job="redis"}': 2,
    '{instance="r2:6380",job="redis"}': -1,
  });
  assert.deepEqual(at(s, 'clamp(g, 2, -1)', 0), {});
  assert.deepEqual(at(s, 'clamp_min(g, 0)', 0), {
    '{instance="r1:6379",job="redis"}': 2.5,
    '{instance="r2:6380",job="redis"}': 0,
  });
  assert.deepEqual(at(s, 'clamp_max(g, 0)', 0), {
    '{instance="r1:6379",job="redis"}': 0,
    '{instance="r2:6380",job="redis"}': -1.5,
  });
  assert.deepEqual(at(s, 'round(g)', 0), {
    '{instance="r1:6379",job="redis"}': 3,
    '{instance="r2:6380",job="redis"}': -1,
  });
  assert.deepEqual(at(s, 'round(g, 2)', 0), {
    '{instance="r1:6379",job="redis"}': 2,
    '{instance="r2:6380",job="redis"}': -2,
  });
});

test('math functions', () => {
  const one = (f: string) => at(s, `${f}(g{instance="r1:6379"})`, 0)['{instance="r1:6379",job="redis"}'];
  assert.equal(one('abs'), 2.5);
  assert.equal(one('ceil'), 3);
  assert.equal(one('floor'), 2);
  assert.equal(one('sqrt'), Math.sqrt(2.5));
  assert.equal(one('exp'), Math.exp(2.5));
  assert.equal(one('ln'), Math.log(2.5));
  assert.equal(one('log2'), Math.log2(2.5));
  assert.equal(one('log10'), Math.log10(2.5));
  assert.equal(one('sgn'), 1);
});

test('scalar, vector, time, absent', () => {
  assert.deepEqual(at(s, 'scalar(g{instance="r1:6379"})', 0), { scalar: 2.5 });
  assert.deepEqual(at(s, 'scalar(g)', 0), { scalar: Number.NaN });
  assert.deepEqual(at(s, 'vector(time())', 42), { '{}': 42 });
  assert.deepEqual(at(s, 'absent(g)', 0), {});
  assert.deepEqual(at(s, 'absent(nope{job="x",instance=~"y"})', 0), { '{job="x"}': 1 });
  assert.deepEqual(at(s, 'absent(nope{job="x",job="y"})', 0), { '{}': 1 });
  assert.deepEqual(at(s, 'absent(sum(nope{job="x"}))', 0), { '{}': 1 });
});

test('sort and sort_desc order the instant vector', () => {
  const order = (expr: string) => {
    const v = instantQuery(s, expr, 0);
    return v.type === 'vector' ? v.samples.map((x) => x.v) : [];
  };
  assert.deepEqual(order('sort(g)'), [-1.5, 2.5]);
  assert.deepEqual(order('sort_desc(g)'), [2.5, -1.5]);
});

test('date functions in UTC, of the evaluation time without an argument', () => {
  // 1700000000 = 2023-11-14T22:13:20Z, a Tuesday.
  assert.deepEqual(at(s, 'year(ts)', 0), { '{}': 2023 });
  assert.deepEqual(at(s, 'month(ts)', 0), { '{}': 11 });
  assert.deepEqual(at(s, 'day_of_month(ts)', 0), { '{}': 14 });
  assert.deepEqual(at(s, 'day_of_week(ts)', 0), { '{}': 2 });
  assert.deepEqual(at(s, 'days_in_month(ts)', 0), { '{}': 30 });
  assert.deepEqual(at(s, 'hour(ts)', 0), { '{}': 22 });
  assert.deepEqual(at(s, 'minute(ts)', 0), { '{}': 13 });
  assert.deepEqual(at(s, 'year()', 1_700_000_000), { '{}': 2023 });
});

test("Go's FormatFloat 'f' -1 for count_values labels", () => {
  assert.equal(formatFloatF(1e21), '1000000000000000000000');
  assert.equal(formatFloatF(1.5e-7), '0.00000015');
  assert.equal(formatFloatF(-2.5e22), '-25000000000000000000000');
  assert.equal(formatFloatF(0.1), '0.1');
  assert.equal(formatFloatF(Number.POSITIVE_INFINITY), '+Inf');
  assert.equal(formatFloatF(Number.NaN), 'NaN');
});
