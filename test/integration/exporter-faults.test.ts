import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A TCP server on a free loopback port that accepts connections and never answers; its port. */
async function blackhole(): Promise<number> {
  const sockets: Socket[] = [];
  const hole: Server = createServer((s) => {
    sockets.push(s);
  });
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', () => r()));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    hole.close();
  });
  return (hole.address() as { port: number }).port;
}

function up(body: string): number | undefined {
  return parseExposition(body).get('redis_up')?.samples[0].value;
}

test('redis-server killed and restarted while scraping: redis_up goes 0 then 1, the exporter keeps running', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const exp = await startExporter(['--redis.addr', redis.url, '--connection-timeout', '2s']);
  cleanups.push(() => exp.stop());
  assert.equal(up((await httpGet(`${exp.url}/metrics`)).body), 1);
  await redis.kill();
  const down = await httpGet(`${exp.url}/metrics`);
  assert.equal(up(down.body), 0);
  const f = parseExposition(down.body);
  assert.equal(f.get('redis_exporter_last_scrape_error')?.samples[0].value, 1);
  assert.notEqual(f.get('redis_exporter_last_scrape_error')?.samples[0].labels.err, '');
  assert.equal(f.get('redis_memory_used_bytes'), undefined, 'no stale values while down');
  await redis.restart();
  let value: number | undefined = 0;
  for (let i = 0; i < 100 && value !== 1; i++) {
    value = up((await httpGet(`${exp.url}/metrics`)).body);
    if (value !== 1) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(value, 1, 'redis_up returned to 1 after the restart');
  assert.equal(exp.hasExited(), false);
});

test('a blackholed target: the scrape ends by the Prometheus scrape timeout, not the connection timeout', async () => {
  const port = await blackhole();
  const exp = await startExporter([
    '--redis.addr',
    '',
    '--scrape.allow-any-target',
    '--connection-timeout',
    '60s',
    '--scrape-timeout',
    '60s',
  ]);
  cleanups.push(() => exp.stop());
  // If the deadline were ignored this would take 60 s and the 15 s client timeout would fail the test.
  const r = await httpGet(`${exp.url}/scrape?target=redis://127.0.0.1:${port}`, {
    headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1' },
    timeoutMs: 15000,
  });
  assert.equal(r.status, 200);
  assert.equal(up(r.body), 0);
  assert.match(parseExposition(r.body).get('redis_exporter_last_scrape_error')?.samples[0].labels.err ?? '', /did not/);
});

test('a blackholed target scraped twice at once: the scrape with the shorter deadline ends by its own', async () => {
  const port = await blackhole();
  // Allowlisted: a persistent target, whose scrapes share one snapshot.
  const exp = await startExporter([
    '--redis.addr',
    '',
    '--scrape.allowed-targets',
    `redis://127.0.0.1:${port}`,
    '--connection-timeout',
    '60s',
    '--scrape-timeout',
    '60s',
  ]);
  cleanups.push(() => exp.stop());
  const url = `${exp.url}/scrape?target=redis://127.0.0.1:${port}`;
  const order: string[] = [];
  const get = (seconds: string, name: string) =>
    httpGet(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': seconds }, timeoutMs: 30000 }).then((r) => {
      order.push(name);
      return r;
    });
  // The long scrape starts the snapshot; the short one joins it and must not wait for the long deadline.
  const long = get('4', 'long');
  await new Promise((r) => setTimeout(r, 100));
  const short = get('0.5', 'short');
  const [l, s] = await Promise.all([long, short]);
  assert.deepEqual(order, ['short', 'long']);
  for (const r of [l, s]) {
    assert.equal(r.status, 200);
    assert.equal(up(r.body), 0);
  }
  assert.match(
    parseExposition(s.body).get('redis_exporter_last_scrape_error')?.samples[0].labels.err ?? '',
    /did not answer the scrape within 0\.45s \(the limit set by --scrape-timeout\)/,
  );
});

for (const via of ['/metrics', '/scrape of an allowlisted target'] as const)
  test(`a request with a tiny scrape timeout does not cut short the scrape it shares, nor drop the connection (${via})`, async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const exp = await startExporter(
      via === '/metrics' ? ['--redis.addr', redis.url] : ['--redis.addr', '', '--scrape.allowed-targets', redis.url],
    );
    cleanups.push(() => exp.stop());
    const url = via === '/metrics' ? `${exp.url}/metrics` : `${exp.url}/scrape?target=${encodeURIComponent(redis.url)}`;
    assert.equal(up((await httpGet(url)).body), 1);
    const exporterClients = async () =>
      String(await redis.command('CLIENT', 'LIST'))
        .split('\n')
        .filter((l) => / name=redis_exporter /.test(l))
        .map((l) => /^id=(\d+)/.exec(l)?.[1]);
    const before = await exporterClients();
    assert.equal(before.length, 1);
    // Redis holds every reply for 800 ms; anyone may send the header Prometheus sends.
    await redis.command('CLIENT', 'PAUSE', '800', 'ALL');
    const hostile = httpGet(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '0.001' } });
    await new Promise((r) => setTimeout(r, 30));
    const prometheus = httpGet(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
    const [h, p] = await Promise.all([hostile, prometheus]);
    assert.equal(up(h.body), 0, 'the tiny deadline ends its own request');
    assert.match(
      parseExposition(h.body).get('redis_exporter_last_scrape_error')?.samples[0].labels.err ?? '',
      /--scrape-timeout/,
    );
    assert.equal(up(p.body), 1, "Prometheus's scrape, which joined it, waits for Redis by its own deadline");
    assert.deepEqual(await exporterClients(), before, 'the exporter kept its connection');
  });

test('a wrong password: redis_up 0 with an actionable error', async () => {
  const redis = await startRedis({ password: 'right-one' });
  cleanups.push(() => redis.stop());
  const exp = await startExporter(['--redis.addr', redis.url], { REDIS_PASSWORD: 'wrong-one' });
  cleanups.push(() => exp.stop());
  const r = await httpGet(`${exp.url}/metrics`);
  assert.equal(up(r.body), 0);
  const err = parseExposition(r.body).get('redis_exporter_last_scrape_error')?.samples[0].labels.err ?? '';
  assert.match(err, /WRONGPASS/);
  assert.doesNotMatch(r.body + exp.logs(), /wrong-one|right-one/);
});

test('50 concurrent scrapes all succeed and share snapshots', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const exp = await startExporter(['--redis.addr', redis.url]);
  cleanups.push(() => exp.stop());
  await httpGet(`${exp.url}/metrics`);
  const infoCalls = async () =>
    Number(/cmdstat_info:calls=(\d+)/.exec(String(await redis.command('INFO', 'commandstats')))?.[1] ?? 0);
  const before = await infoCalls();
  const results = await Promise.all(Array.from({ length: 50 }, () => httpGet(`${exp.url}/metrics`)));
  const afterCalls = await infoCalls();
  for (const r of results) {
    assert.equal(r.status, 200);
    assert.equal(up(r.body), 1);
  }
  const used = afterCalls - before - 1; // minus this test's own INFO
  assert.ok(used >= 1 && used < 50, `expected fewer INFO calls than scrapes, got ${used}`);
});
