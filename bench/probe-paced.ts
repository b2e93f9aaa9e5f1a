// Ad-hoc: one redoubt exporter scraped at a pace (own HTTP client, gzip, Prometheus's timeout header) against the
// bench data set; schedstat per thread group per scrape, RSS, and the exporter's stderr (for --trace-gc,
// --trace-deopt, --cpu-prof). Not part of npm run bench: for finding where a paced scrape's CPU goes.
// PACE=1 N=60 NODE_ARGS="--max-semi-space-size=1 --cpu-prof --cpu-prof-dir=/tmp/prof" ARGS="--security-interval=0"
//   node --import tsx bench/probe-paced.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startRedis } from '../test/support/redis-server.ts';
import { startExporter } from './exporters.ts';
import { ScrapeClient } from './http-scrape.ts';
import { populate } from './load.ts';
import { processMemory } from './proc-stats.ts';
import { RedisProbe, redisDelta } from './redis-probe.ts';
import { cpuByGroup, readThreads, total } from './schedstat.ts';

const pace = Number(process.env.PACE ?? 1);
const n = Number(process.env.N ?? 60);
const warm = Number(process.env.WARM ?? 5);
const nodeArgs = (process.env.NODE_ARGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean);
const args = (process.env.ARGS ?? '').split(' ').filter(Boolean);
const redis = await startRedis({ config: ['enable-debug-command local', 'slowlog-max-len 128', 'maxclients 10000'] });
const { idle } = await populate(redis.port, { keys: 50000, idleClients: 50 });
const probe = await RedisProbe.open(redis.port);
const ex = await startExporter('redoubt', redis.url, [], args, nodeArgs);
const c = new ScrapeClient(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scrape = async () => {
  await c.get(`${ex.url}/metrics`, { gzip: true });
};
for (let i = 0; i < warm; i++) {
  await scrape();
  await sleep(pace * 1000);
}
/** Voluntary context switches (sleeps: each is a wakeup later) per thread id. */
const switches = (pid: number) => {
  const out = new Map<number, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${t}/status`, 'latin1'));
    if (m) out.set(Number(t), Number(m[1]));
  }
  return out;
};
const windows = Number(process.env.WINDOWS ?? 1);
let next = Date.now();
for (let w = 0; w < windows; w++) {
  const s0 = switches(ex.pid);
  const t0 = readThreads(ex.pid);
  const r0 = await probe.sample();
  for (let i = 0; i < n; i++) {
    await scrape();
    next += pace * 1000;
    await sleep(Math.max(0, next - Date.now()));
  }
  const t1 = readThreads(ex.pid);
  const s1 = switches(ex.pid);
  const groups = cpuByGroup(ex.pid, t0, t1);
  const wakeups: Record<string, string> = {};
  const wk: Record<string, number> = {};
  for (const t of t1) {
    const g = t.tid === ex.pid ? 'main' : t.name === 'node' ? 'other' : t.name;
    wk[g] = (wk[g] ?? 0) + ((s1.get(t.tid) ?? 0) - (s0.get(t.tid) ?? 0)) / n;
  }
  for (const [g, v] of Object.entries(wk)) wakeups[g] = v.toFixed(2);
  const d = redisDelta(r0, await probe.sample());
  const per: Record<string, string> = {};
  for (const [g, ns] of Object.entries(groups)) if (ns > 0) per[g] = (ns / 1e6 / n).toFixed(2);
  const calls = Object.values(d.calls).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      window: w,
      pace,
      n,
      nodeArgs,
      args,
      cpuMsPerScrape: (total(groups) / 1e6 / n).toFixed(2),
      byThread: per,
      wakeupsPerScrape: wakeups,
      redisCallsPerScrape: (calls / n).toFixed(2),
      mem: processMemory(ex.pid),
    }),
  );
}
c.close();
await ex.stop();
if (process.env.LOG) writeFileSync(process.env.LOG, ex.logs());
probe.close();
for (const s of idle) s.destroy();
await redis.stop();
