import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import {
  checkEncodingThresholds,
  checkProtocolLimits,
  checkRunsAsRoot,
  checkSupervised,
  debugCommandEnabled,
  HARDENING_CHECKS,
  moduleLoadPossible,
  protectedConfigsModifiable,
  renameCommandUsed,
} from '../../../src/security/checks/hardening.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { assertNoSecret, fileFacts, liveFacts, OPEN_DEFAULT, server, user } from './facts-builder.ts';

const RENAMED_CONFIG = 'CFG_b840fc02d524045429941cc15f59e41cb7be6c52';

function run(check: Check, f: Facts): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f, RENAMED_CONFIG, 'CFG_');
  return r;
}

const CONFIG_FORBIDDEN = { config: 'CONFIG is not permitted for this user (NOPERM)' };
const redis6 = (...lines: string[]): Facts =>
  liveFacts({ server: server('6.2.14'), users: lines.map((l) => user(l)), config: { port: '6379' } });

test('HARDENING_CHECKS holds RS019, RS020, RS021, RS027, RS033, RS034, RS047, RS048', () => {
  assert.deepEqual(
    HARDENING_CHECKS.map((c) => c.id),
    ['RS019', 'RS020', 'RS021', 'RS027', 'RS033', 'RS034', 'RS047', 'RS048'],
  );
  for (const c of HARDENING_CHECKS) assert.equal(c.category, 'hardening');
});

const gates: Array<{ check: Check; setting: string; localSeverity: string; legacy: string }> = [
  { check: moduleLoadPossible, setting: 'enable-module-command', localSeverity: 'high', legacy: 'module|load' },
  { check: debugCommandEnabled, setting: 'enable-debug-command', localSeverity: 'low', legacy: 'debug' },
  {
    check: protectedConfigsModifiable,
    setting: 'enable-protected-configs',
    localSeverity: 'medium',
    legacy: 'config|set',
  },
];

for (const { check, setting, localSeverity, legacy } of gates) {
  describe(`${check.id} ${setting}`, () => {
    test(`fail: ${setting} yes, located at its line`, () => {
      const r = run(check, fileFacts({ config: { port: '6379', [setting]: 'yes' } }));
      assert.equal(r.status, 'fail');
      assert.equal(r.severity, undefined);
      assert.match(r.evidence, new RegExp(`^${setting} yes: any client that may run it`));
      assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
    });

    test(`fail (${localSeverity}): ${setting} local`, () => {
      const r = run(check, liveFacts({ config: { [setting]: 'local' } }));
      assert.equal(r.status, 'fail');
      assert.equal(r.severity, localSeverity);
      assert.match(r.evidence, /local connections/);
    });

    test(`pass: ${setting} no (the default)`, () => {
      const r = run(check, fileFacts({ config: { port: '6379' } }));
      assert.equal(r.status, 'pass');
      assert.match(r.evidence, new RegExp(`^${setting} no \\(default\\)`));
    });

    test(`fail before 7.0: a non-admin may run ${legacy}`, () => {
      const r = run(check, redis6(OPEN_DEFAULT));
      assert.equal(r.status, 'fail');
      assert.match(r.evidence, new RegExp(`Redis 6\\.2\\.14 has no ${setting}: user 'default' \\(\\+@all\\) may run`));
    });

    test(`pass before 7.0: only the admin may run ${legacy}`, () => {
      const r = run(
        check,
        redis6(
          'default on >Qm4vX8pL2wR6zT9kN3bH7jF5sD1gA0cE ~* +@all -@admin -@dangerous',
          'admin on >Qm4vX8pL2wR6zT9kN3bH7jF5sD1gA0cE ~* +@all',
        ),
      );
      assert.equal(r.status, 'pass');
    });

    test('unknown: CONFIG forbidden on 7.0', () => {
      const r = run(check, liveFacts({ unobserved: CONFIG_FORBIDDEN }));
      assert.equal(r.status, 'unknown');
      assert.match(r.evidence, /CONFIG is not permitted/);
    });

    test('unknown: ACL users forbidden before 7.0', () => {
      const r = run(check, liveFacts({ server: server('6.2.14'), unobserved: { users: 'ACL LIST: NOPERM' } }));
      assert.equal(r.status, 'unknown');
    });
  });
}

test('RS021 skips a Sentinel', () => {
  const r = run(protectedConfigsModifiable, liveFacts({ server: server('7.0.15', { mode: 'sentinel' }) }));
  assert.equal(r.status, 'skip');
});

test('RS019 lists modules loaded at boot and live', () => {
  const f = fileFacts({
    config: { port: '6379' },
    options: { directives: [{ name: 'loadmodule', args: ['/opt/redis/redisearch.so'] }] },
    modules: [{ name: 'search', version: '20811' }],
  });
  const r = run(moduleLoadPossible, f);
  assert.equal(r.status, 'pass');
  assert.match(r.evidence, /loadmodule at boot: \/opt\/redis\/redisearch\.so; modules loaded: search/);
});

