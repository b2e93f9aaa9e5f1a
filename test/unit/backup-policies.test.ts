/**
 * The pure decisions around backups: retention (newest N plus daily and weekly tiers, only this source's files),
 * which server to read from, what a cut transfer means, the restore traps, and the progress line.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupFileName, parseBackupName } from '../../src/backup/backup-names.ts';
import { chooseSource, replicationFacts } from '../../src/backup/choose-source.ts';
import { planBatches } from '../../src/backup/logical-dump.ts';
import { parseBackupMetrics, renderBackupMetrics } from '../../src/backup/metrics-file.ts';
import { progressLine } from '../../src/backup/progress.ts';
import { checkLiveTraps, targetFacts } from '../../src/backup/restore-traps.ts';
import { expiredBackups } from '../../src/backup/retention.ts';
import { explainCut, replicaLimit } from '../../src/backup/transfer-cut.ts';
import { makeTarget } from '../../src/redis/target.ts';

const P = 'redis-db1-6379';
const at = (iso: string, kind: 'rdb' | 'logical' = 'rdb') => backupFileName(P, new Date(iso), kind);

describe('retention', () => {
  test('names round-trip', () => {
    const n = parseBackupName(at('2026-12-06T02:30:05.123Z'));
    assert.deepEqual(n, { file: `${P}-20261206T023005Z.rdb.age`, prefix: P, time: Date.parse('2026-12-06T02:30:05Z') });
    assert.equal(parseBackupName('notes.txt'), undefined);
  });

  test('--keep N keeps the newest N of this source, never touches other files', () => {
    const files = [
      at('2026-12-01T00:00:00Z'),
      at('2026-12-02T00:00:00Z'),
      at('2026-12-03T00:00:00Z', 'logical'),
      at('2026-12-04T00:00:00Z'),
      'redis-other-6379-20261201T000000Z.rdb.age',
      'my-notes.txt',
    ];
    assert.deepEqual(expiredBackups(files, P, { last: 2, daily: 0, weekly: 0 }), [
      at('2026-12-01T00:00:00Z'),
      at('2026-12-02T00:00:00Z'),
    ]);
  });

  test('daily and weekly tiers keep the newest of each day and week', () => {
    const files = [
      at('2026-11-16T10:00:00Z'), // week 47
      at('2026-11-23T10:00:00Z'), // week 48
      at('2026-11-30T10:00:00Z'), // week 49, Monday
      at('2026-12-05T08:00:00Z'),
      at('2026-12-05T20:00:00Z'),
      at('2026-12-06T01:00:00Z'),
      at('2026-12-06T02:00:00Z'),
    ];
    const expired = expiredBackups(files, P, { last: 1, daily: 2, weekly: 3 });
    // Kept: the newest (Dec 6 02:00, also the newest of its day and of week 49), Dec 5 20:00 (its day), Nov 23
    // and Nov 16 (weeks 48 and 47).
    assert.deepEqual(expired, [at('2026-11-30T10:00:00Z'), at('2026-12-05T08:00:00Z'), at('2026-12-06T01:00:00Z')]);
  });
});

describe('choosing the source', () => {
  const t = (port: number) => makeTarget('redis', 'h', port, '', 0);
  test('a replica with its link up wins; otherwise the first given', () => {
    assert.equal(
      chooseSource([
        { target: t(1), role: 'master', linkUp: false },
        { target: t(2), role: 'slave', linkUp: true },
      ]).target.port,
      2,
    );
    assert.equal(
      chooseSource([
        { target: t(1), role: 'master', linkUp: false },
        { target: t(2), role: 'slave', linkUp: false },
      ]).target.port,
      1,
    );
  });
  test('INFO replication facts', () => {
    assert.deepEqual(replicationFacts('# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n'), {
      role: 'slave',
      linkUp: true,
      replicas: 0,
    });
  });
});

describe('a cut transfer', () => {
  test('names the replica limit and what to raise when Redis counted the disconnection', () => {
    const m = explainCut({
      received: 5e6,
      disconnectionsBefore: 0,
      disconnectionsAfter: 1,
      limits: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
      rdbOnly: false,
    });
    assert.match(m, /client-output-buffer-limit for replicas \(now "replica 268435456 67108864 60"\)/);
    assert.match(m, /CONFIG SET client-output-buffer-limit "replica 1gb 512mb 120"/);
    assert.match(m, /Nothing was kept/);
  });
  test('without the counter: the likely cause, or the log when rdb-only', () => {
    assert.match(explainCut({ received: 0, rdbOnly: false }), /usual cause is client-output-buffer-limit/);
    assert.match(explainCut({ received: 0, rdbOnly: true }), /server log/);
    assert.equal(replicaLimit('replica 1 2 3'), '1 2 3');
  });
});

describe('restore traps', () => {
  const info = (extra: string) =>
    `role:master\r\nconnected_slaves:0\r\naof_enabled:0\r\nused_memory:1000000\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n${extra}`;
  test('a replica is refused', () => {
    const r = checkLiveTraps(targetFacts(info('').replace('role:master', 'role:slave')), 10);
    assert.match(r.refusals[0], /replica.*full sync.*wipe/);
  });
  test('maxmemory too small is refused with a size', () => {
    const r = checkLiveTraps(targetFacts(info('').replace('maxmemory:0', 'maxmemory:1500000')), 1_000_000);
    assert.match(r.refusals[0], /not enough memory.*refuse writes with OOM.*at least 3\.0 MB/);
  });
  test('notes: replicas, existing keys, AOF', () => {
    const r = checkLiveTraps(
      targetFacts(
        info('db0:keys=5,expires=0\r\n')
          .replace('connected_slaves:0', 'connected_slaves:2')
          .replace('aof_enabled:0', 'aof_enabled:1'),
      ),
      10,
    );
    assert.deepEqual(r.refusals, []);
    assert.equal(r.notes.length, 3);
  });
});

test('progress line: bytes, rate, ETA', () => {
  assert.equal(progressLine(50e6, 100e6, 5000), '50.0 MB of 100.0 MB  10.0 MB/s  ETA 0:05');
  assert.equal(progressLine(50e6, undefined, 5000), '50.0 MB  10.0 MB/s');
});

test('the metrics file renders and parses back, the source label escaped', () => {
  const text = renderBackupMetrics('redis://ba"ck@h:1', {
    lastSuccessSeconds: 1796524303,
    lastSizeBytes: 42,
    failures: 3,
  });
  assert.match(text, /^redoubt_backup_last_success_timestamp_seconds\{source="redis:\/\/ba\\"ck@h:1"\} 1796524303$/m);
  assert.match(text, /^# TYPE redoubt_backup_failures_total counter$/m);
  assert.deepEqual(parseBackupMetrics(text), { lastSuccessSeconds: 1796524303, lastSizeBytes: 42, failures: 3 });
  assert.deepEqual(parseBackupMetrics(renderBackupMetrics('s', { failures: 0 })), {
    lastSuccessSeconds: undefined,
    lastSizeBytes: undefined,
    failures: 0,
  });
});

test('logical DUMP batches stay under the reply budget; a big key goes alone; unknown sizes make small batches', () => {
  assert.deepEqual(planBatches([10, 10, 10], 100), [[0, 1, 2]]);
  assert.deepEqual(planBatches([60, 60, 500, 10], 100), [[0], [1], [2], [3]]);
  assert.deepEqual(planBatches([40, 40, 40, 40], 100), [
    [0, 1],
    [2, 3],
  ]);
  const blind = planBatches(
    Array.from({ length: 40 }, () => undefined),
    160,
  );
  assert.deepEqual(
    blind.map((b) => b.length),
    [16, 16, 8],
  );
});
