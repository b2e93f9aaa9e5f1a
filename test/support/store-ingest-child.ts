/**
 * A store ingesting until it is killed: 400 series (one Redis exporter target) every 10 s of simulated time, a
 * flush every 5 scrapes, each flush reported on stdout as `flushed <last timestamp>` once it is on disk.
 * Usage: node --import tsx test/support/store-ingest-child.ts DIR BASE_MS
 */
import { openStore } from '../../src/monitor/store/store.ts';

const [dir, baseArg] = process.argv.slice(2);
const base = Number(baseArg);
const store = await openStore(dir!, { flushIntervalMs: 0, now: () => base + 24 * 3_600_000 });
const labels = Array.from({ length: 400 }, (_, i) => ({
  __name__: `m_${i % 40}`,
  instance: 'a:6379',
  job: 'redis',
  n: String(i),
}));
for (let k = 0; k < 100_000; k++) {
  const t = base + k * 10_000;
  for (let i = 0; i < labels.length; i++) store.append(labels[i]!, t, k * (i + 1));
  if (k % 5 === 4) {
    await store.flush();
    await new Promise<void>((resolve) => process.stdout.write(`flushed ${t}\n`, () => resolve()));
  }
}