describe('RS027 rename-command used', () => {
  test('fail: rename-command lines in a file, without the new names, located at the first', () => {
    const f = fileFacts({
      config: { port: '6379', requirepass: 'Qm4vX8pL2wR6zT9kN3bH7jF5sD1gA0cE' },
      options: { renamed: { config: RENAMED_CONFIG, flushall: '', debug: '' } },
    });
    const r = run(renameCommandUsed, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /rename-command for CONFIG \(renamed\), FLUSHALL \(disabled\), DEBUG \(disabled\)/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 3 });
  });

  test('fail: COMMAND INFO returns nothing for config (live)', () => {
    const r = run(renameCommandUsed, liveFacts({ commandsPresent: { config: false, flushall: true } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /COMMAND INFO returns nothing for config/);
  });

  test('fail: the pre-auth oracle alone', () => {
    const f = liveFacts({ unobserved: { commands: 'NOAUTH' }, unauth: { result: 'noauth', configRenamed: true } });
    const r = run(renameCommandUsed, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /shows before login/);
  });

  test('pass: no rename in the file, all commands present live', () => {
    assert.equal(run(renameCommandUsed, fileFacts({ config: { port: '6379' } })).status, 'pass');
    const r = run(renameCommandUsed, liveFacts({ commandsPresent: { config: true, flushall: true } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /checked: COMMAND INFO/);
  });

  test('unknown: nothing observed', () => {
    const r = run(renameCommandUsed, liveFacts({ unobserved: { commands: 'COMMAND is not permitted (NOPERM)' } }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /COMMAND is not permitted/);
  });
});

describe('RS033 protocol size limits', () => {
  test('fail: proto-max-bulk-len raised in a file, located', () => {
    const r = run(checkProtocolLimits, fileFacts({ config: { port: '6379', 'proto-max-bulk-len': '2gb' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /proto-max-bulk-len 2 GiB \(default 512 MiB\)/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: client-query-buffer-limit raised on a live server', () => {
    const r = run(checkProtocolLimits, liveFacts({ config: { 'client-query-buffer-limit': String(4 * 1024 ** 3) } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /client-query-buffer-limit 4 GiB/);
  });

  test('pass: defaults', () => {
    const r = run(checkProtocolLimits, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'proto-max-bulk-len 512 MiB, client-query-buffer-limit 1 GiB');
  });

  test('pass: lowered limits', () => {
    assert.equal(run(checkProtocolLimits, fileFacts({ config: { 'proto-max-bulk-len': '64mb' } })).status, 'pass');
  });

  test('unknown: CONFIG forbidden', () => {
    const r = run(checkProtocolLimits, liveFacts({ unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });
});

describe('RS034 encoding thresholds', () => {
  test('fail: set-max-intset-entries and a ziplist alias far above the defaults', () => {
    const r = run(
      checkEncodingThresholds,
      fileFacts({ config: { 'set-max-intset-entries': '5000000', 'hash-max-ziplist-entries': '1000000' } }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /set-max-intset-entries 5000000/);
    assert.match(r.evidence, /hash-max-ziplist-entries 1000000/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('fail: a listpack value size on a live server', () => {
    const r = run(checkEncodingThresholds, liveFacts({ config: { 'zset-max-listpack-value': '500000' } }));
    assert.equal(r.status, 'fail');
  });

  test('pass: defaults', () => {
    const r = run(checkEncodingThresholds, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'encoding thresholds at their defaults');
  });

  test('pass: moderately raised values are named', () => {
    const r = run(checkEncodingThresholds, fileFacts({ config: { 'hash-max-listpack-entries': '512' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /hash-max-listpack-entries 512/);
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkEncodingThresholds, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS047 supervision', () => {
  test('fail: process_supervised:no on a live server', () => {
    const r = run(checkSupervised, liveFacts({ info: { process_supervised: 'no' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /process_supervised:no/);
  });

  test('fail: supervised no written in a file', () => {
    const r = run(checkSupervised, fileFacts({ config: { supervised: 'no' } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('pass: systemd (live)', () => {
    const r = run(checkSupervised, liveFacts({ info: { process_supervised: 'systemd' } }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'process_supervised:systemd');
  });

  test('pass: supervised systemd in a file', () => {
    assert.equal(run(checkSupervised, fileFacts({ config: { supervised: 'systemd' } })).status, 'pass');
  });

  test('unknown: a file that does not say (the unit may pass --supervised)', () => {
    const r = run(checkSupervised, fileFacts({ config: {} }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /--supervised/);
  });

  test('unknown: nothing observed', () => {
    const r = run(checkSupervised, liveFacts({ unobserved: { ...CONFIG_FORBIDDEN, info: 'INFO not permitted' } }));
    assert.equal(r.status, 'unknown');
  });
});

describe('RS048 running as root', () => {
  const local = (uid: number): Facts['local'] => ({ uid, files: [] });

  test('fail: uid 0 read on the host', () => {
    const r = run(checkRunsAsRoot, liveFacts({ server: server('7.2.4', { processId: 812 }), local: local(0) }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /redis-server \(pid 812\) runs as uid 0 \(root\)/);
  });

  test('fail (medium, heuristic): dir under /root', () => {
    const r = run(checkRunsAsRoot, fileFacts({ config: { dir: '/root/redis' } }));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'medium');
    assert.match(r.evidence, /heuristic/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('fail (medium, heuristic): config_file under /root from INFO', () => {
    const r = run(checkRunsAsRoot, liveFacts({ info: { config_file: '/root/redis.conf' } }));
    assert.equal(r.severity, 'medium');
  });

  test('pass: uid 999', () => {
    const r = run(checkRunsAsRoot, liveFacts({ local: local(999) }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /uid 999/);
  });

  test('unknown: a remote audit without hints, with the reason', () => {
    const r = run(
      checkRunsAsRoot,
      liveFacts({ config: { dir: '/var/lib/redis' }, unobserved: { local: 'the server runs on another host' } }),
    );
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /another host/);
  });
});
