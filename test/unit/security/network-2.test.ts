import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import {
  checkClusterBus,
  checkUnixSocketPermissions,
  NETWORK_2_CHECKS,
} from '../../../src/security/checks/network-2.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { assertNoSecret, fileFacts, liveFacts, server } from './facts-builder.ts';

function run(check: Check, f: Facts): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f);
  return r;
}

const CONFIG_FORBIDDEN = { config: 'CONFIG is not permitted for this user (NOPERM)' };
const SOCKET = '/run/redis/redis.sock';

test('NETWORK_2_CHECKS holds RS045, RS052', () => {
  assert.deepEqual(
    NETWORK_2_CHECKS.map((c) => c.id),
    ['RS045', 'RS052'],
  );
  assert.ok(NETWORK_2_CHECKS.every((c) => c.category === 'network'));
});

describe('RS045 unix socket permissions', () => {
  test('fail: unixsocketperm 777 in a file, located at unixsocketperm', () => {
    const r = run(checkUnixSocketPermissions, fileFacts({ config: { unixsocket: SOCKET, unixsocketperm: '777' } }));
    assert.equal(r.status, 'fail');
    assert.match(
      r.evidence,
      /unix socket \/run\/redis\/redis\.sock with unixsocketperm 777: every local user can connect/,
    );
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: the mode on disk wins over the configured one', () => {
    const f = liveFacts({
      config: { unixsocket: SOCKET, unixsocketperm: '700' },
      local: { uid: 999, files: [{ path: SOCKET, role: 'unixsocket', mode: 0o140766, uid: 999 }] },
    });
    const r = run(checkUnixSocketPermissions, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /mode 766 on disk/);
  });

  test('pass: 700 (and 770 for a dedicated group)', () => {
    const r = run(
      checkUnixSocketPermissions,
      liveFacts({ server: server('7.2.4'), config: { unixsocket: SOCKET, unixsocketperm: '700' } }),
    );
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'unix socket /run/redis/redis.sock with unixsocketperm 700: no access for other users');
    assert.equal(
      run(checkUnixSocketPermissions, fileFacts({ config: { unixsocket: SOCKET, unixsocketperm: '0770' } })).status,
      'pass',
    );
  });

  test('pass, noting the CVE-2023-45145 startup race on an unfixed version', () => {
    const r = run(
      checkUnixSocketPermissions,
      liveFacts({ server: server('7.2.1'), config: { unixsocket: SOCKET, unixsocketperm: '700' } }),
    );
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /predates the CVE-2023-45145 fix/);
  });

  test('unknown: unixsocketperm 0 leaves it to the umask', () => {
    const r = run(checkUnixSocketPermissions, fileFacts({ config: { unixsocket: SOCKET } }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /umask/);
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkUnixSocketPermissions, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });

  test('skip: no unix socket', () => {
    assert.equal(run(checkUnixSocketPermissions, fileFacts({ config: {} })).status, 'skip');
  });
});

describe('RS052 cluster bus', () => {
  test('fail: cluster enabled with tls-cluster no; the bus is port + 10000', () => {
    const r = run(checkClusterBus, fileFacts({ config: { port: '7000', 'cluster-enabled': 'yes' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /the cluster bus on port 17000 is plaintext/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: an explicit cluster-port', () => {
    const r = run(
      checkClusterBus,
      liveFacts({ config: { 'cluster-enabled': 'yes', 'cluster-port': '16400', 'tls-cluster': 'no' } }),
    );
    assert.match(r.evidence, /port 16400/);
  });

  test('pass: tls-cluster yes', () => {
    const r = run(
      checkClusterBus,
      liveFacts({ config: { 'cluster-enabled': 'yes', 'tls-cluster': 'yes', port: '0' } }),
    );
    assert.equal(r.status, 'pass');
  });

  test('unknown: cluster enabled (from INFO) but tls-cluster not observed', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN });
    f.config = {
      values: { 'cluster-enabled': 'yes' },
      locations: {},
      directives: [],
      renamedCommands: {},
      derivedFromInfo: ['cluster-enabled'],
    };
    const r = run(checkClusterBus, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /tls-cluster/);
  });

  test('unknown: nothing observed', () => {
    assert.equal(run(checkClusterBus, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });

  test('skip: not a cluster', () => {
    assert.equal(run(checkClusterBus, fileFacts({ config: {} })).status, 'skip');
  });
});
