import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { ConnectionOptions, RedisConnection } from '../../src/redis/connection.ts';
import {
  classifyRedisError,
  RedisAuthError,
  RedisAuthRequiredError,
  RedisError,
  RedisPermissionError,
  RedisProtectedModeError,
  RedisTimeoutError,
  RedisTlsError,
  RedisUnreachableError,
} from '../../src/redis/errors.ts';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../../src/redis/target.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { generateTlsFiles, type TlsFiles } from '../support/tls.ts';

const PASSWORD = 'p@ss:w/rd#%?';
const LIMITED_PASSWORD = 'l1m:it@d';
/** Redis 7.0's greeting for a non-loopback client of a server in protected mode without a password. */
const DENIED_7_0 =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

let plain: RedisServer;
let secured: RedisServer; // requirepass + ACL user + unix socket
let tlsServer: RedisServer; // tls-auth-clients no
let mtlsServer: RedisServer; // tls-auth-clients yes
let renamed: RedisServer;
let pki: TlsFiles;

const open: RedisConnection[] = [];
function connect(target: string | RedisTarget, options: ConnectionOptions = {}): RespConnection {
  const t = typeof target === 'string' ? parseTarget(target) : target;
  const c = new RespConnection(t, { connectTimeoutMs: 3000, ...options });
  open.push(c);
  return c;
}

/** ready() then a PING pipeline; returns the PING reply or throws the first failure. */
async function ping(c: RedisConnection, deadlineMs = Date.now() + 3000): Promise<unknown> {
  await c.ready(deadlineMs);
  const [r] = await c.pipeline([['PING']]);
  if (!r.ok) throw r.error;
  return r.value;
}

async function rejectsWith<T extends RedisError>(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail(`expected ${type.name}, but it resolved`);
}

function assertNoSecret(err: unknown, ...secrets: string[]): void {
  const text = `${String(err)}\n${(err as Error).message}\n${inspect(err, { depth: 10 })}`;
  for (const s of secrets) {
    assert.ok(!text.includes(s), `error text contains a secret: ${text}`);
    assert.ok(!text.includes(encodeURIComponent(s)), `error text contains an encoded secret: ${text}`);
  }
}

before(async () => {
  pki = await generateTlsFiles();
  [plain, secured, tlsServer, mtlsServer, renamed] = await Promise.all([
    startRedis(),
    startRedis({
      password: PASSWORD,
      aclUsers: [`limited on >${LIMITED_PASSWORD} ~cache:* &* +@all -config`],
      unixSocket: true,
    }),
    startRedis({ tls: { files: pki, authClients: 'no' } }),
    startRedis({ tls: { files: pki, authClients: 'yes' } }),
    startRedis({ renameConfig: 'redoubt-cfg' }),
  ]);
});

after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([plain, secured, tlsServer, mtlsServer, renamed].map((s) => s?.stop()));
  pki?.cleanup();
});

/**
 * Upper bound for "failed by the deadline" with deadlines of 400-500 ms: far below the 15 s default the code would
 * otherwise wait, far above what a loaded machine adds to a timer.
 */
const SLACK_MS = 8000;

