import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rangeQuery } from '../../src/promql/engine.ts';
import { PromqlError } from '../../src/promql/errors.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';

/**
 * Prometheus 2.42 builds the result of a range function (rate(), *_over_time) and of unary minus as a matrix and
 * refuses it when two of its series have one label set, even if they never share a step: rate() over a metric
 * renamed half-way (old name until 15 min, new one from 30 min) is an error there, not one merged series. Checked
 * against Debian's prometheus 2.42 over the same samples. Operators and other functions check each step.
 */

const S = 1_700_000_000_000;

function renamed(): MemorySeries {
  const store = new MemorySeries();
  for (let t = 0; t <= 900; t += 15) store.append({ __name__: 'a', i: '1' }, S + t * 1000, t);
  for (let t = 1800; t <= 3600; t += 15) store.append({ __name__: 'ctr', i: '1' }, S + t * 1000, t);
  return store;
}

const range = (expr: string) => rangeQuery(renamed(), expr, S + 600_000, S + 3000_000, 60_000);

for (const expr of [
  'rate({__name__=~"a|ctr"}[5m])',
  'max_over_time({__name__=~"a|ctr"}[1m])',
  '-{__name__=~"a|ctr"}',
]) {
  test(`${expr}: one label set from two series at different steps is refused, as Prometheus does`, () => {
    assert.throws(
      () => range(expr),
      (e: unknown) => e instanceof PromqlError && /same labelset/.test(e.message),
    );
  });
}

for (const expr of ['abs({__name__=~"a|ctr"})', '{__name__=~"a|ctr"} * 1', 'last_over_time({__name__=~"a|ctr"}[1m])']) {
  test(`${expr}: answered, as Prometheus answers it`, () => {
    assert.ok(range(expr).series.length > 0);
  });
}
