import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAlerts } from '../../src/catalog/alerts.ts';
import { allPanels } from '../../src/catalog/panels.ts';
import { promqlMetricNames } from '../../src/catalog/promql-names.ts';
import { instantQuery, rangeQuery } from '../../src/promql/engine.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';
import { promApi, startBackfilledPrometheus } from '../support/prom-backfill.ts';
import type { Daemon } from '../support/prom-stack.ts';
import { compareNormal, normalProm, normalRedoubt, pointCount } from '../support/promql-compare.ts';
import { catalogueExpressions, generatedExpressions, keepsOrder } from '../support/promql-expressions.ts';
import { randomExpressions } from '../support/promql-random.ts';
import { DATA_END, DATA_START, generateSeries, toOpenMetrics } from '../support/promql-series.ts';

/**
 * The engine against Debian's Prometheus 2.42 on the same data: series generated for every metric the catalogue
 * selects are backfilled into Prometheus (promtool tsdb create-blocks-from openmetrics) and loaded into a
 * MemorySeries; every catalogue rule and panel query, a hand-written set over the supported grammar and seeded random
 * expressions (test/support/promql-random.ts) are asked of
 * both, as instant queries at six times (on the scrape grid, between scrapes, inside and past the lookback after
 * a target stopped, past the end of the data) and as two range queries (a 60 s step, and a 37 s step off the
 * grid). Results must agree: the same series and timestamps, values within a relative 1e-9, errors of the same
 * type. Backfilled data has no staleness markers; staleness is covered by the unit tests.
 */

const MINUTE = 60_000;
/** The random expressions: explore with PROMQL_DIFF_SEED/PROMQL_DIFF_COUNT; keep what fails as a hand-written case. */
const RANDOM_SEED = Number(process.env.PROMQL_DIFF_SEED ?? 20231205);
const RANDOM_COUNT = Number(process.env.PROMQL_DIFF_COUNT ?? 250);
const INSTANT_TIMES = [
  DATA_START + 10 * MINUTE,
  DATA_START + 60 * MINUTE + 7000,
  DATA_START + 122 * MINUTE,
  DATA_START + 126 * MINUTE,
  DATA_END,
  DATA_END + 4 * MINUTE,
];
const RANGES = [
  { start: DATA_START + 5 * MINUTE, end: DATA_END + 5 * MINUTE, step: 60_000 },
  { start: DATA_START + 60 * MINUTE, end: DATA_START + 150 * MINUTE, step: 37_000 },
];

function catalogueMetricNames(): string[] {
  const exprs = [
    ...buildAlerts().map((a) => a.expr),
    ...allPanels().flatMap(({ panel }) => panel.targets.map((t) => t.expr)),
  ];
  const names = new Set(exprs.flatMap(promqlMetricNames));
  for (const generated of ['up', 'redis_up']) names.add(generated);
  return [...names].sort();
}

interface Tally {
  expressions: number;
  matched: number;
  queries: number;
  points: number;
  errorsOnBoth: number;
  mismatches: string[];
}

describe('PromQL differential: redoubt against Prometheus 2.42 on the same data', () => {
  let dir: string;
  let prom: Daemon;
  const store = new MemorySeries();
  const tally: Tally = { expressions: 0, matched: 0, queries: 0, points: 0, errorsOnBoth: 0, mismatches: [] };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redoubt-promql-diff-'));
    const series = generateSeries(catalogueMetricNames());
    for (const s of series) {
      for (let i = 0; i < s.t.length; i++) store.append(s.labels, s.t[i] as number, s.v[i] as number);
    }
    prom = await startBackfilledPrometheus(dir, toOpenMetrics(series));
  });

  after(async () => {
    await prom?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function differences(expr: string): Promise<string[]> {
    const out: string[] = [];
    const order = keepsOrder(expr);
    for (const t of INSTANT_TIMES) {
      const theirs = normalProm(await promApi(prom, 'query', { query: expr, time: String(t / 1000) }), order);
      const ours = normalRedoubt(() => instantQuery(store, expr, t), order);
      tally.queries++;
      tally.points += pointCount(theirs);
      if (theirs.kind === 'error' && ours.kind === 'error') tally.errorsOnBoth++;
      const diff = compareNormal(theirs, ours);
      if (diff) out.push(`instant at ${t}: ${diff}`);
    }
    for (const r of RANGES) {
      const params = {
        query: expr,
        start: String(r.start / 1000),
        end: String(r.end / 1000),
        step: String(r.step / 1000),
      };
      const theirs = normalProm(await promApi(prom, 'query_range', params));
      const ours = normalRedoubt(() => rangeQuery(store, expr, r.start, r.end, r.step));
      tally.queries++;
      tally.points += pointCount(theirs);
      if (theirs.kind === 'error' && ours.kind === 'error') tally.errorsOnBoth++;
      const diff = compareNormal(theirs, ours);
      if (diff) out.push(`range step ${r.step}: ${diff}`);
    }
    return out;
  }

  const expressions = [
    ...new Set([...catalogueExpressions(), ...generatedExpressions(), ...randomExpressions(RANDOM_SEED, RANDOM_COUNT)]),
  ];
  for (const expr of expressions) {
    test(expr.replaceAll('\n', ' '), async () => {
      const diffs = await differences(expr);
      tally.expressions++;
      if (diffs.length === 0) tally.matched++;
      else tally.mismatches.push(`${expr.replaceAll('\n', ' ')}: ${diffs[0]}`);
      assert.deepEqual(diffs, []);
    });
  }

  test('summary: every expression agrees', () => {
    const line = `${tally.matched}/${tally.expressions} expressions agree over ${tally.queries} queries (${tally.points} points from Prometheus, ${tally.errorsOnBoth} errors on both sides)`;
    console.log(`promql differential: ${line}`);
    assert.equal(tally.expressions, expressions.length);
    assert.ok(tally.points > 100_000, `the comparisons cover data (${tally.points} points)`);
    assert.deepEqual(tally.mismatches, [], line);
  });
});
