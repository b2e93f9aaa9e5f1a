import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EXPORTER_ACL } from '../support/acl.ts';
import { parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function scrape(args: string[], env: NodeJS.ProcessEnv = {}) {
  const exp = await startExporter(args, env);
  cleanups.push(() => exp.stop());
  const r = await httpGet(`${exp.url}/metrics`);
  return { exp, body: r.body, f: parseExposition(r.body) };
}

function errorReplies(info: string): number {
  return Number(/total_error_replies:(\d+)/.exec(info)?.[1] ?? 0);
}

test('requirepass with special characters: URL-encoded, REDIS_PASSWORD, and password file', async () => {
  const pw = 'p@ss:w/rd#%?';
  const redis = await startRedis({ password: pw });
  cleanups.push(() => redis.stop());
  const viaUrl = await scrape(['--redis.addr', `redis://:${encodeURIComponent(pw)}@127.0.0.1:${redis.port}`]);
  assert.equal(viaUrl.f.get('redis_up')?.samples[0].value, 1);
  const viaEnv = await scrape(['--redis.addr', redis.url], { REDIS_PASSWORD: pw });
  assert.equal(viaEnv.f.get('redis_up')?.samples[0].value, 1);
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-pw-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pw.json'), JSON.stringify({ [redis.url]: pw }));
  const viaFile = await scrape(['--redis.addr', redis.url, '--redis.password-file', join(dir, 'pw.json')]);
  assert.equal(viaFile.f.get('redis_up')?.samples[0].value, 1);
});

test('an ACL user with the minimal exporter permissions scrapes every default family, without error replies', async () => {
  const redis = await startRedis({
    aclUsers: [`exporter on >exp-pw ${EXPORTER_ACL}`, 'default on nopass ~* &* +@all'],
  });
  cleanups.push(() => redis.stop());
  const { exp, f } = await scrape([
    '--redis.addr',
    redis.url,
    '--redis.user',
    'exporter',
    '--redis.password',
    'exp-pw',
  ]);
  assert.equal(f.get('redis_up')?.samples[0].value, 1);
  for (const name of ['redis_config_maxmemory', 'redis_slowlog_length', 'redis_memory_used_bytes', 'redis_db_keys'])
    assert.ok(f.get(name), `${name} is missing under the minimal ACL`);
  const before = errorReplies(String(await redis.command('INFO', 'stats')));
  for (let i = 0; i < 3; i++) await httpGet(`${exp.url}/metrics`);
  assert.equal(errorReplies(String(await redis.command('INFO', 'stats'))), before);
});

test('an ACL user without CONFIG: CONFIG is tried once per connection, values fall back to INFO', async () => {
  const redis = await startRedis({
    config: ['maxmemory 32mb'],
    aclUsers: [
      'limited on >lim-pw -@all +@connection +info +slowlog +latency +command|info',
      'default on nopass ~* &* +@all',
    ],
  });
  cleanups.push(() => redis.stop());
  const { exp, f } = await scrape(['--redis.addr', redis.url, '--redis.user', 'limited', '--redis.password', 'lim-pw']);
  assert.equal(f.get('redis_up')?.samples[0].value, 1);
  assert.equal(f.get('redis_memory_max_bytes')?.samples[0].value, 32 * 1024 * 1024);
  const before = errorReplies(String(await redis.command('INFO', 'stats')));
  for (let i = 0; i < 3; i++) await httpGet(`${exp.url}/metrics`);
  assert.equal(errorReplies(String(await redis.command('INFO', 'stats'))), before, 'no error reply per scrape');
});

test('CONFIG renamed: --config-command uses the new name; renamed away entirely costs no error replies', async () => {
  const renamed = await startRedis({ renameConfig: 'SECRETCONFIG', config: ['maxmemory 16mb'] });
  cleanups.push(() => renamed.stop());
  const a = await scrape(['--redis.addr', renamed.url, '--config-command', 'SECRETCONFIG']);
  assert.equal(a.f.get('redis_config_maxmemory')?.samples[0].value, 16 * 1024 * 1024);
  // Counted from before the exporter starts: its first scrape also starts the background security audit.
  const before = errorReplies(String(await renamed.command('INFO', 'stats')));
  const b = await scrape(['--redis.addr', renamed.url]);
  assert.equal(b.f.get('redis_up')?.samples[0].value, 1);
  let body = b.body;
  for (let i = 0; i < 50 && !/^redis_security_score /m.test(body); i++) {
    await new Promise((r) => setTimeout(r, 100));
    body = (await httpGet(`${b.exp.url}/metrics`)).body;
  }
  assert.match(body, /^redis_security_score /m, 'the security audit ran');
  for (let i = 0; i < 3; i++) await httpGet(`${b.exp.url}/metrics`);
  assert.equal(errorReplies(String(await renamed.command('INFO', 'stats'))), before, 'no error reply, audit included');
  assert.doesNotMatch(b.body + body, /SECRETCONFIG/, 'a renamed command name never appears in the output');
  const skip = await scrape(['--redis.addr', renamed.url, '--config-command=-']);
  assert.equal(skip.f.get('redis_up')?.samples[0].value, 1);
});

test('TLS: CA verification, client certificates, wrong CA refused, skip-verify', async () => {
  const redis = await startRedis({ tls: { authClients: 'yes' } });
  cleanups.push(() => redis.stop());
  const t = redis.tlsFiles!;
  const ok = await scrape([
    '--redis.addr',
    redis.url,
    '--tls-ca-cert-file',
    t.caCert,
    '--tls-client-cert-file',
    t.clientCert,
    '--tls-client-key-file',
    t.clientKey,
  ]);
  assert.equal(ok.f.get('redis_up')?.samples[0].value, 1);
  const wrongCa = await scrape([
    '--redis.addr',
    redis.url,
    '--tls-ca-cert-file',
    t.otherCaCert,
    '--tls-client-cert-file',
    t.clientCert,
    '--tls-client-key-file',
    t.clientKey,
  ]);
  assert.equal(wrongCa.f.get('redis_up')?.samples[0].value, 0);
  assert.match(wrongCa.f.get('redis_exporter_last_scrape_error')?.samples[0].labels.err ?? '', /TLS/);
  const skip = await scrape([
    '--redis.addr',
    redis.url,
    '--tls-ca-cert-file',
    t.otherCaCert,
    '--skip-tls-verification',
    '--tls-client-cert-file',
    t.clientCert,
    '--tls-client-key-file',
    t.clientKey,
  ]);
  assert.equal(skip.f.get('redis_up')?.samples[0].value, 1);
});

test('a master with a replica: replication families on both', async () => {
  const master = await startRedis();
  cleanups.push(() => master.stop());
  const replica = await startRedis({ replicaOf: master });
  cleanups.push(() => replica.stop());
  const m = await scrape(['--redis.addr', master.url]);
  assert.equal(m.f.get('redis_connected_slaves')?.samples[0].value, 1);
  assert.ok(m.f.get('redis_connected_slave_offset_bytes'));
  const r = await scrape(['--redis.addr', replica.url]);
  assert.equal(r.f.get('redis_master_link_up')?.samples[0].value, 1);
  assert.equal(r.f.get('redis_instance_info')?.samples[0].labels.role, 'slave');
});

test('unix socket target', async () => {
  const redis = await startRedis({ unixSocket: true });
  cleanups.push(() => redis.stop());
  const u = await scrape(['--redis.addr', redis.socketUrl!]);
  assert.equal(u.f.get('redis_up')?.samples[0].value, 1);
});

test('/scrape: allowlist refuses other targets, unix sockets are refused by default, missing target is 400', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const exp = await startExporter(['--redis.addr', '', '--scrape.allowed-targets', `127.0.0.1:${redis.port}`]);
  cleanups.push(() => exp.stop());
  const ok = await httpGet(`${exp.url}/scrape?target=${encodeURIComponent(redis.url)}`);
  assert.equal(ok.status, 200);
  assert.match(ok.body, /^redis_up 1$/m);
  const other = await httpGet(`${exp.url}/scrape?target=redis://127.0.0.1:1`);
  assert.equal(other.status, 403);
  const unix = await httpGet(`${exp.url}/scrape?target=unix:///var/run/redis.sock`);
  assert.equal(unix.status, 403);
  const none = await httpGet(`${exp.url}/scrape`);
  assert.equal(none.status, 400);
});

