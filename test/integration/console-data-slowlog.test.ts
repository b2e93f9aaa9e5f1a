import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, test } from 'node:test';
import { ConsoleHttpError, type SlowlogResponse } from '../../src/console/contract.ts';
import { callRoute, startConsoleUp } from '../support/console-data-up.ts';
import { waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Logs `count` PINGs in the slowlog at once: one write holding CONFIG SET slowlog-log-slower-than 0, the PINGs, and
 * CONFIG SET back to -1. Redis runs a client's pipelined commands before serving another client, so no scrape
 * comes in between: count + 1 entries (the first CONFIG SET is logged too, the last is not).
 */
function slowBurst(server: RedisServer, count: number, tag: string): Promise<void> {
  const commands = [
    resp(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']),
    ...Array.from({ length: count }, (_, i) => resp(['PING', `${tag}-${i}`])),
    resp(['CONFIG', 'SET', 'slowlog-log-slower-than', '-1']),
  ];
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d) => {
      got += d;
      if (got.split('\r\n').length - 1 >= commands.length + count) {
        s.destroy();
        resolve();
      }
    });
    s.on('error', reject);
    s.write(commands.join(''));
  });
}

test('the slowlog is kept over time beyond slowlog-max-len, newest first, and entries the server dropped are counted', async () => {
  const redis = await startRedis({ config: ['slowlog-max-len 8', 'slowlog-log-slower-than -1'] });
  cleanups.push(() => redis.stop());
  const instance = `127.0.0.1:${redis.port}`;
  const up = await startConsoleUp({ targets: [{ url: redis.url, instance }] });
  cleanups.push(() => up.stop());
  const slowlog = async (query: Record<string, string> = {}) =>
    (await callRoute(up.deps, 'GET', '/console/api/instances/:instance/slowlog', {
      params: { instance },
      query,
    })) as SlowlogResponse;
  await waitFor('the first scrape', () => up.deps.monitor.targets[0].health.health === 'up', { timeoutMs: 60_000 });

  // Four small bursts, each read before the next: 20 entries kept (more than the server's 8), none missed.
  for (let round = 0; round < 4; round++) {
    await slowBurst(redis, 4, `round${round}`);
    await waitFor(
      `burst ${round} read`,
      async () => (await slowlog({ limit: '1000' })).entries.length === (round + 1) * 5,
      {
        timeoutMs: 60_000,
      },
    );
  }
  const kept = await slowlog({ limit: '1000' });
  assert.equal(kept.entries.length, 20);
  assert.equal(kept.missed, 0);
  const ids = kept.entries.map((e) => e.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => b - a),
    'newest first',
  );
  assert.equal(new Set(ids).size, ids.length, 'no entry twice');
  assert.deepEqual(kept.entries[0].command, ['PING', 'round3-3']);
  assert.deepEqual(kept.entries.at(-1)?.command, ['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  assert.match(kept.entries[0].client, /^127\.0\.0\.1:\d+$/);
  assert.ok(Math.abs(kept.entries[0].at - Date.now()) < 120_000);
  assert.ok(kept.entries.every((e) => e.durationMicros >= 0));

  // One burst of 51 between two scrapes: the server keeps 8 of them, the other 43 are a gap.
  const before = Date.now() - 1000;
  await slowBurst(redis, 50, 'burst');
  const after51 = await waitFor(
    'the burst read',
    async () => {
      const r = await slowlog({ limit: '1000' });
      return r.missed > 0 ? r : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.equal(after51.missed, 43);
  assert.equal(after51.entries.length, 28);
  assert.deepEqual(after51.entries[0].command, ['PING', 'burst-49']);
  assert.equal(after51.entries[0].id - after51.entries[8].id, 8 + 43);

  // limit and since bound the answer; the gap is counted from `since`.
  assert.equal((await slowlog({ limit: '3' })).entries.length, 3);
  const recent = await slowlog({ since: String(before), limit: '1000' });
  assert.equal(recent.missed, 43);
  assert.ok(recent.entries.every((e) => e.at >= before - 1000));
  const future = await slowlog({ since: String(Date.now() + 3600e3) });
  assert.deepEqual(future, { entries: [], missed: 0 });

  for (const query of <Array<Record<string, string>>>[
    { limit: '0' },
    { limit: '1001' },
    { limit: 'x' },
    { since: '-1' },
  ]) {
    await assert.rejects(
      async () => slowlog(query),
      (e: unknown) => e instanceof ConsoleHttpError && e.status === 400,
      JSON.stringify(query),
    );
  }
});

/**
 * SLOWLOG GETs beyond SLOWLOG LENs so far, from one INFO commandstats (Redis 7 counts subcommands apart): every
 * scrape sends one of each in its one round trip, so the difference counts the extra reads.
 */
async function extraSlowlogGets(server: RedisServer): Promise<number> {
  const info = String(await server.command('INFO', 'commandstats'));
  const calls = (sub: string) => Number(new RegExp(`^cmdstat_slowlog\\|${sub}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return calls('get') - calls('len');
}

test('one new slow entry between two scrapes is kept from the scrape: no SLOWLOG GET of its own', async () => {
  const redis = await startRedis({ config: ['slowlog-log-slower-than -1'] });
  cleanups.push(() => redis.stop());
  const instance = `127.0.0.1:${redis.port}`;
  const up = await startConsoleUp({ targets: [{ url: redis.url, instance }] });
  cleanups.push(() => up.stop());
  const kept = async () =>
    (
      (await callRoute(up.deps, 'GET', '/console/api/instances/:instance/slowlog', {
        params: { instance },
        query: { limit: '1000' },
      })) as SlowlogResponse
    ).entries.length;
  await waitFor('the first scrape', () => up.deps.monitor.targets[0].health.health === 'up', { timeoutMs: 60_000 });
  for (let round = 1; round <= 3; round++) {
    const before = await extraSlowlogGets(redis);
    await slowBurst(redis, 0, `single${round}`);
    await waitFor(`entry ${round} kept`, async () => (await kept()) === round, { timeoutMs: 60_000 });
    assert.equal((await extraSlowlogGets(redis)) - before, 0, `round ${round}: a SLOWLOG GET beyond the scrapes'`);
  }
  // Two new entries at once still need a read of their own (SLOWLOG GET has no "since id").
  const before = await extraSlowlogGets(redis);
  await slowBurst(redis, 1, 'pair');
  await waitFor('the pair kept', async () => (await kept()) === 5, { timeoutMs: 60_000 });
  assert.equal((await extraSlowlogGets(redis)) - before, 1);
});
