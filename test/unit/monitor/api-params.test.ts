import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSampleValue, queryData } from '../../../src/monitor/api/format.ts';
import { parseDurationParam, parseTime } from '../../../src/monitor/api/params.ts';
import { parseSeriesSelector } from '../../../src/monitor/api/series-selector.ts';

test('times: unix seconds rounded to the millisecond, RFC 3339 with fractions and offsets, Prometheus errors', () => {
  assert.equal(parseTime('time', '1435781451.781'), 1435781451781);
  assert.equal(parseTime('time', '1435781451.7815'), 1435781451782);
  assert.equal(parseTime('time', '1e3'), 1_000_000);
  assert.equal(parseTime('time', '-1.5'), -1500);
  assert.equal(parseTime('time', '2015-07-01T20:10:51.781Z'), 1435781451781);
  assert.equal(parseTime('time', '2015-07-01T22:10:51+02:00'), 1435781451000);
  assert.equal(parseTime('time', '2015-07-01T20:10:51.123456789Z'), 1435781451123);
  for (const bad of ['', 'abc', '2015-07-01', '2015-02-30T00:00:00Z', '2015-07-01T20:10:51'])
    assert.throws(
      () => parseTime('start', bad),
      new RegExp(
        `^BadDataError: invalid parameter "start": cannot parse ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to a valid timestamp$`,
      ),
      bad,
    );
});

test('durations: float seconds or Prometheus durations', () => {
  assert.equal(parseDurationParam('step', '15'), 15_000);
  assert.equal(parseDurationParam('step', '0.5'), 500);
  assert.equal(parseDurationParam('step', '1m30s'), 90_000);
  assert.equal(parseDurationParam('step', '1d'), 86_400_000);
  assert.equal(parseDurationParam('step', '250ms'), 250);
  assert.throws(
    () => parseDurationParam('step', '30s1m'),
    /invalid parameter "step": cannot parse "30s1m" to a valid duration$/,
  );
  assert.throws(() => parseDurationParam('step', ''), /cannot parse "" to a valid duration/);
  assert.throws(() => parseDurationParam('step', '1e300'), /It overflows int64/);
});

test("values as Go's FormatFloat(v, 'f', -1, 64): never an exponent", () => {
  const cases: Array<[number, string]> = [
    [1, '1'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000'],
    [123456789.125, '123456789.125'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [-0, '-0'],
  ];
  for (const [v, s] of cases) assert.equal(formatSampleValue(v), s, String(v));
});

test('query results in the API shapes: [seconds, "value"] pairs', () => {
  assert.deepEqual(queryData({ type: 'scalar', t: 1500, v: 2 }), { resultType: 'scalar', result: [1.5, '2'] });
  assert.deepEqual(
    queryData({ type: 'vector', samples: [{ labels: { __name__: 'up', job: 'redis' }, t: 1000, v: 1 }] }),
    { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'redis' }, value: [1, '1'] }] },
  );
  assert.deepEqual(queryData({ type: 'matrix', series: [{ labels: { a: 'b' }, t: [1000, 2001], v: [1, 0.5] }] }), {
    resultType: 'matrix',
    result: [
      {
        metric: { a: 'b' },
        values: [
          [1, '1'],
          [2.001, '0.5'],
        ],
      },
    ],
  });
});

test('series selectors: metric names, matchers, quoting; anything else refused', () => {
  assert.deepEqual(parseSeriesSelector('up'), [{ name: '__name__', type: '=', value: 'up' }]);
  assert.deepEqual(parseSeriesSelector('redis_up{instance=~"redis://.*", job!=\'x\'}'), [
    { name: 'instance', type: '=~', value: 'redis://.*' },
    { name: 'job', type: '!=', value: 'x' },
    { name: '__name__', type: '=', value: 'redis_up' },
  ]);
  assert.deepEqual(parseSeriesSelector('{__name__=~"redis_.+"}'), [
    { name: '__name__', type: '=~', value: 'redis_.+' },
  ]);
  assert.deepEqual(parseSeriesSelector('{job="a\\"b\\n\\x41\\u00e9"}'), [{ name: 'job', type: '=', value: 'a"b\nAé' }]);
  assert.deepEqual(parseSeriesSelector('{job=`raw\\n`}'), [{ name: 'job', type: '=', value: 'raw\\n' }]);
  assert.throws(() => parseSeriesSelector('rate(up[5m])'), /invalid parameter "match\[\]".*not a series selector/);
  assert.throws(() => parseSeriesSelector('up{'), /invalid parameter "match\[\]": parse error at char 4/);
  assert.throws(() => parseSeriesSelector('up offset 5m'), /not a series selector/);
  assert.throws(() => parseSeriesSelector('{job=~".*"}'), /at least one non-empty matcher/);
  assert.throws(() => parseSeriesSelector('{job=~"("}'), /invalid regular expression/);
});
