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

/**
 * A hostile Redis whose reply never ends. Without RESP parser limits the reply is read until the scrape gives up
 * (the stream is paced, so that is bounded here); with them the exporter drops the socket as soon as a limit is
 * passed. Either way /health and the home target's /metrics answer, the socket is closed, and the target, which
 * nobody scrapes any more, is not dialled again.
 */
for (const mode of ['endless-bulk', 'endless-line'] as const)
  test(`a /scrape target streaming an endless reply (${mode}): /health and /metrics answer, then its socket is closed and not redialled`, async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const hostile = await startFakeListener(mode);
    cleanups.push(() => hostile.close());
    const hostileUrl = `redis://127.0.0.1:${hostile.port}`;
    const exp = await startExporter([
      '--redis.addr',
      redis.url,
      // Allowlisted: a persistent target, the kind that used to be redialled in the background.
      '--scrape.allowed-targets',
      `${redis.url},${hostileUrl}`,
      '--scrape-timeout',
      '4s',
      '--security-interval',
      '0',
    ]);
    cleanups.push(() => exp.stop());

    const scrape = httpGet(`${exp.url}/scrape?target=${encodeURIComponent(hostileUrl)}`, { timeoutMs: 60_000 });
    // Streaming has begun, or the exporter has already dropped the socket (a parser limit).
    await until(
      'the hostile reply to start',
      () => hostile.sent() > 256 * 1024 || (hostile.connections() > 0 && hostile.open() === 0),
    );
    const health = await httpGet(`${exp.url}/health`, { timeoutMs: 60_000 });
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok');
    const metrics = await httpGet(`${exp.url}/metrics`, { timeoutMs: 60_000 });
    assert.equal(parseExposition(metrics.body).get('redis_up')?.samples[0].value, 1, 'the home target is scraped');

    const r = await scrape;
    assert.equal(r.status, 200);
    assert.equal(parseExposition(r.body).get('redis_up')?.samples[0].value, 0);
    await until('the exporter to close the hostile socket', () => hostile.open() === 0);
    // No redial for a target nobody scrapes: a reconnect would come 100 ms after the close (where the backoff
    // starts), and 1.5 s is many times that.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(hostile.connections(), 1, 'the failed target was not redialled in the background');
    assert.equal((await httpGet(`${exp.url}/health`)).status, 200);
  });
