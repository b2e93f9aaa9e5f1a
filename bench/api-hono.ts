/**
 * The Prometheus API on Hono against the same API on node:http (the build before the console): both `redoubt up`s
 * watch the same redis-server at 1 s, then answer the same queries in turn (interleaved, so both see the same load
 * from the rest of the machine). Reports latency percentiles per query and RSS before and after, with ratios.
 *
 *   node --import tsx bench/api-hono.ts /path/to/older/bin/redoubt.js [rounds]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from '../test/support/children.ts';
import { startRedis } from '../test/support/redis-server.ts';
import { BIN } from '../test/support/redoubt.ts';
import { processCpuMs, processMemory } from './proc-stats.ts';
import { percentile, ratio, round } from './stats.ts';

interface Subject {
  name: string;
  pid: number;
  url: string;
  stop(): void;
}

async function start(name: string, bin: string, redis: string, dataDir: string): Promise<Subject> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'up',
      '--redis',
      redis,
      '--data-dir',
      dataDir,
      '--scrape-interval',
      '1s',
      '--web.listen-address',
      '127.0.0.1:0',
    ],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDOUBT_ADMIN_PASSWORD: 'bench-admin-password' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  trackChild(child);
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  for (let i = 0; i < 600; i++) {
    const m = /API on http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
    if (m) return { name, pid: child.pid ?? 0, url: `http://127.0.0.1:${m[1]}`, stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not start: ${err}`);
}

const QUERIES: Record<string, (now: number) => string> = {
  'query up': () => '/api/v1/query?query=up',
  'query_range rate 10m/15s': (now) =>
    `/api/v1/query_range?query=${encodeURIComponent('rate(redis_commands_processed_total[1m])')}&start=${now - 600}&end=${now}&step=15`,
  'series redis_up': () => '/api/v1/series?match[]=redis_up',
};

async function timed(url: string): Promise<number> {
  const t = performance.now();
  const r = await fetch(url);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return performance.now() - t;
}

async function main(): Promise<void> {
  const before = process.argv[2];
  const rounds = Number(process.argv[3] ?? 2000);
  if (!before) throw new Error('usage: bench/api-hono.ts /path/to/older/bin/redoubt.js [rounds]');
  const redis = await startRedis();
  const dirs = [mkdtempSync(join(tmpdir(), 'bench-api-a-')), mkdtempSync(join(tmpdir(), 'bench-api-b-'))];
  const subjects = [
    await start('node:http (before)', before, redis.url, dirs[0]),
    await start('Hono (after)', BIN, redis.url, dirs[1]),
  ];
  try {
    await new Promise((r) => setTimeout(r, 15_000)); // some history to query
    const idle = subjects.map((s) => processMemory(s.pid));
    const cpu0 = subjects.map((s) => processCpuMs(s.pid));
    const lat = subjects.map(() => new Map<string, number[]>(Object.keys(QUERIES).map((k) => [k, []])));
    for (let i = 0; i < rounds; i++) {
      const now = Math.floor(Date.now() / 1000);
      for (const [name, path] of Object.entries(QUERIES))
        for (let s = 0; s < subjects.length; s++) {
          const k = (i + s) % subjects.length; // alternate who goes first
          lat[k].get(name)?.push(await timed(`${subjects[k].url}${path(now)}`));
        }
    }
    const cpu = subjects.map((s, i) => processCpuMs(s.pid) - cpu0[i]);
    const loaded = subjects.map((s) => processMemory(s.pid));
    console.log(`rounds ${rounds}, one redis-server scraped every 1 s, requests sequential, keep-alive`);
    console.log('| measure | node:http (before) | Hono (after) | after / before |\n|---|---|---|---|');
    for (const name of Object.keys(QUERIES))
      for (const p of [50, 99]) {
        const a = percentile(lat[0].get(name) ?? [], p);
        const b = percentile(lat[1].get(name) ?? [], p);
        console.log(`| ${name} p${p} (ms) | ${round(a, 3)} | ${round(b, 3)} | ${round(ratio(b, a), 2)} |`);
      }
    console.log(
      `| CPU during the requests (ms) | ${round(cpu[0], 0)} | ${round(cpu[1], 0)} | ${round(ratio(cpu[1], cpu[0]), 2)} |`,
    );
    console.log(
      `| RSS idle (MB) | ${round(idle[0].rssMb, 1)} | ${round(idle[1].rssMb, 1)} | ${round(ratio(idle[1].rssMb, idle[0].rssMb), 2)} |`,
    );
    console.log(
      `| RSS after (MB) | ${round(loaded[0].rssMb, 1)} | ${round(loaded[1].rssMb, 1)} | ${round(ratio(loaded[1].rssMb, loaded[0].rssMb), 2)} |`,
    );
    console.log(
      `| peak RSS (MB) | ${round(loaded[0].peakRssMb, 1)} | ${round(loaded[1].peakRssMb, 1)} | ${round(ratio(loaded[1].peakRssMb, loaded[0].peakRssMb), 2)} |`,
    );
  } finally {
    for (const s of subjects) s.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
