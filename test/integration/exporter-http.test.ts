import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { promtoolCheckMetrics, promtoolParsed } from '../support/promtool.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningExporter, startExporter } from '../support/redoubt.ts';

let redis: RedisServer;
let exp: RunningExporter;

before(async () => {
  redis = await startRedis({ config: ['maxmemory 64mb'] });
  await redis.command('SET', 'a', '1');
  await redis.command('GET', 'a');
  await redis.command('GET', 'missing');
  exp = await startExporter(['--redis.addr', redis.url]);
});

after(async () => {
  await exp?.stop();
  await redis?.stop();
});

test('/metrics answers redis_up 1 with INFO, CONFIG, self and process families', async () => {
  const r = await httpGet(`${exp.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const f = parseExposition(r.body);
  assert.equal(f.get('redis_up')?.samples[0].value, 1);
  assert.equal(f.get('redis_memory_max_bytes')?.samples[0].value, 64 * 1024 * 1024);
  assert.equal(f.get('redis_config_maxmemory')?.samples[0].value, 64 * 1024 * 1024);
  assert.ok((f.get('redis_keyspace_hits_total')?.samples[0].value ?? 0) >= 1);
  assert.ok((f.get('redis_keyspace_misses_total')?.samples[0].value ?? 0) >= 1);
  assert.equal(f.get('redis_db_keys')?.samples.find((s) => s.labels.db === 'db0')?.value, 1);
  assert.equal(f.get('redis_exporter_last_scrape_error')?.samples[0].labels.err, '');
  assert.equal(f.get('redis_exporter_scrapes_total')?.type, 'counter');
  assert.ok(f.get('process_resident_memory_bytes'));
  assert.ok(f.get('redis_exporter_build_info'));
  const role = f.get('redis_instance_info')?.samples[0].labels.role;
  assert.equal(role, 'master');
});

test('promtool parses the text output (lint findings on redis_exporter names are acceptable)', async () => {
  const r = await httpGet(`${exp.url}/metrics`);
  const check = await promtoolCheckMetrics(r.body);
  assert.ok(promtoolParsed(check), `promtool could not parse the output: ${check.stderr}${check.stdout}`);
});

test('OpenMetrics is served when Prometheus asks for it', async () => {
  const r = await httpGet(`${exp.url}/metrics`, {
    headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
  });
  assert.match(r.headers.get('content-type') ?? '', /^application\/openmetrics-text; version=1\.0\.0/);
  assert.ok(r.body.endsWith('# EOF\n'));
  assert.match(r.body, /^redis_commands_total\{cmd="get"\} \d+/m);
});

test('gzip when asked', async () => {
  const res = await fetch(`${exp.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  // fetch decodes transparently; check the raw bytes too via a second request without auto-decoding
  const raw = await new Promise<Buffer>((resolve, reject) => {
    import('node:http').then(({ get }) => {
      get(`${exp.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
  });
  assert.match(gunzipSync(raw).toString(), /^redis_up 1$/m);
});

test('/health, / and 404 for unknown paths', async () => {
  const h = await httpGet(`${exp.url}/health`);
  assert.equal(h.status, 200);
  assert.equal(h.body, 'ok');
  const idx = await httpGet(`${exp.url}/`);
  assert.equal(idx.status, 200);
  assert.match(idx.body, /\/metrics/);
  const nf = await httpGet(`${exp.url}/nope`);
  assert.equal(nf.status, 404);
});

test('a request target that is no URL (//, //:x) is answered 400, not 500 with an error logged', async () => {
  const { request } = await import('node:http');
  for (const path of ['//', '//:x', '//a:99999/metrics']) {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${exp.url}/`, { path }, (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 400, path);
  }
  assert.doesNotMatch(exp.logs(), /request failed|Invalid URL/);
  assert.equal((await httpGet(`${exp.url}/health`)).status, 200);
});

test('a snapshot is one pipelined round trip on one persistent connection', async () => {
  const clientsBefore = Number(/connected_clients:(\d+)/.exec(String(await redis.command('INFO', 'clients')))?.[1]);
  const receivedBefore = Number(
    /total_connections_received:(\d+)/.exec(String(await redis.command('INFO', 'stats')))?.[1],
  );
  for (let i = 0; i < 5; i++) await httpGet(`${exp.url}/metrics`);
  const receivedAfter = Number(
    /total_connections_received:(\d+)/.exec(String(await redis.command('INFO', 'stats')))?.[1],
  );
  // Only the two INFO probes of this test itself connect; the exporter reuses its connection.
  assert.equal(receivedAfter - receivedBefore, 1);
  const list = String(await redis.command('CLIENT', 'LIST'));
  assert.equal(list.split('\n').filter((l) => l.includes('name=redis_exporter')).length, 1);
  assert.ok(clientsBefore >= 1);
  const stats = String(await redis.command('INFO', 'commandstats'));
  assert.doesNotMatch(stats, /cmdstat_keys:/, 'KEYS must never be sent');
  // The slowlog records every command's arguments at threshold 0: CONFIG GET asks for named keys, never `*`.
  await redis.command('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await redis.command('SLOWLOG', 'RESET');
  await httpGet(`${exp.url}/metrics`);
  await redis.command('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  const entries = (await redis.command('SLOWLOG', 'GET', '128')) as unknown[][];
  const configGets = entries.map((e) => (e[3] as string[]).map(String)).filter((a) => /^config$/i.test(a[0]));
  assert.ok(
    configGets.some((a) => a.includes('protected-mode')),
    'the scrape sent CONFIG GET with named keys',
  );
  assert.ok(!configGets.some((a) => a.includes('*')), 'CONFIG GET * is never sent');
});
