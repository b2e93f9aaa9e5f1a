/**
 * Child process of bench/history.ts: ingests the replayed history into a fresh history store (the store `redoubt
 * up` opens in `<data-dir>/history`) at full speed, sample after sample in scrape order, flushing every 30 s of
 * simulated time as `up`'s flush timer would. Prints one JSON line: CPU and wall time of the ingest, RSS after it.
 *
 *   node --import tsx bench/history-ingest-redoubt.ts RECORDING.json DATA_DIR START_MS INTERVAL_MS STEPS
 *
 * bench/history.ts runs it bundled by esbuild under plain node, as `up` runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/monitor/store/store.ts';
import type { Labels } from '../src/promql/types.ts';
import { type Recording, replaySeries, valueAt } from './history-samples.ts';
import { processMemory } from './proc-stats.ts';

const [recordingPath, dataDir, startArg, intervalArg, stepsArg] = process.argv.slice(2);
const start = Number(startArg);
const intervalMs = Number(intervalArg);
const steps = Number(stepsArg);
// Labels as the scrape path hands them to the store: one frozen object per series, the same one every scrape.
// The parsed recording is dropped once the replay arrays are built (it is the bench's, not the store's).
function loadSeries() {
  const rec = JSON.parse(readFileSync(recordingPath!, 'utf8')) as Recording;
  return replaySeries({
    snapshots: rec.snapshots,
    series: rec.series.map((s) => ({ labels: Object.freeze({ ...s.labels }) as Labels, values: s.values })),
  });
}
const series = loadSeries();
const flushEvery = Math.max(1, Math.round(30_000 / intervalMs));

const store = await openStore(join(dataDir!, 'history'), { flushIntervalMs: 0 });
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let samples = 0;
for (let step = 0; step < steps; step++) {
  const t = start + step * intervalMs;
  for (const s of series) store.append(s.labels, t, valueAt(s, step));
  samples += series.length;
  if ((step + 1) % flushEvery === 0) await store.flush();
}
await store.flush();
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - wall0;
const mem = processMemory(process.pid);
const stats = store.stats();
if (process.env.HISTORY_HEAP_SNAPSHOT) (await import('node:v8')).writeHeapSnapshot(process.env.HISTORY_HEAP_SNAPSHOT);
await store.close();
process.stdout.write(
  `${JSON.stringify({
    samples,
    series: series.length,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    rssMb: mem.rssMb,
    peakRssMb: mem.peakRssMb,
    memoryUsageMb: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, v / 2 ** 20])),
    stats,
  })}\n`,
);
