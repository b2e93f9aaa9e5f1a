import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { after, describe, test } from 'node:test';
import { SnapshotCollector } from '../../src/redis/collect-snapshot.ts';
import type { ConnectionOptions } from '../../src/redis/connection.ts';
import { RedisError, RedisProtocolError, RedisTimeoutError, RedisUnreachableError } from '../../src/redis/errors.ts';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import { parseTarget } from '../../src/redis/target.ts';
import { ATTACKS, type Attack, type HostileServer, startHostileServer, stream } from '../support/hostile-resp.ts';

const open: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const o of open.reverse()) await o.close();
});

function connect(url: string, options: ConnectionOptions = {}): RespConnection {
  const c = new RespConnection(parseTarget(url), { connectTimeoutMs: 5000, commandTimeoutMs: 20000, ...options });
  open.push(c);
  return c;
}

async function hostile(attack: Attack, when?: 'data' | 'connect'): Promise<HostileServer> {
  const s = await startHostileServer(attack, when);
  open.push(s);
  return s;
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

/** Waits (turning the event loop) until `cond()` holds, or fails after a generous deadline. */
async function until(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Counts turns of the event loop until stopped: proof that nothing blocks it. */
function loopTurns(): { turns: number; stop(): void } {
  const counter = { turns: 0, stop: () => {} };
  let running = true;
  const turn = () => {
    if (!running) return;
    counter.turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  counter.stop = () => {
    running = false;
  };
  return counter;
}

const MB = 1024 * 1024;

describe('a hostile server cannot exhaust memory or block the event loop', () => {
  const cases: Array<[name: string, attack: Attack, limit: string, words: RegExp]> = [
    ['$100000000000 and a stream of bytes', ATTACKS.hugeBulk, 'bulkBytes', /a bulk string of 100000000000 bytes/],
    ['*4294967295 and a stream of integers', ATTACKS.hugeArray, 'elements', /4294967295 array elements in one reply/],
    ['*1\\r\\n*1\\r\\n… without end', ATTACKS.deepNesting, 'depth', /arrays nested 17 deep/],
    ['an endless + line in small chunks', ATTACKS.endlessLine, 'lineBytes', /a reply line of more than/],
  ];
  for (const [name, attack, limit, words] of cases) {
    test(`${name}: RedisProtocolError naming the ${limit} limit, socket closed, memory bounded, loop turning`, async () => {
      const server = await hostile(attack);
      const c = connect(`redis://127.0.0.1:${server.port}`);
      await c.ready();
      const before = process.memoryUsage();
      const loop = loopTurns();
      const e = await rejectsWith(c.pipeline([['INFO', 'ALL']]), RedisProtocolError);
      assert.equal(e.kind, 'protocol');
      assert.equal(e.limit, limit);
      assert.match(e.message, words);
      assert.match(e.message, /not answering like Redis.*over redoubt's limit.*The connection was closed\./);
      // the server sees its client go away: redoubt no longer reads
      await until(() => server.closed === server.accepted, 'the client socket to close');
      const turnsAtClose = loop.turns;
      await until(() => loop.turns > turnsAtClose + 10, 'the event loop to keep turning');
      loop.stop();
      assert.ok(loop.turns > 10, `event loop turned ${loop.turns} times`);
      const grown = process.memoryUsage().rss - before.rss;
      assert.ok(grown < 256 * MB, `rss grew by ${Math.round(grown / MB)} MB`);
      // it does not redial a server that broke the protocol: the next ready() does
      assert.equal(c.isReady(), false);
      const accepted = server.accepted;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(server.accepted, accepted);
      // a command now says what happened
      const again = await rejectsWith(c.call('PING'), RedisProtocolError);
      assert.equal(again.limit, limit);
    });
  }

  // Each bulk string and the element count within their limits, but together without end: a reply of 16 TB, or
  // a pipeline of GETs each answered with 16 MB. The connection adds them up (RESP_LIMITS.replyBytes).
  const rounds: Array<[name: string, attack: Attack, commands: Array<[string, ...string[]]>]> = [
    ['*1000000 of 16 MB bulk strings', ATTACKS.manyBulks, [['INFO', 'ALL']]],
    ['a 16 MB bulk string for each of 1000 GETs', ATTACKS.bulkPerCommand, Array(1000).fill(['GET', 'k'])],
  ];
  for (const [name, attack, commands] of rounds) {
    test(`${name}: refused at the replyBytes limit, well before the server has written 1 GB`, async () => {
      const server = await hostile(attack);
      const c = connect(`redis://127.0.0.1:${server.port}`);
      await c.ready();
      const e = await rejectsWith(c.pipeline(commands), RedisProtocolError);
      assert.equal(e.limit, 'replyBytes', e.message);
      assert.match(e.message, /bytes of replies to one round trip, over redoubt's limit of 134217728 \(replyBytes\)/);
      await until(() => server.closed === server.accepted, 'the client socket to close');
      assert.ok(server.written < 512 * MB, `the server wrote ${Math.round(server.written / MB)} MB before the close`);
      assert.equal(c.isReady(), false);
    });
  }

  test('replies nothing asked for, without end: the connection is closed at the first, not read forever', async () => {
    const server = await hostile(stream('', '+unasked\r\n'.repeat(1024), 256 * MB), 'connect');
    const c = connect(`redis://127.0.0.1:${server.port}`);
    await c.ready().catch(() => {});
    await until(() => server.closed === server.accepted, 'the client socket to close');
    assert.ok(server.written < 64 * MB, `the server wrote ${Math.round(server.written / MB)} MB before the close`);
    const e = await rejectsWith(c.call('PING'), RedisProtocolError);
    assert.match(e.message, /a reply to no command/);
    // not redialled in the background
    const accepted = server.accepted;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.accepted, accepted);
  });

  test('a server that answers the handshake and hangs up at once is redialled with a growing backoff, not every 100 ms', async () => {
    const server = await hostile((s) => s.end('+OK\r\n'));
    const c = connect(`redis://127.0.0.1:${server.port}`, { clientName: 'redoubt-test' });
    await c.ready().catch(() => {});
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const seconds = (Date.now() - started) / 1000;
    // 100, 200, 400, 800, 1600 ms: at most 6 dials in 3 s (fewer on a slow machine); without the growing backoff,
    // one every 100 ms
    assert.ok(server.accepted <= 7, `${server.accepted} connections in ${seconds.toFixed(1)} s`);
    assert.ok(server.accepted >= 2, 'it does redial');
  });

  test('a reply that never finishes: the command timeout closes the socket and names --connection-timeout', async () => {
    const server = await hostile(ATTACKS.unfinishedBulk);
    const c = connect(`redis://127.0.0.1:${server.port}`, { commandTimeoutMs: 500 });
    await c.ready();
    const loop = loopTurns();
    const e = await rejectsWith(c.call('INFO'), RedisTimeoutError);
    assert.match(e.message, /within 0\.5s \(the limit set by --connection-timeout\)/);
    assert.equal(e.limit, 'connection');
    await until(() => server.closed === server.accepted, 'the client socket to close');
    const written = server.written;
    await until(() => loop.turns > 20, 'the event loop to keep turning');
    loop.stop();
    // nobody reads any more: the server's writes stop landing
    assert.ok(server.written - written < 1000, `server kept writing ${server.written - written} bytes`);
  });
});

describe('what the timeout, a missing socket and an HTTP port say', () => {
  test('a scrape whose deadline fires names --scrape-timeout, not --connection-timeout', async () => {
    const server = await hostile(() => {});
    const c = connect(`redis://127.0.0.1:${server.port}`);
    const collector = new SnapshotCollector(c, { configCommand: 'CONFIG' });
    const e = await rejectsWith(collector.collect(Date.now() + 400), RedisTimeoutError);
    assert.match(
      e.message,
      /did not answer the scrape within .*\(the limit set by --scrape-timeout\).*raise --scrape-timeout/,
    );
    assert.ok(!e.message.includes('--connection-timeout'), e.message);
    assert.equal(e.limit, 'deadline');
  });

  test('a unix socket that does not exist says so, and does not talk of a firewall', async () => {
    const c = connect('unix:///nonexistent-dir/redis.sock');
    const e = await rejectsWith(c.ready(), RedisUnreachableError);
    assert.match(e.message, /the socket file \/nonexistent-dir\/redis\.sock does not exist \(ENOENT\)/);
    assert.ok(!/firewall/.test(e.message), e.message);
  });

  test('a port that answers HTTP: the port does not speak RESP, it is an HTTP server', async () => {
    const http = createHttpServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    open.push({ close: () => new Promise<void>((r) => http.close(() => r())) });
    const addr = http.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const c = connect(`redis://127.0.0.1:${port}`);
    await c.ready();
    const e = await rejectsWith(c.call('PING'), RedisProtocolError);
    assert.match(
      e.message,
      /the port does not speak RESP: it is an HTTP server \(it answered "HTTP\/1\.1 400 Bad Request"\)/,
    );
    http.closeAllConnections();
  });

  test('an error reply with escape sequences reaches the message escaped', async () => {
    const server = await hostile((s) => s.write('-ERR \x1b[2J\x1b[Hall clear\r\n'));
    const c = connect(`redis://127.0.0.1:${server.port}`);
    await c.ready();
    const e = await rejectsWith(c.call('PING'), RedisError);
    assert.ok(!e.message.includes('\x1b'), e.message);
    assert.match(e.message, /ERR \\x1b\[2J\\x1b\[Hall clear/);
  });
});
