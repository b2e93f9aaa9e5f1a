import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkMasterauth, checkReplicaReadOnly, REPLICATION_CHECKS } from '../../../src/security/checks/replication.ts';
import { CONFIG_FORBIDDEN, fileFacts, liveFacts, run, server } from './facts-builder.ts';

const replica = (link: string) => ({
  role: 'slave',
  master_host: '10.0.0.5',
  master_port: '6379',
  master_link_status: link,
});

test('REPLICATION_CHECKS holds RS039, RS040', () => {
  assert.deepEqual(
    REPLICATION_CHECKS.map((c) => c.id),
    ['RS039', 'RS040'],
  );
});

describe('RS039 masterauth', () => {
  test('fail: a replica whose link is down and that has no masterauth', () => {
    const r = run(checkMasterauth, liveFacts({ info: replica('down'), config: { masterauth: '' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /replica of 10\.0\.0\.5:6379 with master_link_status:down and masterauth not set/);
  });

  test('fail: replicaof in a file without masterauth, located at replicaof', () => {
    const r = run(checkMasterauth, fileFacts({ config: { port: '6379', replicaof: '10.0.0.5 6379' } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: the slaveof alias', () => {
    const r = run(checkMasterauth, fileFacts({ config: { slaveof: '10.0.0.5 6379' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /^slaveof 10\.0\.0\.5 6379 without masterauth/);
  });

  test('pass: the link is up', () => {
    const r = run(
      checkMasterauth,
      liveFacts({ info: replica('up'), config: { masterauth: '<redacted>', masteruser: 'replica' } }),
    );
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /as masteruser replica: master_link_status:up/);
  });

  test('pass: masterauth set in a file, its value never shown', () => {
    const f = fileFacts({ config: { replicaof: '10.0.0.5 6379', masterauth: 'Repl-S3cret-Pass' } });
    const r = run(checkMasterauth, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /with masterauth set/);
  });

  test('pass: link down for another reason when masterauth is set', () => {
    const r = run(checkMasterauth, liveFacts({ info: replica('down'), config: { masterauth: '<redacted>' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /has another cause/);
  });

  test('unknown: link down and CONFIG forbidden', () => {
    const r = run(checkMasterauth, liveFacts({ info: replica('down'), unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });

  test('unknown: INFO not observed on a live server', () => {
    const r = run(checkMasterauth, liveFacts({ config: {}, unobserved: { info: 'INFO is not permitted' } }));
    assert.equal(r.status, 'unknown');
  });

  test('skip: a master; a file without replicaof; a Sentinel', () => {
    assert.equal(run(checkMasterauth, liveFacts({ info: { role: 'master' } })).status, 'skip');
    assert.equal(run(checkMasterauth, fileFacts({ config: {} })).status, 'skip');
    assert.equal(run(checkMasterauth, liveFacts({ server: server('7.0.15', { mode: 'sentinel' }) })).status, 'skip');
  });
});

describe('RS040 replica-read-only', () => {
  test('fail: replica-read-only no at runtime', () => {
    const r = run(checkReplicaReadOnly, liveFacts({ info: { role: 'slave' }, config: { 'replica-read-only': 'no' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /this replica accepts writes/);
  });

  test('fail: slave-read-only no in a file, located', () => {
    const r = run(checkReplicaReadOnly, fileFacts({ config: { 'slave-read-only': 'no' } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('fail: the later of the two spellings wins in a file', () => {
    const r = run(checkReplicaReadOnly, fileFacts({ config: { 'replica-read-only': 'yes', 'slave-read-only': 'no' } }));
    assert.equal(r.status, 'fail');
  });

  test('pass: the default', () => {
    const r = run(checkReplicaReadOnly, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'replica-read-only yes (default)');
  });

  test('pass: from INFO when CONFIG is forbidden (a replica shows slave_read_only)', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN });
    f.config = {
      values: { 'replica-read-only': 'yes' },
      locations: {},
      directives: [],
      renamedCommands: {},
      derivedFromInfo: ['replica-read-only'],
    };
    const r = run(checkReplicaReadOnly, f);
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'replica-read-only yes (from INFO)');
  });

  test('unknown: CONFIG forbidden on a master', () => {
    assert.equal(run(checkReplicaReadOnly, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });

  test('skip: Sentinel', () => {
    assert.equal(
      run(checkReplicaReadOnly, liveFacts({ server: server('7.0.15', { mode: 'sentinel' }) })).status,
      'skip',
    );
  });
});
