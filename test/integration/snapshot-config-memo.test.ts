import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderText } from '../../src/metrics/exposition.ts';
import { snapshotToFamilies } from '../../src/metrics/families.ts';
import { METRIC_CONFIG_KEYS, SnapshotCollector } from '../../src/redis/collect-snapshot.ts';
import type { Command, RedisConnection, Reply } from '../../src/redis/connection.ts';
import { DelegatingConnection } from '../../src/redis/delegating-connection.ts';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import { parseTarget } from '../../src/redis/target.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

/** The real connection, with a record of every CONFIG command it was asked to send. */
class ConfigRecorder extends DelegatingConnection {
  readonly sent: string[][] = [];
  constructor(inner: RedisConnection) {
    super(inner);
  }
  pipeline(commands: Command[]): Promise<Reply[]> {
    for (const c of commands) if (String(c[0]).toUpperCase() === 'CONFIG') this.sent.push(c.map(String));
    return this.inner.pipeline(commands);
  }
}

const CONFIG_FAMILY = /^redis_(config_|security_config_value|db_keys|db_keys_expiring|memory_max_bytes)/;

/** The lines of the families that come from CONFIG values (or INFO's copies of them). */
function configLines(snapshot: Parameters<typeof snapshotToFamilies>[0]): string[] {
  const text = renderText(snapshotToFamilies(snapshot, { namespace: 'redis', includeSystemMetrics: false }));
  return text.split('\n').filter((l) => CONFIG_FAMILY.test(l));
}

let redis: RedisServer;
before(async () => {
  redis = await startRedis({ config: ['databases 4', 'maxmemory 64mb'] });
});
after(async () => {
  await redis?.stop();
});

test('a connection asks CONFIG for the immutable and INFO-reported values once; what a scrape reports is the same', async () => {
  const conn = new ConfigRecorder(new RespConnection(parseTarget(redis.url)));
  const collector = new SnapshotCollector(conn, { configCommand: 'CONFIG' });
  const fresh = new SnapshotCollector(new RespConnection(parseTarget(redis.url)), { configCommand: 'CONFIG' });
  try {
    const deadline = () => Date.now() + 30_000;
    const first = await collector.collect(deadline());
    await new Promise((r) => setImmediate(r));
    const second = await collector.collect(deadline());
    const third = await collector.collect(deadline());
    const firstKeys = conn.sent[0].slice(2);
    assert.deepEqual(firstKeys, METRIC_CONFIG_KEYS);
    const laterKeys = conn.sent.slice(1).map((c) => c.slice(2));
    assert.deepEqual(laterKeys, [
      ['client-output-buffer-limit', 'protected-mode', 'replica-read-only'],
      ['client-output-buffer-limit', 'protected-mode', 'replica-read-only'],
    ]);
    // The remembered immutable values come back with every scrape's config.
    assert.equal(third.config.databases, '4');
    assert.equal(third.config['io-threads'], '1');
    const expected = configLines(first);
    assert.ok(
      expected.some((l) => l.startsWith('redis_config_maxmemory 67108864')),
      expected.join('\n'),
    );
    assert.ok(expected.some((l) => l.startsWith('redis_config_io_threads 1')));
    assert.ok(expected.some((l) => l.startsWith('redis_db_keys{db="db3"} 0')));
    assert.ok(!expected.some((l) => l.includes('db="db4"')));
    assert.deepEqual(configLines(second), expected);
    assert.deepEqual(configLines(third), expected);

    // Runtime changes show on the next scrape, as when every value was asked for.
    await redis.command('CONFIG', 'SET', 'maxmemory', '32mb');
    await redis.command('CONFIG', 'SET', 'maxclients', '777');
    await redis.command('CONFIG', 'SET', 'repl-backlog-size', '2000000');
    await redis.command('CONFIG', 'SET', 'protected-mode', 'no');
    await redis.command('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1000 500 7');
    const changed = configLines(await collector.collect(deadline()));
    assert.deepEqual(changed, configLines(await fresh.collect(deadline())));
    for (const want of [
      'redis_config_maxmemory 33554432',
      'redis_config_maxclients 777',
      'redis_config_repl_backlog_size 2000000',
      'redis_security_config_value{param="protected-mode"} 0',
      'redis_config_client_output_buffer_limit_bytes{class="pubsub",limit="hard"} 1000',
    ])
      assert.ok(changed.includes(want), `${want} in\n${changed.join('\n')}`);

    // A new connection asks for everything again.
    conn.reset();
    const sentBefore = conn.sent.length;
    await collector.collect(deadline());
    assert.deepEqual(conn.sent[sentBefore].slice(2), METRIC_CONFIG_KEYS);
  } finally {
    await conn.close();
    await fresh.conn.close();
  }
});

test('--latency-percentiles-interval: INFO without latencystats in between, the last latencystats repeated in place', async () => {
  const conn = new InfoRecorder(new RespConnection(parseTarget(redis.url)));
  const collector = new SnapshotCollector(conn, { configCommand: 'CONFIG', latencystatsIntervalMs: 60_000 });
  const every = new SnapshotCollector(new RespConnection(parseTarget(redis.url)), { configCommand: 'CONFIG' });
  try {
    const deadline = () => Date.now() + 30_000;
    const first = await collector.collect(deadline());
    await redis.command('SET', 'k', 'v'); // a command latencystats has not seen yet
    const second = await collector.collect(deadline());
    const reference = await every.collect(deadline());
    assert.deepEqual(conn.infos[0], ['INFO', 'ALL']);
    assert.equal(conn.infos[1][0], 'INFO');
    assert.ok(
      !conn.infos[1].includes('latencystats') && conn.infos[1].includes('commandstats'),
      conn.infos[1].join(' '),
    );
    // Same sections in the same order as INFO ALL; the latencystats are the first scrape's (no `set` yet).
    const headers = (info: string) => info.split('\r\n').filter((l) => l.startsWith('# '));
    assert.deepEqual(headers(second.info), headers(reference.info));
    const section = (info: string) => /# Latencystats\r\n[^#]*/.exec(info)?.[0];
    assert.equal(section(second.info), section(first.info));
    assert.match(section(reference.info) ?? '', /latency_percentiles_usec_set:/);
    assert.doesNotMatch(section(second.info) ?? '', /latency_percentiles_usec_set:/);
    assert.match(second.info, /cmdstat_set:calls=1/);
    // A new connection asks INFO ALL again.
    conn.reset();
    await collector.collect(deadline());
    assert.deepEqual(conn.infos.at(-1), ['INFO', 'ALL']);
  } finally {
    await conn.close();
    await every.conn.close();
  }
});

/** The real connection, with a record of every INFO command it was asked to send. */
class InfoRecorder extends DelegatingConnection {
  readonly infos: string[][] = [];
  constructor(inner: RedisConnection) {
    super(inner);
  }
  pipeline(commands: Command[]): Promise<Reply[]> {
    // (not the capability probe's INFO SERVER and INFO CLUSTER of a new connection)
    for (const c of commands)
      if (String(c[0]).toUpperCase() === 'INFO' && !/^(SERVER|CLUSTER)$/.test(String(c[1])))
        this.infos.push(c.map(String));
    return this.inner.pipeline(commands);
  }
}
