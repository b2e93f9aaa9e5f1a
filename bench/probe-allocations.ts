// Ad-hoc: sampled allocations (incl. collected objects) per call site over N scrapes, in process.
import { Session } from 'node:inspector/promises';
import { startRedis } from '../test/support/redis-server.ts';
import { startExporter } from '../test/support/redoubt.ts';
import { ScrapeClient } from './http-scrape.ts';
import { populate } from './load.ts';

const n = Number(process.env.N ?? 2000);
const redis = await startRedis({ config: ['enable-debug-command yes', 'slowlog-max-len 128'] });
const { idle } = await populate(redis.port, { keys: 50000, idleClients: 50 });
const ex = await startExporter([`--redis.addr=redis://127.0.0.1:${redis.port}`]);
const c = new ScrapeClient(1);
for (let i = 0; i < 100; i++) await c.get(`${ex.url}/metrics`);
const s = new Session();
s.connect();
await s.post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
} as never);
for (let i = 0; i < n; i++) await c.get(`${ex.url}/metrics`, { gzip: process.env.GZ === '1' });
const { profile } = (await s.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
const self = new Map<string, number>();
const walk = (node: Node, stack: string[]) => {
  const cf = node.callFrame;
  const here = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  const st = [...stack, here];
  if (node.selfSize) {
    const key = st.slice(-3).join(' < ');
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
  }
  for (const ch of node.children) walk(ch, st);
};
walk(profile.head, []);
let total = 0;
for (const v of self.values()) total += v;
console.log(`sampled bytes per scrape ${(total / n / 1024).toFixed(1)} KB`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40))
  console.log(`${(v / n / 1024).toFixed(2).padStart(8)} KB  ${k.split(' < ').reverse().join(' < ')}`);
c.close();
await ex.stop();
for (const x of idle) x.destroy();
await redis.stop();