describe('plain TCP', () => {
  test('no auth: ready, pipeline, reuse of the ready connection', async () => {
    const c = connect(plain.url, { clientName: 'redoubt-test' });
    const first = await c.ready();
    assert.ok(first.connectSeconds > 0);
    assert.equal(c.isReady(), true);
    assert.equal(c.generation, 1);
    const replies = await c.pipeline([['PING'], ['INFO', 'server'], ['ECHO', 'x y']]);
    assert.deepEqual(
      replies.map((r) => r.ok),
      [true, true, true],
    );
    assert.equal(replies[0].ok && replies[0].value, 'PONG');
    assert.match(String(replies[1].ok && replies[1].value), /redis_version:7\./);
    assert.equal(replies[2].ok && replies[2].value, 'x y');
    assert.deepEqual(await c.ready(), { connectSeconds: 0 });
    assert.equal(c.generation, 1);
    const list = String(await plain.command('CLIENT', 'LIST'));
    assert.match(list, /name=redoubt-test /);
  });

  test('connecting adds no error replies to the server (no CLIENT SETINFO on Redis 7.0)', async () => {
    const before = String(await plain.command('INFO', 'stats'));
    const errorsBefore = Number(/total_error_replies:(\d+)/.exec(before)?.[1]);
    const c = connect(plain.url);
    assert.equal(await ping(c), 'PONG');
    await c.close();
    const afterInfo = String(await plain.command('INFO', 'stats'));
    assert.equal(Number(/total_error_replies:(\d+)/.exec(afterInfo)?.[1]), errorsBefore);
  });

  test('a per-command error stays in its reply; the rest of the pipeline succeeds', async () => {
    const c = connect(plain.url);
    await c.ready();
    const [a, b, d] = await c.pipeline([['PING'], ['NOSUCHCOMMAND'], ['BLPOP', 'k', 'notanumber']]);
    assert.equal(a.ok, true);
    assert.equal(b.ok, false);
    assert.equal(d.ok, false);
    // "timeout is not a float or out of range" is a command error, not a timeout.
    if (!d.ok) assert.equal(classifyRedisError(d.error, plain.url, undefined).kind, 'command');
  });

  test('refused port → RedisUnreachableError', async () => {
    const port = await freePort();
    const c = connect(`redis://127.0.0.1:${port}`);
    const e = await rejectsWith(c.ready(Date.now() + 3000), RedisUnreachableError);
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /ECONNREFUSED/);
    await rejectsWith(c.pipeline([['PING']]), RedisUnreachableError);
    await rejectsWith(c.call('PING'), RedisUnreachableError);
  });

  test('renamed CONFIG: CONFIG is unknown, the new name works', async () => {
    const c = connect(renamed.url);
    await c.ready();
    const [cfg, alias] = await c.pipeline([
      ['CONFIG', 'GET', 'maxmemory'],
      ['redoubt-cfg', 'GET', 'maxmemory'],
    ]);
    assert.equal(cfg.ok, false);
    if (!cfg.ok) {
      assert.match(cfg.error.message, /unknown command/);
      assert.equal(classifyRedisError(cfg.error, renamed.url, undefined).kind, 'command');
    }
    assert.deepEqual(alias.ok && alias.value, ['maxmemory', '0']);
  });

  test('close() is final and leaves nothing running', async () => {
    const c = connect(plain.url);
    await ping(c);
    await c.close();
    assert.equal(c.isReady(), false);
    await rejectsWith(c.ready(), RedisUnreachableError);
    await rejectsWith(c.pipeline([['PING']]), RedisUnreachableError);
  });
});

