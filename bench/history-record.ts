/**
 * Records what `redoubt up` scrapes from the bench's redis-servers: `up` runs at a 1 s interval for a while
 * (each server kept busy with a few commands, so counters and latency histograms move), then its store is read
 * back. The result is the snapshots bench/history.ts replays into both systems.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/monitor/store/store.ts';
import { isStaleNaN } from '../src/promql/types.ts';
import type { RedisServer } from '../test/support/redis-server.ts';
import { startUp } from '../test/support/redoubt-up.ts';
import type { RecordedSeries, Recording } from './history-samples.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A little traffic per server: SET, GET, INCR, LPUSH, LTRIM every 200 ms (replies read and dropped). */
function keepBusy(servers: readonly RedisServer[]): () => void {
  const sockets: Socket[] = servers.map((s) => {
    const sock = connect(s.port, '127.0.0.1');
    sock.on('data', () => {});
    sock.on('error', () => {});
    return sock;
  });
  const cmd = (...a: string[]) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
  let n = 0;
  const timer = setInterval(() => {
    n++;
    const batch =
      cmd('SET', `k${n % 50}`, 'x'.repeat(n % 200)) +
      cmd('GET', `k${(n * 7) % 50}`) +
      cmd('INCR', 'counter') +
      cmd('LPUSH', 'list', String(n)) +
      cmd('LTRIM', 'list', '0', '99');
    for (const s of sockets) s.write(batch);
  }, 200);
  return () => {
    clearInterval(timer);
    for (const s of sockets) s.destroy();
  };
}

/** `snapshots` scrapes of every server at 1 s, as `up` stores them (job and instance labels included). */
export async function recordSnapshots(servers: readonly RedisServer[], snapshots: number): Promise<Recording> {
  const dataDir = mkdtempSync(join(tmpdir(), 'redoubt-history-record-'));
  const stopTraffic = keepBusy(servers);
  try {
    const args = servers.flatMap((s) => ['--redis', s.url]);
    const up = await startUp([...args, '--data-dir', dataDir, '--scrape-interval', '1s']);
    const from = Date.now();
    await sleep((snapshots + 3) * 1000);
    await up.stop();
    const store = await openStore(join(dataDir, 'history'), { flushIntervalMs: 0 });
    try {
      const series: RecordedSeries[] = [];
      const all = store.select([{ name: '__name__', type: '=~', value: '.+' }], {
        start: from - 60_000,
        end: Date.now(),
      });
      for (const s of all) {
        const values: number[] = [];
        for (let i = 0; i < s.v.length; i++) if (!isStaleNaN(s.v[i]!)) values.push(s.v[i]!);
        if (values.length < snapshots / 2) continue; // a series that came and went: not a steady one
        while (values.length < snapshots) values.push(values[values.length - 1]!);
        series.push({ labels: s.labels, values: values.slice(values.length - snapshots) });
      }
      return { snapshots, series };
    } finally {
      await store.close();
    }
  } finally {
    stopTraffic();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
