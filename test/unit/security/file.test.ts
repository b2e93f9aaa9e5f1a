import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkFilePermissions, FILE_CHECKS } from '../../../src/security/checks/file.ts';
import { aclFile, fileFacts, liveFacts, run } from './facts-builder.ts';

const CONF = '/etc/redis/redis.conf';
const ACL = '/etc/redis/users.acl';
const stat = (path: string, role: 'config' | 'aclfile' | 'dir', mode: number, uid = 0) => ({
  path,
  role,
  mode: 0o100000 | mode,
  uid,
});

test('FILE_CHECKS holds RS049', () => {
  assert.deepEqual(
    FILE_CHECKS.map((c) => c.id),
    ['RS049'],
  );
});

describe('RS049 config and ACL file permissions', () => {
  test('fail: a world-readable redis.conf names what it holds, never the values', () => {
    const f = fileFacts({
      config: { requirepass: 'Sup3r-Secret-Pass!', masterauth: 'Repl-Secret-77' },
      options: { file: CONF, renamed: { config: 'CFG_b840f00d' } },
      local: { uid: 999, files: [stat(CONF, 'config', 0o644)] },
    });
    const r = run(checkFilePermissions, f);
    assert.equal(r.status, 'fail');
    assert.match(
      r.evidence,
      /\/etc\/redis\/redis\.conf \(config, mode 0644\) is world-readable; it holds requirepass, masterauth, renamed command names/,
    );
  });

  test("fail: a world-readable ACL file with '>' passwords", () => {
    const f = fileFacts({
      config: { aclfile: ACL },
      users: aclFile(ACL, ['user app on >app-Passw0rd-1 ~app:* +get']),
      local: { uid: 999, files: [stat(ACL, 'aclfile', 0o604, 999)] },
    });
    const r = run(checkFilePermissions, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /ACL file, mode 0604\) is world-readable; it holds '>' passwords/);
  });

  test('fail: a world-readable sentinel.conf with Sentinel passwords', () => {
    const f = fileFacts({
      options: {
        file: 'sentinel.conf',
        directives: [
          { name: 'sentinel', args: ['monitor', 'mymaster', '10.0.0.5', '6379', '2'] },
          { name: 'sentinel', args: ['auth-pass', 'mymaster', 'Master-Pass-q1'] },
        ],
      },
      local: { files: [stat('sentinel.conf', 'config', 0o644)] },
    });
    const r = run(checkFilePermissions, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /it holds Sentinel passwords/);
    assert.ok(!r.evidence.includes('Master-Pass-q1'));
  });

  test('fail: world-writable, or owned by another user', () => {
    const f = liveFacts({ local: { uid: 999, files: [stat(CONF, 'config', 0o662, 1000)] } });
    const r = run(checkFilePermissions, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /world-writable and owned by uid 1000, neither root nor the server's user/);
  });

  test('fail: a world-writable data directory, by its mode (sticky or not), whatever its name', () => {
    for (const [dir, mode, sticky] of [
      ['/tmp', 0o1777, true],
      ['/var/lib/redis', 0o777, false],
    ] as const) {
      const f = liveFacts({ local: { uid: 999, files: [stat(CONF, 'config', 0o640), stat(dir, 'dir', mode, 999)] } });
      const r = run(checkFilePermissions, f);
      assert.equal(r.status, 'fail', dir);
      assert.match(
        r.evidence,
        new RegExp(`the data directory ${dir} \\(mode 0777${sticky ? ', sticky' : ''}\\) is world-writable`),
      );
      assert.doesNotMatch(r.evidence, /redis\.conf/, 'the config file is fine');
      assert.equal(r.severity, undefined, 'the catalogue severity (medium)');
    }
  });

  test('pass: a private data directory under /tmp (mode 0700): its name says nothing', () => {
    const f = liveFacts({ local: { uid: 999, files: [stat('/tmp/redis-data', 'dir', 0o700, 999)] } });
    const r = run(checkFilePermissions, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /data directory \/tmp\/redis-data \(mode 0700\) not writable by others/);
  });

  test('pass: Debian modes (0640 root:redis, ACL file 0600 redis)', () => {
    const f = liveFacts({
      local: { uid: 999, files: [stat(CONF, 'config', 0o640), stat(ACL, 'aclfile', 0o600, 999)] },
    });
    const r = run(checkFilePermissions, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /mode 0640.*mode 0600.*not readable by other users/);
  });

  test('unknown: no stat() facts, with the reason', () => {
    const r = run(checkFilePermissions, liveFacts({ unobserved: { local: 'the server runs on another host' } }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /another host/);
  });
});
