import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAlerts } from '../../src/catalog/alerts.ts';
import { allPanels } from '../../src/catalog/panels.ts';
import { promqlMetricNames } from '../../src/catalog/promql-names.ts';
import { rangeQuery } from '../../src/promql/engine.ts';
import { PromqlError } from '../../src/promql/errors.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';
import { STALE_NAN } from '../../src/promql/types.ts';
import { catalogueExpressions, generatedExpressions } from '../support/promql-expressions.ts';
import { randomExpressions } from '../support/promql-random.ts';
import { DATA_END, DATA_START, generateSeries } from '../support/promql-series.ts';
import { stepwiseRangeQuery } from '../support/promql-stepwise.ts';

/**
 * Range queries are evaluated a node at a time over whole columns (src/promql/range/); the step-by-step evaluator
 * they replaced is the reference here: on the differential test's data, with staleness markers and gaps added
 * (which backfilled Prometheus cannot hold), every catalogue, hand-written and seeded random expression must give
 * the very same series, timestamps and values (bit for bit), or the same error.
 */

const MINUTE = 60_000;
const RANGES = [
  { start: DATA_START + 5 * MINUTE, end: DATA_END + 5 * MINUTE, step: 60_000 },
  { start: DATA_START + 60 * MINUTE, end: DATA_START + 150 * MINUTE, step: 37_000 },
  { start: DATA_START + 30 * MINUTE, end: DATA_START + 50 * MINUTE, step: 7_000 },
];

function storeWithStaleness(): MemorySeries {
  const names = new Set(
    [
      ...buildAlerts().map((a) => a.expr),
      ...allPanels().flatMap(({ panel }) => panel.targets.map((t) => t.expr)),
    ].flatMap(promqlMetricNames),
  );
  names.add('up');
  names.add('redis_up');
  const store = new MemorySeries();
  generateSeries([...names].sort()).forEach((s, k) => {
    // Every third series goes stale at 40 % of its samples and comes back 10 minutes later.
    const staleAt = k % 3 === 0 ? Math.floor(s.t.length * 0.4) : -1;
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i] as number;
      if (i === staleAt) store.append(s.labels, t, STALE_NAN);
      else if (staleAt >= 0 && i > staleAt && t < (s.t[staleAt] as number) + 10 * MINUTE) continue;
      else store.append(s.labels, t, s.v[i] as number);
    }
  });
  return store;
}

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (err) {
    if (err instanceof PromqlError) return { error: err.errorType, message: err.message };
    throw err;
  }
}

test('range queries over columns equal the step-by-step evaluator on every expression', () => {
  const store = storeWithStaleness();
  const expressions = [
    ...new Set([...catalogueExpressions(), ...generatedExpressions(), ...randomExpressions(20261206, 300)]),
  ];
  const differ: string[] = [];
  let points = 0;
  for (const expr of expressions) {
    for (const r of RANGES) {
      const ours = outcome(() => rangeQuery(store, expr, r.start, r.end, r.step));
      const reference = outcome(() => stepwiseRangeQuery(store, expr, r.start, r.end, r.step));
      const same = (() => {
        try {
          assert.deepStrictEqual(ours, reference);
          return true;
        } catch {
          return false;
        }
      })();
      if (!same) differ.push(`${expr} (step ${r.step})`);
      const m = ours as { series?: Array<{ t: unknown[] }> };
      for (const s of m.series ?? []) points += s.t.length;
    }
  }
  assert.deepEqual(differ, []);
  assert.ok(points > 100_000, `the comparison covers data (${points} points)`);
});
