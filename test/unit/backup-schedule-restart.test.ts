import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BackupScheduler } from '../../src/backup/scheduler.ts';
import { parseTarget } from '../../src/redis/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-schedule-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function manifest(file: string, size: number): string {
  return JSON.stringify({ format: 'redoubt-backup/1', file, size_bytes: size, kind: 'rdb' });
}

test('after a restart the last success and size come from the newest kept backup of that server', () => {
  for (const [stamp, size] of [
    ['20261205T030000Z', 100],
    ['20261206T030000Z', 250],
  ] as const) {
    writeFileSync(join(dir, `redis-db1-6379-${stamp}.rdb.age`), 'x');
    writeFileSync(
      join(dir, `redis-db1-6379-${stamp}.manifest.json`),
      manifest(`redis-db1-6379-${stamp}.rdb.age`, size),
    );
  }
  // Another server's newer backup is not this one's.
  writeFileSync(join(dir, 'redis-db2-6379-20261207T030000Z.rdb.age'), 'x');
  writeFileSync(join(dir, 'redis-db2-6379-20261207T030000Z.manifest.json'), manifest('x', 999));
  const appended: Array<[Record<string, string>, number]> = [];
  const s = new BackupScheduler(
    [
      {
        target: parseTarget('redis://backup@db1:6379'),
        schedule: { kind: 'daily', hour: 3, minute: 0 },
        outDir: dir,
        key: { kind: 'passphrase', passphrase: 'unused-passphrase' },
      },
    ],
    {
      history: { append: (l, _t, v) => appended.push([{ ...l }, v]) },
      appendEveryMs: 1000,
      say: () => {},
    },
  );
  const values = Object.fromEntries(
    s.families().map((f) => [f.name, f.samples.map((x) => [x.labels.source, x.value])]),
  );
  assert.deepEqual(values, {
    redoubt_backup_last_success_timestamp_seconds: [['redis://backup@db1:6379', Date.UTC(2026, 11, 6, 3) / 1000]],
    redoubt_backup_last_size_bytes: [['redis://backup@db1:6379', 250]],
    redoubt_backup_failures_total: [['redis://backup@db1:6379', 0]],
    redoubt_backup_interval_seconds: [['redis://backup@db1:6379', 86400]],
  });
  assert.equal(appended.length, 0, 'nothing is appended before start');
});
