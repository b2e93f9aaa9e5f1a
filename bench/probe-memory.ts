// Ad-hoc: RSS/CPU of a redoubt exporter over N scrapes against the bench data set. Not part of npm run bench.
import { startRedis } from '../test/support/redis-server.ts';
import { startExporter } from './exporters.ts';
import { ScrapeClient } from './http-scrape.ts';
import { populate } from './load.ts';
import { processCpuMs, processMemory } from './proc-stats.ts';

const n = Number(process.env.N ?? 3000);
const redis = await startRedis({ config: ['enable-debug-command yes', 'slowlog-max-len 128'] });
const { idle } = await populate(redis.port, { keys: 50000, idleClients: 50 } as never);
const ex = await startExporter('redoubt', `redis://127.0.0.1:${redis.port}`);
const c = new ScrapeClient(1);
const show = (label: string) => {
  const m = processMemory(ex.pid);
  console.log(label, JSON.stringify(m));
};
show('idle');
for (let i = 0; i < 50; i++) await c.get(`${ex.url}/metrics`);
show('after 50');
const cpu0 = processCpuMs(ex.pid);
const lat: number[] = [];
for (let i = 0; i < n; i++) lat.push((await c.get(`${ex.url}/metrics`, { gzip: process.env.GZ === '1' })).ms);
const cpu = (processCpuMs(ex.pid) - cpu0) / n;
lat.sort((a, b) => a - b);
show(`after ${n}`);
console.log(
  `cpu ms/scrape ${cpu.toFixed(3)} p50 ${lat[Math.floor(n / 2)].toFixed(3)} p99 ${lat[Math.floor(n * 0.99)].toFixed(3)}`,
);
if (process.env.SHOWLOG)
  console.log(
    ex
      .logs()
      .split('\n')
      .filter((l) => /Mark-Compact|Scavenge/.test(l))
      .slice(-Number(process.env.SHOWLOG))
      .join('\n'),
  );
c.close();
await ex.stop();
for (const s of idle) s.destroy();
await redis.stop();
