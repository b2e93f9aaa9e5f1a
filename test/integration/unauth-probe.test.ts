import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { probeUnauthenticated } from '../../src/security/unauth-probe.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const soon = (ms = 3000) => Date.now() + ms;

/** A fake server on loopback that records what it received and answers with `onConnect`. */
async function fakeServer(onConnect: (s: Socket, received: () => Buffer) => void): Promise<{
  server: Server;
  port: number;
  received: Buffer[];
}> {
  const received: Buffer[] = [];
  const server = createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      received.push(d);
    });
    s.on('error', () => {});
    onConnect(s, () => buf);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0, received };
}

describe('unauthenticated probe against fake servers', () => {
  const fakes: Server[] = [];
  after(() => {
    for (const f of fakes) f.close();
  });

  test('sends exactly PING and CONFIG GET dir, never a credential', async () => {
    const f = await fakeServer((s, got) => {
      s.on('data', () => {
        if (got().toString().split('\r\n').length > 8)
          s.write('-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n');
      });
    });
    fakes.push(f.server);
    const r = await probeUnauthenticated({ host: '127.0.0.1', port: f.port }, soon());
    assert.deepEqual(r, { result: 'noauth', configRenamed: false, detail: 'NOAUTH' });
    const sent = Buffer.concat(f.received).toString();
    assert.equal(sent, '*1\r\n$4\r\nPING\r\n*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n');
    assert.doesNotMatch(sent, /AUTH|HELLO/i);
  });

  test('a protected-mode greeting is "denied"', async () => {
    const f = await fakeServer((s) => {
      s.end('-DENIED Redis is running in protected mode because protected mode is enabled\r\n');
    });
    fakes.push(f.server);
    const r = await probeUnauthenticated({ host: '127.0.0.1', port: f.port }, soon());
    assert.equal(r.result, 'denied');
    assert.match(r.detail ?? '', /^DENIED Redis is running in protected mode/);
  });

  test('a server that resets every connection (plaintext and TLS) is "closed"', async () => {
    const f = await fakeServer((s) => s.resetAndDestroy());
    fakes.push(f.server);
    const r = await probeUnauthenticated({ host: '127.0.0.1', port: f.port }, soon());
    assert.equal(r.result, 'closed');
  });

  test('a server that never answers: "error", within the deadline', async () => {
    const f = await fakeServer(() => {});
    fakes.push(f.server);
    const started = Date.now();
    const r = await probeUnauthenticated({ host: '127.0.0.1', port: f.port }, started + 400);
    assert.equal(r.result, 'error');
    assert.match(r.detail ?? '', /deadline/);
    // Without the deadline the probe would wait for ever; the bound is loose so a loaded machine passes.
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started}ms`);
  });

  test('nothing listening is "closed" (connection refused)', async () => {
    const r = await probeUnauthenticated({ host: '127.0.0.1', port: await freePort() }, soon());
    assert.equal(r.result, 'closed');
    assert.match(r.detail ?? '', /ECONNREFUSED/);
  });
});

describe('unauthenticated probe against redis-server', () => {
  let open: RedisServer;
  let secured: RedisServer;
  let renamed: RedisServer;
  let tls: RedisServer;
  let mtls: RedisServer;
  before(async () => {
    [open, secured, renamed, tls, mtls] = await Promise.all([
      startRedis({ unixSocket: true }),
      startRedis({ password: 'probe-secret' }),
      startRedis({ password: 'probe-secret', renameConfig: 'CFG_probe' }),
      startRedis({ tls: true, password: 'probe-secret' }),
      startRedis({ tls: { authClients: 'yes' } }),
    ]);
  });
  after(async () => {
    await Promise.all([open, secured, renamed, tls, mtls].map((s) => s?.stop()));
  });

  test('no password: open, over TCP and over the unix socket', async () => {
    assert.deepEqual(await probeUnauthenticated({ host: open.host, port: open.port }, soon()), {
      result: 'open',
      configRenamed: false,
      detail: 'PING answered +PONG without AUTH',
    });
    assert.equal((await probeUnauthenticated({ path: open.socketPath ?? '' }, soon())).result, 'open');
  });

  test('requirepass: noauth; renamed CONFIG is seen before AUTH', async () => {
    const s = await probeUnauthenticated({ host: secured.host, port: secured.port }, soon());
    assert.deepEqual([s.result, s.configRenamed], ['noauth', false]);
    const r = await probeUnauthenticated({ host: renamed.host, port: renamed.port }, soon());
    assert.deepEqual([r.result, r.configRenamed], ['noauth', true]);
    assert.doesNotMatch(JSON.stringify(r), /CFG_probe/);
  });

  test('a TLS-only port: plaintext is closed, TLS answers NOAUTH (either order)', async () => {
    for (const tlsFirst of [false, true]) {
      const r = await probeUnauthenticated({ host: tls.host, port: tls.port, tls: tlsFirst }, soon());
      assert.deepEqual([r.result, r.tls, r.configRenamed], ['noauth', true, false], `tlsFirst=${tlsFirst}`);
    }
    // TLS first against a plaintext port falls back to plaintext.
    const p = await probeUnauthenticated({ host: open.host, port: open.port, tls: true }, soon());
    assert.deepEqual([p.result, p.tls], ['open', undefined]);
  });

  test('mTLS (tls-auth-clients yes): tls-required, a client certificate is needed', async () => {
    const r = await probeUnauthenticated({ host: mtls.host, port: mtls.port }, soon());
    assert.equal(r.result, 'tls-required');
    assert.equal(r.tls, true);
    assert.equal(r.clientCertRequired, true);
  });
});