test('basic auth protects every endpoint', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const exp = await startExporter([
    '--redis.addr',
    redis.url,
    '--basic-auth-username',
    'prom',
    '--basic-auth-password',
    'pw',
  ]);
  cleanups.push(() => exp.stop());
  assert.equal((await httpGet(`${exp.url}/metrics`)).status, 401);
  assert.equal((await httpGet(`${exp.url}/health`)).status, 401);
  const auth = { Authorization: `Basic ${Buffer.from('prom:pw').toString('base64')}` };
  assert.equal((await httpGet(`${exp.url}/metrics`, { headers: auth })).status, 200);
});

test('the exporter itself over HTTPS, with client certificates required when a CA is given', async () => {
  const { generateTlsFiles } = await import('../support/tls.ts');
  const { request } = await import('node:https');
  const { readFileSync } = await import('node:fs');
  const files = await generateTlsFiles();
  cleanups.push(async () => files.cleanup());
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const exp = await startExporter([
    '--redis.addr',
    redis.url,
    '--tls-server-cert-file',
    files.serverCert,
    '--tls-server-key-file',
    files.serverKey,
    '--tls-server-ca-cert-file',
    files.caCert,
  ]);
  cleanups.push(() => exp.stop());
  const get = (withCert: boolean) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: exp.port,
          path: '/metrics',
          ca: readFileSync(files.caCert),
          cert: withCert ? readFileSync(files.clientCert) : undefined,
          key: withCert ? readFileSync(files.clientKey) : undefined,
        },
        (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const ok = await get(true);
  assert.equal(ok.status, 200);
  assert.match(ok.body, /^redis_up 1$/m);
  await assert.rejects(get(false), 'a client without a certificate is refused');
});

test('/scrape honours check-keys overrides (when allowed, within --check-keys) and rejects a malformed one with 400', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  await redis.command('SET', 'jobs:1', '42');
  await redis.command('RPUSH', 'queue:mail', 'a', 'b', 'c');
  const exp = await startExporter([
    '--redis.addr',
    redis.url,
    '--scrape.allow-query-key-checks',
    '--check-keys',
    'db0=jobs:*,db0=queue:*,db0=other:*',
  ]);
  cleanups.push(() => exp.stop());
  const target = encodeURIComponent(redis.url);
  const r = await httpGet(`${exp.url}/scrape?target=${target}&check-keys=${encodeURIComponent('db0=jobs:*,queue:*')}`);
  const f = parseExposition(r.body);
  assert.equal(f.get('redis_key_value')?.samples.find((s) => s.labels.key === 'jobs:1')?.value, 42);
  assert.equal(f.get('redis_key_size')?.samples.find((s) => s.labels.key === 'queue:mail')?.value, 3);
  const bad = await httpGet(`${exp.url}/scrape?target=${target}&check-keys=${encodeURIComponent('dbX=foo')}`);
  assert.equal(bad.status, 400);
});
