import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import {
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

test('HARDENING_CHECKS holds RS019, RS020, RS021, RS027', () => {
  assert.deepEqual(
    HARDENING_CHECKS.map((c) => c.id),
    ['RS019', 'RS020', 'RS021', 'RS027'],
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
