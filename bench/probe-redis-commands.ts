/**
 * What each command a scrape could send costs Redis, at a pace (not a test: nothing asserts on time).
 *
 *   PACE_MS=200 N=50 REPEATS=2 [ONLY=scrape,PING] [INTERLEAVE=1] node --import tsx bench/probe-redis-commands.ts
 *
 * One populated redis-server (the bench's data set). Each variant (a pipeline of commands on one persistent
 * connection, or a replay of one exporter's scrape as Redis sees it) runs N times, one every PACE_MS; variants run
 * one after another, REPEATS times, rotated. For each: Redis's command time per run from `INFO commandstats` (usec
 * deltas per command; `info` includes one INFO commandstats of the probe's, i.e. its µs ÷ N), and the Redis main
 * thread's CPU from /proc/<pid>/task/<pid>/schedstat (ns: commands, network, connections) across each run, median
 * over the runs (Redis is idle in between, so no idle rate has to be subtracted). With INTERLEAVE=1: one run of
 * each variant in turn, N rounds (CPU only). ONLY: the variants whose name contains one of these strings.
 */
import { readFileSync } from 'node:fs';
import { METRIC_CONFIG_KEYS } from '../src/redis/collect-snapshot.ts';
import { startRedis } from '../test/support/redis-server.ts';
import { populate } from './load.ts';
import { parseInfo } from './proc-stats.ts';
import { bulkString, type RespCommand, RespConnection, SCRAPE_COMMANDS, STEADY_CONFIG_KEYS } from './resp-floor.ts';

const PACE_MS = Number(process.env.PACE_MS ?? 200);
const N = Number(process.env.N ?? 50);
const REPEATS = Number(process.env.REPEATS ?? 2);
const SETTLE_MS = 5;

/** What Redis 7.0's INFO ALL prints, but latencystats (what redoubt asks between latencystats refreshes). */
const INFO_SECTIONS_BUT_LATENCYSTATS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'cluster',
  'keyspace',
];

type Variant = (port: number, conn: RespConnection) => Promise<void>;

/** One pipeline on the probe's persistent connection. */
const pipeline =
  (...commands: RespCommand[]): Variant =>
  async (_port, conn) => {
    await conn.call(commands);
  };

/** redis_exporter 1.45's scrape as Redis sees it: a new connection, one round trip per command, then closed. */
const redisExporterScrape: Variant = async (port) => {
  const c = await RespConnection.open(port);
  try {
    for (const cmd of [
      ['CLIENT', 'SETNAME', 'redis_exporter'],
      ['INFO', 'ALL'],
      ['CONFIG', 'GET', '*'],
      ['SLOWLOG', 'LEN'],
      ['SLOWLOG', 'GET', '1'],
      ['LATENCY', 'LATEST'],
    ])
      await c.call([cmd]);
  } finally {
    c.close();
  }
};

const VARIANTS: Record<string, Variant> = {
  'redoubt scrape (one pipeline)': pipeline(...SCRAPE_COMMANDS),
  'redoubt scrape before 2026-12-06 (8 CONFIG keys)': pipeline(
    ['INFO', 'ALL'],
    ['CONFIG', 'GET', ...METRIC_CONFIG_KEYS],
    ...SCRAPE_COMMANDS.slice(2),
  ),
  'redoubt scrape with --latency-percentiles-interval, between refreshes': pipeline(
    ['INFO', ...INFO_SECTIONS_BUT_LATENCYSTATS],
    ...SCRAPE_COMMANDS.slice(1),
  ),
  'redis_exporter scrape (replayed)': redisExporterScrape,
  'INFO ALL': pipeline(['INFO', 'ALL']),
  'INFO ALL after a PING (one pipeline)': pipeline(['PING'], ['INFO', 'ALL']),
  'INFO (default sections)': pipeline(['INFO']),
  'INFO latencystats': pipeline(['INFO', 'latencystats']),
  'INFO commandstats': pipeline(['INFO', 'commandstats']),
  'INFO, every section but latencystats': pipeline(['INFO', ...INFO_SECTIONS_BUT_LATENCYSTATS]),
  'CONFIG GET (the 3 keys asked every scrape)': pipeline(['CONFIG', 'GET', ...STEADY_CONFIG_KEYS]),
  'CONFIG GET (8 keys)': pipeline(['CONFIG', 'GET', ...METRIC_CONFIG_KEYS]),
  'CONFIG GET *': pipeline(['CONFIG', 'GET', '*']),
  'SLOWLOG LEN': pipeline(['SLOWLOG', 'LEN']),
  'SLOWLOG GET 1': pipeline(['SLOWLOG', 'GET', '1']),
  'LATENCY LATEST': pipeline(['LATENCY', 'LATEST']),
  PING: pipeline(['PING']),
};

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function threadNs(pid: number): number {
  const [run] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
  return Number(run);
}

