/**
 * Every dashboard panel's query_range over a history directory, in this process (no HTTP), for profiling the
 * store and the engine (`node --cpu-prof --import tsx bench/history-queries.ts DIR [STEP_S] [HOURS]`). Prints
 * each panel's wall time and series, slowest first.
 */

import { allPanels } from '../src/catalog/panels.ts';
import { openStore } from '../src/monitor/store/store.ts';
import { rangeQuery } from '../src/promql/engine.ts';
import { substituteGrafana } from '../test/support/promql-expressions.ts';

const [dir, stepArg = '60', hoursArg = '24'] = process.argv.slice(2);
const store = await openStore(dir!, { flushIntervalMs: 0 });
const stats = store.stats();
const step = Number(stepArg) * 1000;
const end = Math.floor(Date.now() / step) * step;
const start = end - Number(hoursArg) * 3_600_000;
const rows: Array<{ panel: string; ms: number; series: number }> = [];
for (const { panel } of allPanels())
  for (const t of panel.targets) {
    const t0 = performance.now();
    const r = rangeQuery(store, substituteGrafana(t.expr), start, end, step);
    rows.push({ panel: panel.title, ms: performance.now() - t0, series: r.series.length });
  }
rows.sort((a, b) => b.ms - a.ms);
for (const r of rows)
  process.stdout.write(`${r.ms.toFixed(1).padStart(9)} ms ${String(r.series).padStart(5)}  ${r.panel}\n`);
process.stdout.write(
  `total ${rows.reduce((a, r) => a + r.ms, 0).toFixed(0)} ms; series ${stats.series}; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`,
);
await store.close();
