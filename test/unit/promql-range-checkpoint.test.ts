import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rangeQuery } from '../../src/promql/engine.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';

/**
 * The query's checkpoint (the API's deadline and samples limit) must be called every few steps even when there is
 * one series: quantile_over_time(0.5, x[1d]) over 11,000 one-second steps sorts a day of samples at each step
 * (33 s of CPU on one series), and a checkpoint only between series would let it run to its end past
 * --query.timeout while scraping waits.
 */

const START = 1_700_000_000_000;
const DAY = 86_400_000;

function oneSeries(): MemorySeries {
  const store = new MemorySeries();
  for (let t = 0; t <= 2 * DAY; t += 60_000) store.append({ __name__: 'x' }, START + t, Math.sin(t));
  return store;
}

for (const expr of ['quantile_over_time(0.5, x[1d])', 'rate(x[1d])', 'max_over_time(x[1d] offset 1h)']) {
  test(`${expr}: the checkpoint is called at least every 64 steps of one series`, () => {
    let calls = 0;
    const steps = 11_001;
    rangeQuery(oneSeries(), expr, START + DAY, START + DAY + (steps - 1) * 60_000, 60_000, {
      checkpoint: () => {
        calls++;
      },
    });
    assert.ok(calls >= Math.floor(steps / 64), `${calls} calls for ${steps} steps`);
  });
}
