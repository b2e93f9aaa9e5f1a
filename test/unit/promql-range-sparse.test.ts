import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { rangeQuery } from '../../src/promql/engine.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';
import { stepwiseRangeQuery } from '../support/promql-stepwise.ts';

/**
 * A range query whose label sets each appear at few steps (count_values over 11,000 steps: one series per point)
 * is too sparse for columns, which hold every step of every label set: it must not take a column per point
 * (11,001² cells, 1 GB of one request), and must still answer what the step-by-step evaluator answers.
 */

const START = 1_700_000_000_000;
const END = START + 11_000_000;
const EXPR = 'count_values("v", vector(time()))';

test('count_values over 11,000 steps answers as step by step', () => {
  const store = new MemorySeries();
  store.append({ __name__: 'a' }, START, 1);
  const ours = rangeQuery(store, EXPR, START, END, 1000);
  assert.equal(ours.series.length, 11_001);
  assert.deepStrictEqual(ours, stepwiseRangeQuery(store, EXPR, START, END, 1000));
});

test('count_values over 11,000 steps does not hold a column per point', () => {
  const engine = new URL('../../src/promql/engine.ts', import.meta.url).href;
  const memory = new URL('../../src/promql/memory-series.ts', import.meta.url).href;
  const script = `
    import { rangeQuery } from ${JSON.stringify(engine)};
    import { MemorySeries } from ${JSON.stringify(memory)};
    const store = new MemorySeries();
    store.append({ __name__: 'a' }, ${START}, 1);
    const r = rangeQuery(store, ${JSON.stringify(EXPR)}, ${START}, ${END}, 1000);
    console.log(JSON.stringify({ series: r.series.length, maxRssKb: process.resourceUsage().maxRSS }));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const { series, maxRssKb } = JSON.parse(child.stdout.trim().split('\n').pop() as string);
  assert.equal(series, 11_001);
  // Columns for every point would take 11,001 × 11,001 × 9 bytes (1.09 GB) besides node's own ~100 MB.
  assert.ok(maxRssKb < 500_000, `peak RSS ${Math.round(maxRssKb / 1000)} MB`);
});
