import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { httpGet } from '../support/http.ts';
import { startPeerExporter } from '../support/peer-exporter.ts';
import { promtoolCheckMetrics, promtoolParsed } from '../support/promtool.ts';
import { type RedisServer, type RedisServerOptions, startRedis } from '../support/redis-server.ts';
import { respCommand } from '../support/resp.ts';

const PASSWORD = 'p@ss:w/rd#%?"\\ x';
const started: Array<{ stop(): Promise<void> }> = [];
after(async () => {
  for (const s of started.reverse()) await s.stop();
});
async function redis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const s = await startRedis(options);
  started.push(s);
  return s;
}

describe('startRedis', () => {
  test('password with quotes, backslash, space and URL specials reaches requirepass intact', async () => {
    const s = await redis({ password: PASSWORD });
    assert.equal(s.url, `redis://127.0.0.1:${s.port}`);
    assert.equal(await s.command('PING'), 'PONG');
    await assert.rejects(respCommand({ port: s.port }, 'PING'), /NOAUTH/);
    await assert.rejects(respCommand({ port: s.port, password: 'wrong' }, 'PING'), /WRONGPASS/);
  });

  test('ACL users alongside a default-user password; renamed CONFIG; unix socket', async () => {
    const s = await redis({
      password: PASSWORD,
      aclUsers: ['reader on >r3ad ~* +@read +ping', 'user limited on >l1m +@all -config'],
      renameConfig: 'cfg-x',
      unixSocket: { perm: '770' },
    });
    assert.equal(await respCommand({ port: s.port, username: 'reader', password: 'r3ad' }, 'PING'), 'PONG');
    await assert.rejects(
      respCommand({ port: s.port, username: 'limited', password: 'l1m' }, 'CONFIG', 'GET', 'port'),
      /NOPERM|unknown command/,
    );
    assert.deepEqual(await s.command('cfg-x', 'GET', 'maxmemory'), ['maxmemory', '0']);
    await assert.rejects(s.command('CONFIG', 'GET', 'maxmemory'), /unknown command/);
    assert.equal(s.configCommand, 'cfg-x');
    assert.ok(s.socketPath);
    assert.equal(s.socketUrl, `unix://${s.socketPath}`);
    assert.equal(statSync(s.socketPath).mode & 0o777, 0o770);
    assert.equal(await respCommand({ path: s.socketPath, password: PASSWORD }, 'PING'), 'PONG');
  });

  test('CONFIG disabled entirely', async () => {
    const s = await redis({ renameConfig: '' });
    await assert.rejects(s.command('CONFIG', 'GET', 'port'), /unknown command/);
  });

  test('TLS with tls-auth-clients yes, and a TLS replica with masterauth', async () => {
    const master = await redis({ tls: { authClients: 'yes' }, password: PASSWORD });
    assert.ok(master.tlsFiles);
    assert.equal(master.url, `rediss://127.0.0.1:${master.port}`);
    assert.equal(await master.command('PING'), 'PONG');
    // Plain TCP is off: `port 0`.
    assert.deepEqual(await master.command('CONFIG', 'GET', 'port'), ['port', '0']);
    await master.command('SET', 'k', 'v');
    const replica = await redis({ replicaOf: master });
    assert.equal(replica.url, `redis://127.0.0.1:${replica.port}`);
    assert.match(String(await replica.command('INFO', 'replication')), /master_link_status:up/);
    assert.equal(await replica.command('GET', 'k'), 'v');
    const tlsReplica = await redis({ replicaOf: master, tls: true });
    assert.equal(tlsReplica.tlsFiles, master.tlsFiles);
    assert.equal(await tlsReplica.command('GET', 'k'), 'v');
  });

  test('kill and restart keep port and config', async () => {
    const s = await redis({ password: 'x' });
    await s.command('SET', 'a', '1');
    await s.kill();
    await assert.rejects(s.command('PING'));
    await s.restart();
    assert.equal(await s.command('PING'), 'PONG');
    assert.equal(s.process.exitCode, null);
  });
});

describe('peer exporter, promtool, http', () => {
  test('redis_exporter 1.45 scrapes a password-protected server; promtool parses its output', async () => {
    const s = await redis({ password: PASSWORD });
    const peer = await startPeerExporter({
      redisAddr: s.url,
      env: { REDIS_PASSWORD: PASSWORD },
      args: ['-include-system-metrics'],
    });
    started.push(peer);
    const health = await httpGet(`${peer.url}/health`);
    assert.equal(health.status, 200);
    const res = await httpGet(`${peer.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(res.body, /^redis_up 1$/m);
    const check = await promtoolCheckMetrics(res.body);
    assert.ok(promtoolParsed(check), `promtool: ${check.code} ${check.stderr}`);
    assert.ok(!res.body.includes(PASSWORD));
  });

  test('promtool: lint findings are rc 3, a parse error is rc 1', async () => {
    const clean = await promtoolCheckMetrics('# HELP x_total A counter.\n# TYPE x_total counter\nx_total 1\n');
    assert.equal(clean.code, 0);
    const lint = await promtoolCheckMetrics('# TYPE x counter\nx 1\n');
    assert.equal(lint.code, 3, lint.stdout + lint.stderr);
    assert.ok(promtoolParsed(lint));
    const broken = await promtoolCheckMetrics('x{a="b" 1\n');
    assert.equal(broken.code, 1);
    assert.ok(!promtoolParsed(broken));
  });

  test('httpGet times out', async () => {
    const { createServer } = await import('node:http');
    const srv = createServer(() => {});
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    try {
      await assert.rejects(httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: 200 }), /within 200ms/);
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });
});