describe('authentication', () => {
  test('requirepass with special characters in a percent-encoded URL', async () => {
    for (const url of [
      `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${secured.port}`,
      `redis://default:${encodeURIComponent(PASSWORD)}@127.0.0.1:${secured.port}/0`,
    ]) {
      const c = connect(url);
      assert.equal(await ping(c), 'PONG', url.replace(encodeURIComponent(PASSWORD), '***'));
    }
  });

  test('requirepass with special characters passed explicitly', async () => {
    const c = connect(withCredentials(parseTarget(secured.url), undefined, PASSWORD));
    assert.equal(await ping(c), 'PONG');
  });

  test('wrong password → RedisAuthError that does not contain the password', async () => {
    const wrong = 'wr0ng@p:ss/#%?';
    const c = connect(withCredentials(parseTarget(secured.url), undefined, wrong));
    const e = await rejectsWith(c.ready(Date.now() + 3000), RedisAuthError);
    assert.equal(e.kind, 'wrong_password');
    assert.match(e.message, /WRONGPASS/);
    assert.match(e.message, /user "default"/);
    assertNoSecret(e, wrong, PASSWORD);
    // Not retried in the background; the next ready() tries again and fails the same way.
    await rejectsWith(c.ready(Date.now() + 3000), RedisAuthError);
    await rejectsWith(c.pipeline([['PING']]), RedisAuthError);
  });

  test('wrong password for an ACL user names the user, not the password', async () => {
    const c = connect(`redis://limited:nope%40x@127.0.0.1:${secured.port}`);
    const e = await rejectsWith(c.ready(Date.now() + 3000), RedisAuthError);
    assert.match(e.message, /user "limited"/);
    assertNoSecret(e, 'nope@x', LIMITED_PASSWORD);
  });

  test('no password → RedisAuthRequiredError (NOAUTH) from pipeline and call', async () => {
    const c = connect(secured.url);
    await c.ready();
    const e = await rejectsWith(c.pipeline([['PING'], ['INFO']]), RedisAuthRequiredError);
    assert.equal(e.kind, 'auth_required');
    await rejectsWith(c.call('PING'), RedisAuthRequiredError);
  });

  test('ACL user without CONFIG: the reply error classifies as RedisPermissionError naming config|get', async () => {
    const t = parseTarget(`redis://limited:${encodeURIComponent(LIMITED_PASSWORD)}@127.0.0.1:${secured.port}`);
    const c = connect(t);
    await c.ready();
    const [pong, cfg, key] = await c.pipeline([['PING'], ['CONFIG', 'GET', 'maxmemory'], ['GET', 'other:key']]);
    assert.equal(pong.ok && pong.value, 'PONG');
    assert.equal(cfg.ok, false);
    assert.equal(key.ok, false);
    if (cfg.ok || key.ok) return;
    const e = classifyRedisError(cfg.error, t.display, t.username);
    assert.ok(e instanceof RedisPermissionError);
    assert.equal(e.kind, 'not_permitted');
    assert.equal(e.command, 'config|get');
    assert.match(e.message, /user "limited"/);
    assert.ok(e.message.includes('ACL SETUSER limited +config|get'), e.message);
    assertNoSecret(e, LIMITED_PASSWORD);
    const k = classifyRedisError(key.error, t.display, t.username);
    assert.ok(k instanceof RedisPermissionError);
    assert.equal(k.denied, 'keys');
    assert.match(k.message, /ACL SETUSER limited ~<pattern>/);
  });

  test('unix socket with password and ?db=', async () => {
    const c = connect(`unix://:${encodeURIComponent(PASSWORD)}@${secured.socketPath}?db=2`);
    await c.ready();
    const [info] = await c.pipeline([['CLIENT', 'INFO']]);
    assert.match(String(info.ok && info.value), /db=2 /);
    assert.match(String(info.ok && info.value), /addr=\/|laddr=\//);
  });
});

describe('TLS', () => {
  test('verifies the server against the CA (IP and DNS name)', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const c = connect(`rediss://${host}:${tlsServer.port}`, { tls: { caFile: pki.caCert } });
      assert.equal(await ping(c), 'PONG', host);
    }
  });

  test('wrong CA → RedisTlsError', async () => {
    const c = connect(tlsServer.url, { tls: { caFile: pki.otherCaCert } });
    const e = await rejectsWith(ping(c), RedisTlsError);
    assert.equal(e.kind, 'tls');
    assert.match(e.message, /certificate/);
  });

  test('skip-verify connects despite the wrong CA', async () => {
    const c = connect(tlsServer.url, { tls: { caFile: pki.otherCaCert, skipVerify: true } });
    assert.equal(await ping(c), 'PONG');
  });

  test('server name option: verified against the name, not the dialled IP', async () => {
    const ok = connect(tlsServer.url, { tls: { caFile: pki.caCert, serverName: 'localhost' } });
    assert.equal(await ping(ok), 'PONG');
    const bad = connect(tlsServer.url, { tls: { caFile: pki.caCert, serverName: 'redis.example.com' } });
    const e = await rejectsWith(ping(bad), RedisTlsError);
    assert.match(e.message, /redis\.example\.com|altnames/);
    const skipped = connect(tlsServer.url, {
      tls: { caFile: pki.caCert, serverName: 'redis.example.com', skipVerify: true },
    });
    assert.equal(await ping(skipped), 'PONG');
  });

  test('mTLS: the client certificate is required and must come from the trusted CA', async () => {
    const withCert = connect(mtlsServer.url, {
      tls: { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey },
    });
    assert.equal(await ping(withCert), 'PONG');
    const noCert = connect(mtlsServer.url, { tls: { caFile: pki.caCert } });
    const e = await rejectsWith(ping(noCert), RedisTlsError);
    assert.match(e.message, /certificate/);
    const rogue = connect(mtlsServer.url, {
      tls: { caFile: pki.caCert, certFile: pki.otherClientCert, keyFile: pki.otherClientKey },
    });
    await rejectsWith(ping(rogue), RedisTlsError);
  });

  test('plaintext client on a TLS port → unreachable with a hint to use rediss://', async () => {
    const c = connect(`redis://127.0.0.1:${tlsServer.port}`);
    const e = await rejectsWith(ping(c), RedisUnreachableError);
    assert.match(e.message, /rediss:\/\//);
  });

  test('TLS client on a plaintext port → RedisTimeoutError naming the TLS handshake', async () => {
    const c = connect(`rediss://127.0.0.1:${plain.port}`, { tls: { caFile: pki.caCert }, connectTimeoutMs: 500 });
    const started = Date.now();
    const e = await rejectsWith(c.ready(Date.now() + 500), RedisTimeoutError);
    assert.ok(Date.now() - started < SLACK_MS);
    assert.match(e.message, /TLS handshake/);
  });
});

