import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleHttpError } from '../../src/console/contract.ts';
import {
  clients,
  infoFields,
  keyspace,
  persistence,
  replication,
  replicationSummary,
  roleOf,
} from '../../src/console/data/info-view.ts';
import { MAX_SILENCE_MS, silenceDurationMs } from '../../src/console/data/silence-actions.ts';

const REPLICA = [
  '# Replication',
  'role:slave',
  'master_host:10.0.0.5',
  'master_port:6379',
  'master_link_status:down',
  'master_last_io_seconds_ago:-1',
  '# Keyspace',
  'db0:keys=10,expires=2,avg_ttl=1500',
  'db12:keys=1,expires=0,avg_ttl=0',
].join('\r\n');

test('a replica: role, its master, a link that never did any I/O has no age', () => {
  const f = infoFields(REPLICA);
  assert.equal(roleOf(f), 'replica');
  assert.deepEqual(replication(f), {
    role: 'replica',
    connectedReplicas: [],
    master: { address: '10.0.0.5:6379', linkUp: false, lastIoSecondsAgo: null },
  });
  assert.deepEqual(replicationSummary(f), { linkUp: false, lagSeconds: null });
  assert.deepEqual(keyspace(f), [
    { db: 0, keys: 10, expires: 2, avgTtlMs: 1500 },
    { db: 12, keys: 1, expires: 0, avgTtlMs: 0 },
  ]);
});

test('a master with replicas, persistence flags, clients from INFO or CONFIG', () => {
  const f = infoFields(
    [
      'role:master',
      'connected_slaves:2',
      'slave0:ip=10.0.0.6,port=6380,state=online,offset=100,lag=0',
      'slave1:ip=10.0.0.7,port=6381,state=wait_bgsave,offset=0,lag=-1',
      'connected_clients:3',
      'blocked_clients:1',
      'rdb_last_save_time:1700000000',
      'rdb_last_bgsave_status:err',
      'rdb_changes_since_last_save:42',
      'aof_enabled:1',
      'aof_last_write_status:ok',
    ].join('\n'),
  );
  assert.deepEqual(replicationSummary(f), { connectedReplicas: 2 });
  assert.deepEqual(replication(f).connectedReplicas, [
    { address: '10.0.0.6:6380', state: 'online', lagSeconds: 0, offset: 100 },
    { address: '10.0.0.7:6381', state: 'wait_bgsave', lagSeconds: null, offset: 0 },
  ]);
  assert.deepEqual(persistence(f), {
    rdbLastSaveAt: 1700000000 * 1000,
    rdbLastBgsaveOk: false,
    rdbChangesSinceLastSave: 42,
    aofEnabled: true,
    aofLastWriteOk: true,
  });
  assert.deepEqual(clients(f, { maxclients: '500' }), { connected: 3, blocked: 1, maxclients: 500 });
});

test('hostile INFO: numbers that are not numbers are null, lists and strings are bounded', () => {
  const lines = [
    'role:primary?',
    'connected_clients:NaN',
    'rdb_last_save_time:1e999',
    `master_host:${'h'.repeat(10_000)}`,
  ];
  for (let i = 0; i < 500; i++) lines.push(`db${i}:keys=x,expires=1`, `slave${i}:ip=a,port=1`);
  const f = infoFields(lines.join('\n'));
  assert.equal(roleOf(f), null);
  assert.equal(replicationSummary(f), null);
  assert.equal(clients(f, {}).connected, 0);
  assert.equal(clients(f, {}).maxclients, null);
  assert.equal(persistence(f).rdbLastSaveAt, null);
  assert.equal(keyspace(f).length, 64);
  assert.equal(keyspace(f)[0].keys, 0);
  assert.equal(replication(f).connectedReplicas.length, 64);
});

test('silence durations: Prometheus durations above 0 and at most 30 days', () => {
  assert.equal(silenceDurationMs('30m'), 30 * 60e3);
  assert.equal(silenceDurationMs('1d12h'), 36 * 3600e3);
  assert.equal(silenceDurationMs('30d'), MAX_SILENCE_MS);
  assert.equal(silenceDurationMs('4w2d'), MAX_SILENCE_MS);
  const status = (v: unknown) => {
    try {
      silenceDurationMs(v);
    } catch (e) {
      return e instanceof ConsoleHttpError ? e.status : -1;
    }
    return 200;
  };
  assert.equal(status('30d1ms'), 422);
  assert.equal(status('1y'), 422);
  assert.equal(status('0s'), 400);
  assert.equal(status('-1h'), 400);
  assert.equal(status('1.5h'), 400);
  assert.equal(status(3600), 400);
  assert.equal(status('9'.repeat(40)), 400);
});
