import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStackConfig, StackConfigError } from '../../src/config/redoubt-yml.ts';
import { nextRunAt, parseBackupSchedule, schedulePeriodSeconds } from '../../src/config/up-backups.ts';

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

function yml(entry: string): string {
  return `redis:\n  targets: [redis://10.0.0.5:6379, redis://cache.internal:6380]\nup:\n  backups:\n${entry}`;
}

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseStackConfig(text, 'redoubt.yml'),
    (err: Error) => {
      assert.ok(err instanceof StackConfigError, `${err.name}: ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('redoubt.yml up.backups', () => {
  test('an entry per target: interval or daily time, recipient or passphrase file, keep, user', () => {
    const c = parseStackConfig(
      yml(
        `    - { target: redis://10.0.0.5:6379, schedule: 6h, out: backups, recipient: ${RECIPIENT}, keep: 7 }\n` +
          '    - target: redis://backup@cache.internal:6380\n      schedule: "03:00"\n      out: /var/backups/redis\n      passphraseFile: pass.txt\n',
      ),
    );
    assert.deepEqual(c.up.backups, [
      {
        target: 'redis://10.0.0.5:6379',
        schedule: '6h',
        out: 'backups',
        recipients: [RECIPIENT],
        passphraseFile: '',
        keep: 7,
        user: '',
      },
      {
        target: 'redis://backup@cache.internal:6380',
        schedule: '03:00',
        out: '/var/backups/redis',
        recipients: [],
        passphraseFile: 'pass.txt',
        keep: 0,
        user: '',
      },
    ]);
  });

  test('refusals name the key and its line', () => {
    rejects(
      yml(`    - { target: redis://10.0.0.9:6379, schedule: 6h, out: b, recipient: ${RECIPIENT} }\n`),
      /up\.backups\[0\]\.target must be one of redis\.targets .*\(line 5\)/,
    );
    rejects(
      yml(`    - { target: redis://10.0.0.5:6379, schedule: daily, out: b, recipient: ${RECIPIENT} }\n`),
      /up\.backups\[0\]\.schedule must be an interval .*\(line 5\)/,
    );
    rejects(
      yml('    - target: redis://10.0.0.5:6379\n      schedule: 1h\n      out: b\n      recipient: age1nope\n'),
      /up\.backups\[0\]\.recipient must be an age X25519 recipient.*\(line 8\)/,
    );
    rejects(
      yml('    - { target: redis://10.0.0.5:6379, schedule: 1h, out: b }\n'),
      /up\.backups\[0\] needs recipient \(age1…\) or passphraseFile/,
    );
    rejects(
      yml(`    - { target: redis://10.0.0.5:6379, schedule: 1h, out: b, recipient: ${RECIPIENT}, keep: -1 }\n`),
      /up\.backups\[0\]\.keep must be a whole number/,
    );
    rejects(
      yml(`    - { target: redis://10.0.0.5:6379, schedule: 1h, out: b, recipient: ${RECIPIENT}, every: 2 }\n`),
      /up\.backups\[0\]\.every is not a known key/,
    );
    rejects(
      yml(
        `    - { target: redis://10.0.0.5:6379, schedule: 1h, out: a, recipient: ${RECIPIENT} }\n` +
          `    - { target: redis://10.0.0.5:6379, schedule: 2h, out: b, recipient: ${RECIPIENT} }\n`,
      ),
      /up\.backups\[1\]\.target .* has a backup entry already \(line 6\)/,
    );
    rejects('up:\n  backups: nightly\n', /up\.backups must be a list/);
  });

  test('schedules: intervals of a second or more, daily times; the next run and the period', () => {
    assert.deepEqual(parseBackupSchedule('1h30m'), { kind: 'interval', everyMs: 5_400_000 });
    assert.deepEqual(parseBackupSchedule('2s'), { kind: 'interval', everyMs: 2000 });
    assert.equal(parseBackupSchedule('500ms'), undefined);
    assert.equal(parseBackupSchedule('24:00'), undefined);
    const daily = parseBackupSchedule('03:00');
    assert.deepEqual(daily, { kind: 'daily', hour: 3, minute: 0 });
    const at = new Date(2026, 11, 6, 2, 59, 0).getTime();
    assert.equal(nextRunAt(daily as never, at), new Date(2026, 11, 6, 3, 0, 0).getTime());
    assert.equal(
      nextRunAt(daily as never, new Date(2026, 11, 6, 3, 0, 0).getTime()),
      new Date(2026, 11, 7, 3).getTime(),
    );
    assert.equal(schedulePeriodSeconds(daily as never), 86400);
    assert.equal(schedulePeriodSeconds({ kind: 'interval', everyMs: 21_600_000 }), 21600);
  });
});
