import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import {
  checkEncodingThresholds,
  checkProtocolLimits,
  checkRunsAsRoot,
  checkSupervised,
  HARDENING_2_CHECKS,
} from '../../../src/security/checks/hardening-2.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { assertNoSecret, fileFacts, liveFacts, server } from './facts-builder.ts';

function run(check: Check, f: Facts): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f);
  return r;
}

const CONFIG_FORBIDDEN = { config: 'CONFIG is not permitted for this user (NOPERM)' };

test('HARDENING_2_CHECKS holds RS033, RS034, RS047, RS048', () => {
  assert.deepEqual(
    HARDENING_2_CHECKS.map((c) => c.id),
    ['RS033', 'RS034', 'RS047', 'RS048'],
  );
  assert.ok(HARDENING_2_CHECKS.every((c) => c.category === 'hardening'));
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
