import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPersistence, DATA_PROTECTION_CHECKS } from '../../../src/security/checks/data-protection.ts';
import { CONFIG_FORBIDDEN, fileFacts, liveFacts, run, server } from './facts-builder.ts';

test('DATA_PROTECTION_CHECKS holds RS042', () => {
  assert.deepEqual(
    DATA_PROTECTION_CHECKS.map((c) => c.id),
    ['RS042'],
  );
});

describe('RS042 persistence', () => {
  test('fail (info): save "" and appendonly no in a file, located at save', () => {
    const r = run(checkPersistence, fileFacts({ config: { port: '6379', save: '', appendonly: 'no' } }));
    assert.equal(r.status, 'fail');
    assert.equal(checkPersistence.severity, 'info');
    assert.match(r.evidence, /save "" and appendonly no: no persistence/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail (info): disabled on a live server', () => {
    const r = run(checkPersistence, liveFacts({ config: { save: '', appendonly: 'no' } }));
    assert.equal(r.status, 'fail');
  });

  test('fail (medium): the last background save failed', () => {
    const r = run(checkPersistence, liveFacts({ config: {}, info: { rdb_last_bgsave_status: 'err' } }));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'medium');
    assert.match(r.evidence, /rdb_last_bgsave_status:err/);
  });

  test('pass: the default snapshot rules', () => {
    const r = run(checkPersistence, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'RDB snapshots: save 3600 1 300 100 60 10000 (default)');
  });

  test('pass: save lines after save "" add rules again', () => {
    const f = fileFacts({
      options: {
        directives: [
          { name: 'save', args: [] },
          { name: 'save', args: ['900', '1'] },
        ],
      },
    });
    const r = run(checkPersistence, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /save 900 1/);
  });

  test('pass: AOF only (the Bitnami layout)', () => {
    const r = run(checkPersistence, fileFacts({ config: { save: '', appendonly: 'yes' } }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'AOF: appendonly yes');
  });

  test('pass: AOF from INFO when CONFIG is forbidden', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN });
    f.config = {
      values: { appendonly: 'yes' },
      locations: {},
      directives: [],
      renamedCommands: {},
      derivedFromInfo: ['appendonly'],
    };
    assert.equal(run(checkPersistence, f).status, 'pass');
  });

  test('unknown: CONFIG forbidden and AOF off (the snapshot rules are not in INFO)', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN });
    f.config = {
      values: { appendonly: 'no' },
      locations: {},
      directives: [],
      renamedCommands: {},
      derivedFromInfo: ['appendonly'],
    };
    const r = run(checkPersistence, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /\(save\)/);
  });

  test('unknown: nothing observed', () => {
    assert.equal(run(checkPersistence, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });

  test('skip: Sentinel', () => {
    assert.equal(run(checkPersistence, liveFacts({ server: server('7.0.15', { mode: 'sentinel' }) })).status, 'skip');
  });
});
