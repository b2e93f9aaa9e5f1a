/**
 * The history store's cost, not a test (nothing asserts on time): N targets × 400 series (the shape of one
 * Redis exporter's output), one sample per series every 10 s of simulated time over H hours, ingested at full
 * speed with a flush every 30 s of simulated time (as `redoubt up` flushes), then a 24 h select of every series.
 *
 *   node --import tsx bench/store.ts [--targets 20] [--hours 24] [--keep]
 *
 * Prints ingest CPU per sample (user+system, flushes and block writes included), bytes on disk per sample, RSS
 * (current and peak) and the select's time and CPU, as a table and one line of JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/monitor/store/store.ts';
import { processMemory } from './proc-stats.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '20' },
    hours: { type: 'string', default: '24' },
    keep: { type: 'boolean', default: false },
  },
});
const TARGETS = Number(values.targets);
const HOURS = Number(values.hours);
const SERIES = 400;
const STEP = 10_000;
const HOUR = 3_600_000;
const start = Math.floor(Date.now() / HOUR) * HOUR - HOURS * HOUR;

/**
 * A Redis exporter's series: a third constant (config, version info), a third integer counters (commands,
 * bytes), a third integer gauges (memory, clients, keys), and every tenth a float gauge (ratios, seconds).
 */
function seriesOf(target: number) {
  return Array.from({ length: SERIES }, (_, i) => {
    const kind = i % 10 === 9 ? 3 : i % 3;
    return {
      labels: {
        __name__: `redis_metric_${i % 97}${kind === 1 ? '_total' : ''}`,
        instance: `10.0.${target >> 8}.${target & 255}:6379`,
        job: 'redis',
        ...(i >= 97 ? { cmd: `cmd${i}` } : {}),
      },
      kind,
      value: kind === 0 ? 1e6 + i : 0,
    };
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-store-bench-'));
  const end = start + HOURS * HOUR;
  const store = await openStore(join(dir, 'data'), { flushIntervalMs: 0, now: () => end });
  const targets = Array.from({ length: TARGETS }, (_, t) => seriesOf(t));
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let samples = 0;
  for (let t = start; t < end; t += STEP) {
    for (const series of targets)
      for (const s of series) {
        if (s.kind === 1) s.value += Math.floor(rand() * 50);
        else if (s.kind === 2) s.value += Math.floor(rand() * 200) - 100;
        else if (s.kind === 3) s.value = rand();
        store.append(s.labels, t, s.value);
        samples++;
      }
    if ((t - start) % 30_000 === 20_000) await store.flush();
  }
  await store.flush();
  const ingestCpu = process.cpuUsage(cpu0);
  const ingestWall = performance.now() - wall0;
  const stats = store.stats();
  const memAfterIngest = processMemory(process.pid);
  const heap = process.memoryUsage();

  const cpu1 = process.cpuUsage();
  const wall1 = performance.now();
  let selected = 0;
  let seriesSeen = 0;
  for (const s of store.select([{ name: '__name__', type: '=~', value: '.+' }], { start: end - 24 * HOUR, end })) {
    selected += s.t.length;
    seriesSeen++;
  }
  const selectCpu = process.cpuUsage(cpu1);
  const selectWall = performance.now() - wall1;
  const memAfterSelect = processMemory(process.pid);
  await store.close();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });

  const result = {
    targets: TARGETS,
    series: stats.series,
    hours: HOURS,
    samples,
    ingestCpuUsPerSample: (ingestCpu.user + ingestCpu.system) / samples,
    ingestWallS: ingestWall / 1000,
    bytesOnDisk: stats.bytesOnDisk,
    bytesPerSample: stats.bytesOnDisk / samples,
    blocks: stats.blocks,
    bytesByKind: stats.bytesByKind,
    rawBlockBytesPerSample: stats.bytesByKind.raw / stats.samplesInBlocks,
    rssMbAfterIngest: memAfterIngest.rssMb,
    heapUsedMbAfterIngest: heap.heapUsed / 2 ** 20,
    arrayBuffersMbAfterIngest: heap.arrayBuffers / 2 ** 20,
    peakRssMb: memAfterSelect.peakRssMb,
    select24h: {
      series: seriesSeen,
      samples: selected,
      wallS: selectWall / 1000,
      cpuS: (selectCpu.user + selectCpu.system) / 1e6,
    },
    node: process.version,
  };
  const rows: [string, string][] = [
    ['series × samples', `${stats.series} × ${HOURS} h @ 10 s = ${samples} samples`],
    ['ingest CPU per sample', `${result.ingestCpuUsPerSample.toFixed(2)} µs (wall ${result.ingestWallS.toFixed(1)} s)`],
    ['bytes on disk per sample', `${result.bytesPerSample.toFixed(3)} B (${(stats.bytesOnDisk / 1e6).toFixed(1)} MB)`],
    ['  raw blocks alone', `${result.rawBlockBytesPerSample.toFixed(3)} B per sample in them`],
    [
      '  by kind (MB)',
      Object.entries(stats.bytesByKind)
        .map(([k, b]) => `${k} ${(b / 1e6).toFixed(1)}`)
        .join(', '),
    ],
    [
      'RSS after ingest / peak',
      `${memAfterIngest.rssMb.toFixed(0)} MB / ${memAfterSelect.peakRssMb.toFixed(0)} MB (JS heap ${result.heapUsedMbAfterIngest.toFixed(0)} MB, buffers ${result.arrayBuffersMbAfterIngest.toFixed(0)} MB)`,
    ],
    [
      '24 h select, all series',
      `${seriesSeen} series, ${selected} samples, ${result.select24h.wallS.toFixed(2)} s wall, ${result.select24h.cpuS.toFixed(2)} s CPU`,
    ],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(28)} ${v}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
