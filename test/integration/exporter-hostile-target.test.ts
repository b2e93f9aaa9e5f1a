import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseExposition } from '../support/exposition-parse.ts';
import { startFakeListener } from '../support/fake-listener.ts';
import { httpGet } from '../support/http.ts';
import { startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a /scrape target streaming an endless reply: /health and /metrics answer meanwhile, then its socket is closed and not redialled', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const hostile = await startFakeListener('endless-bulk');
  cleanups.push(() => hostile.close());
  const hostileUrl = `redis://127.0.0.1:${hostile.port}`;
  const exp = await startExporter([
    '--redis.addr',
    redis.url,
    // Allowlisted: a persistent target, the kind that used to be redialled in the background.
    '--scrape.allowed-targets',
    `${redis.url},${hostileUrl}`,
    '--scrape-timeout',
    '10s',
    '--security-interval',
    '0',
  ]);
  cleanups.push(() => exp.stop());

  const scrape = httpGet(`${exp.url}/scrape?target=${encodeURIComponent(hostileUrl)}`, { timeoutMs: 60_000 });
  await until('the hostile reply to be streaming', () => hostile.sent() > 1024 * 1024);
  const health = await httpGet(`${exp.url}/health`, { timeoutMs: 60_000 });
  assert.equal(health.status, 200);
  assert.equal(health.body, 'ok');
  const metrics = await httpGet(`${exp.url}/metrics`, { timeoutMs: 60_000 });
  assert.equal(parseExposition(metrics.body).get('redis_up')?.samples[0].value, 1, 'the home target is scraped');
  const sentWhileAnswering = hostile.sent();
  assert.equal(hostile.open(), 1, 'the hostile reply was still streaming while both answered');

  const r = await scrape;
  assert.equal(r.status, 200);
  assert.equal(parseExposition(r.body).get('redis_up')?.samples[0].value, 0);
  assert.ok(hostile.sent() >= sentWhileAnswering);
  await until('the exporter to close the hostile socket', () => hostile.open() === 0);
  // No redial for a target nobody scrapes: the first reconnect would come 100 ms after the close (the backoff
  // starts there), and 1.5 s is many times that.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(hostile.connections(), 1, 'the failed target was not redialled in the background');
  const health2 = await httpGet(`${exp.url}/health`);
  assert.equal(health2.status, 200);
});