function cmdstats(info: Map<string, string>): Map<string, { calls: number; usec: number }> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const [k, v] of info) {
    if (!k.startsWith('cmdstat_')) continue;
    const calls = Number(/(?:^|,)calls=(\d+)/.exec(v)?.[1] ?? 0);
    const usec = Number(/(?:^|,)usec=(\d+)/.exec(v)?.[1] ?? 0);
    out.set(k.slice(8), { calls, usec });
  }
  return out;
}

async function main(): Promise<void> {
  const redis = await startRedis({ config: ['enable-debug-command local', 'slowlog-max-len 128', 'maxclients 10000'] });
  const pid = redis.process.pid as number;
  const loaded = await populate(redis.port, { keys: 50000, idleClients: 50 });
  const conn = await RespConnection.open(redis.port);
  const probe = await RespConnection.open(redis.port);
  const sample = async () => cmdstats(parseInfo(bulkString((await probe.call([['INFO', 'commandstats']]))[0])));
  const results: Record<string, { usec: Record<string, number[]>; cpuUs: number[] }> = {};
  const only = process.env.ONLY?.split(',').filter(Boolean);
  const names = Object.keys(VARIANTS).filter((n) => !only || only.some((o) => n.includes(o)));
  // (REVERSE=1: the same variants in the opposite order, to see what a variant's place in a round does)
  if (process.env.REVERSE === '1') names.reverse();
  /** Redis main-thread CPU of one run: Redis is idle in between (see the file's comment). */
  const measure = async (name: string): Promise<number> => {
    const c0 = threadNs(pid);
    await VARIANTS[name](redis.port, conn);
    await sleep(SETTLE_MS);
    return (threadNs(pid) - c0) / 1000;
  };
  try {
    if (process.env.INTERLEAVE === '1') {
      // One run of each variant in turn, N times: the machine's load drifts alike for all of them.
      const perRun: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      for (let i = 0; i < N; i++)
        for (const name of names) {
          perRun[name].push(await measure(name));
          await sleep(Math.max(0, PACE_MS - SETTLE_MS));
        }
      console.log(`interleaved: ${N} runs of each, one run every ${PACE_MS} ms`);
      console.log('| variant | Redis main thread CPU µs per run: median (p25–p75) | mean of the middle half |');
      console.log('|---|---:|---:|');
      for (const name of names) {
        const xs = [...perRun[name]].sort((a, b) => a - b);
        const at = (p: number) => xs[Math.floor(p * (xs.length - 1))];
        const mid = xs.slice(Math.floor(xs.length / 4), Math.ceil((3 * xs.length) / 4));
        const mean = mid.reduce((a, b) => a + b, 0) / mid.length;
        console.log(
          `| ${name} | ${at(0.5).toFixed(0)} (${at(0.25).toFixed(0)}–${at(0.75).toFixed(0)}) | ${mean.toFixed(0)} |`,
        );
      }
      return;
    }
    for (let r = 0; r < REPEATS; r++) {
      for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
        const perRun: number[] = [];
        const before = await sample();
        for (let i = 0; i < N; i++) {
          // Redis's main thread is idle between runs: its CPU across one run (and 5 ms for it to finish, a
          // closed connection included) is the run's. A serverCron tick can land in that window; the median
          // over runs leaves those out.
          perRun.push(await measure(name));
          await sleep(Math.max(0, PACE_MS - SETTLE_MS));
        }
        const after = await sample();
        results[name] ??= { usec: {}, cpuUs: [] };
        const entry = results[name];
        entry.cpuUs.push(...perRun);
        for (const [cmd, a] of after) {
          const b = before.get(cmd) ?? { calls: 0, usec: 0 };
          // (the `after` sample's own INFO commandstats is counted under info: out of the calls, its µs stay in)
          const calls = a.calls - b.calls - (cmd === 'info' ? 1 : 0);
          if (calls <= 0) continue;
          entry.usec[cmd] ??= [];
          entry.usec[cmd].push((a.usec - b.usec) / N);
        }
        process.stderr.write(`${name}: ${JSON.stringify(entry.usec)} cpu median ${med(perRun).toFixed(0)} us\n`);
      }
    }
    console.log(`pace ${PACE_MS} ms, ${N} runs per window, ${REPEATS} windows per variant (median)`);
    console.log('| variant | commandstats µs per run | Redis main thread CPU µs per run: median (p25–p75) |');
    console.log('|---|---:|---:|');
    for (const name of names) {
      const e = results[name];
      const per = Object.entries(e.usec)
        .map(([c, xs]) => `${c} ${med(xs).toFixed(1)}`)
        .join(', ');
      const q = (p: number) => [...e.cpuUs].sort((a, b) => a - b)[Math.floor(p * (e.cpuUs.length - 1))].toFixed(0);
      console.log(`| ${name} | ${per} | ${med(e.cpuUs).toFixed(0)} (${q(0.25)}–${q(0.75)}) |`);
    }
  } finally {
    conn.close();
    probe.close();
    for (const s of loaded.idle) s.destroy();
    await redis.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