describe('unresponsive and misbehaving servers', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  async function fakeServer(onConnection: (s: Socket) => void): Promise<number> {
    const srv = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      onConnection(s);
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const addr = srv.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  test('blackholed server (accepts, never answers): pipeline fails with RedisTimeoutError by the deadline', async () => {
    const port = await fakeServer(() => {});
    const c = connect(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 400, commandTimeoutMs: 400 });
    await c.ready(Date.now() + 400); // the TCP connection itself succeeds
    const started = Date.now();
    const e = await rejectsWith(c.pipeline([['PING'], ['INFO']]), RedisTimeoutError);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 350 && elapsed < SLACK_MS, `took ${elapsed}ms`);
    assert.equal(e.kind, 'timeout');
  });

  test('blackholed server with a password: ready() fails with RedisTimeoutError (AUTH) by the deadline', async () => {
    const port = await fakeServer(() => {});
    const c = connect(`redis://:secret@127.0.0.1:${port}`, { connectTimeoutMs: 5000 });
    const started = Date.now();
    const e = await rejectsWith(c.ready(Date.now() + 400), RedisTimeoutError);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 350 && elapsed < SLACK_MS, `took ${elapsed}ms`);
    assert.match(e.message, /AUTH/);
    assertNoSecret(e, 'secret');
  });

  test('blackholed TLS server: ready() fails with RedisTimeoutError by the deadline', async () => {
    const port = await fakeServer(() => {});
    const c = connect(`rediss://127.0.0.1:${port}`, { connectTimeoutMs: 5000 });
    const started = Date.now();
    await rejectsWith(c.ready(Date.now() + 400), RedisTimeoutError);
    assert.ok(Date.now() - started < SLACK_MS);
  });

  test('protected mode: the exact Redis 7.0 DENIED greeting → RedisProtectedModeError', async () => {
    const port = await fakeServer((s) => s.end(`-${DENIED_7_0}\r\n`));
    const c = connect(`redis://127.0.0.1:${port}`);
    const e = await rejectsWith(ping(c), RedisProtectedModeError);
    assert.equal(e.kind, 'protected_mode');
    // With a password the greeting answers AUTH, which ioredis used to mistake for "no password is set"; still detected.
    const withPw = connect(`redis://:secret@127.0.0.1:${port}`);
    const e2 = await rejectsWith(ping(withPw), RedisProtectedModeError);
    assertNoSecret(e2, 'secret');
  });
});

describe('reconnect', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis({ password: PASSWORD });
  });
  after(async () => {
    await server?.stop();
  });

  test('errors while the server is down, ready again after restart on the same object', async () => {
    const c = connect(withCredentials(parseTarget(server.url), undefined, PASSWORD), { connectTimeoutMs: 1000 });
    assert.equal(await ping(c), 'PONG');
    assert.equal(c.generation, 1);

    await server.kill();
    // The socket close reaches the client a moment after the process exits.
    const until = Date.now() + 3000;
    while (c.isReady() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.isReady(), false);
    const down = await rejectsWith(c.pipeline([['PING']]), RedisError);
    assert.equal(down.kind, 'unreachable');
    const downReady = await rejectsWith(c.ready(Date.now() + 500), RedisError);
    assert.ok(['unreachable', 'timeout'].includes(downReady.kind), downReady.message);
    assertNoSecret(downReady, PASSWORD);

    await server.restart();
    const { connectSeconds } = await c.ready(Date.now() + 10000);
    assert.ok(connectSeconds >= 0);
    assert.equal(await ping(c), 'PONG');
    assert.equal(c.generation, 2);
  });

  test('reset() drops the socket and the next ready() reconnects', async () => {
    const c = connect(withCredentials(parseTarget(server.url), undefined, PASSWORD));
    await ping(c);
    const id1 = await c.call('CLIENT', 'ID');
    c.reset();
    await c.ready(Date.now() + 5000);
    const id2 = await c.call('CLIENT', 'ID');
    assert.notEqual(id1, id2);
    assert.equal(c.generation, 2);
  });
});
