import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bindAllInterfaces,
  checkClusterBus,
  checkUnixSocketPermissions,
  defaultPort,
  NETWORK_CHECKS,
  protectedModeDisabled,
} from '../../../src/security/checks/network.ts';
import { classifyAddress } from '../../../src/security/views/listeners.ts';
import { CONFIG_FORBIDDEN, fileFacts, liveFacts, OPEN_DEFAULT, run, server, UNIX_ONLY, user } from './facts-builder.ts';

test('NETWORK_CHECKS holds RS008, RS009, RS010, RS045, RS052', () => {
  assert.deepEqual(
    NETWORK_CHECKS.map((c) => c.id),
    ['RS008', 'RS009', 'RS010', 'RS045', 'RS052'],
  );
  assert.ok(NETWORK_CHECKS.every((c) => c.category === 'network'));
});

test('classifyAddress', () => {
  assert.equal(classifyAddress('*'), 'all');
  assert.equal(classifyAddress('0.0.0.0'), 'all');
  assert.equal(classifyAddress('::*'), 'all');
  assert.equal(classifyAddress('127.0.0.1'), 'loopback');
  assert.equal(classifyAddress('::1'), 'loopback');
  assert.equal(classifyAddress('10.1.2.3'), 'private');
  assert.equal(classifyAddress('172.20.0.1'), 'private');
  assert.equal(classifyAddress('192.168.1.1'), 'private');
  assert.equal(classifyAddress('fd00::5'), 'private');
  assert.equal(classifyAddress('203.0.113.5'), 'public');
  assert.equal(classifyAddress('2001:db8::1'), 'public');
});

describe('RS008 bound to all interfaces', () => {
  test('fail: bind 0.0.0.0 in a file, located at the bind line', () => {
    const r = run(bindAllInterfaces, fileFacts({ config: { port: '6379', bind: '0.0.0.0' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /bind 0\.0\.0\.0: Redis listens on every interface/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: no bind directive means every interface', () => {
    const r = run(bindAllInterfaces, fileFacts({ config: { port: '6379' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /default: no bind directive/);
  });

  test('fail: a public address', () => {
    const r = run(
      bindAllInterfaces,
      liveFacts({ config: { bind: '127.0.0.1 203.0.113.5', port: '6379', 'tls-port': '0' } }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /203\.0\.113\.5 is not a loopback or private address/);
  });

  test('pass: loopback and private addresses (optional -::1 included)', () => {
    const r = run(bindAllInterfaces, fileFacts({ config: { bind: '127.0.0.1 -::1 10.0.0.5' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /loopback and private addresses only/);
  });

  test('skip: unix socket only', () => {
    assert.equal(run(bindAllInterfaces, fileFacts({ config: UNIX_ONLY })).status, 'skip');
  });

  test('unknown: CONFIG forbidden', () => {
    const r = run(bindAllInterfaces, liveFacts({ unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /CONFIG is not permitted/);
  });
});

describe('RS009 protected-mode', () => {
  test('fail: protected-mode no', () => {
    const f = fileFacts({ config: { bind: '127.0.0.1', 'protected-mode': 'no', requirepass: 'x'.repeat(8) } });
    const r = run(protectedModeDisabled, f);
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, undefined);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail (critical): protected-mode no, no password, every interface', () => {
    const f = liveFacts({
      config: { bind: '* -::*', 'protected-mode': 'no', port: '6379', 'tls-port': '0' },
      users: [user(OPEN_DEFAULT)],
    });
    const r = run(protectedModeDisabled, f);
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'critical');
    assert.match(r.evidence, /nothing stops outsiders/);
  });

  test('fail: Redis 6 with an explicit bind and no password', () => {
    const f = liveFacts({
      server: server('6.2.14'),
      config: { bind: '0.0.0.0', 'protected-mode': 'yes', port: '6379', 'tls-port': '0' },
      users: [user(OPEN_DEFAULT)],
    });
    const r = run(protectedModeDisabled, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /before 7\.0/);
  });

  test('pass: the Redis 7 default, and the same on 7 with an explicit bind', () => {
    const r = run(protectedModeDisabled, fileFacts({ config: { port: '6379' } }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'protected-mode yes (default)');
    const seven = liveFacts({
      config: { bind: '0.0.0.0', 'protected-mode': 'yes', port: '6379', 'tls-port': '0' },
      users: [user(OPEN_DEFAULT)],
    });
    assert.equal(run(protectedModeDisabled, seven).status, 'pass');
  });

  test('pass: CONFIG forbidden, but the probe got DENIED', () => {
    const r = run(protectedModeDisabled, liveFacts({ unobserved: CONFIG_FORBIDDEN, unauth: { result: 'denied' } }));
    assert.equal(r.status, 'pass');
  });

  test('skip: Sentinel, and a unix-socket-only server', () => {
    const sentinel = liveFacts({ server: server('7.0.15', { mode: 'sentinel' }), config: { 'protected-mode': 'no' } });
    assert.equal(run(protectedModeDisabled, sentinel).status, 'skip');
    assert.equal(run(protectedModeDisabled, fileFacts({ config: UNIX_ONLY })).status, 'skip');
  });

  test('unknown: CONFIG forbidden and no probe', () => {
    const r = run(protectedModeDisabled, liveFacts({ unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /protected-mode/);
  });
});

describe('RS010 default port', () => {
  test('fail: 6379 on every interface', () => {
    const r = run(defaultPort, fileFacts({ config: { port: '6379', bind: '0.0.0.0' } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('fail: the default tls-port on a private address', () => {
    const r = run(defaultPort, fileFacts({ config: { port: '0', 'tls-port': '6379', bind: '10.0.0.5' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /tls-port 6379/);
  });

  test('pass: a non-default port, or the default one on loopback only', () => {
    assert.equal(run(defaultPort, fileFacts({ config: { port: '16379', bind: '0.0.0.0' } })).status, 'pass');
    const r = run(defaultPort, fileFacts({ config: { bind: '127.0.0.1' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /loopback only/);
  });

  test('skip: unix socket only', () => {
    assert.equal(run(defaultPort, fileFacts({ config: UNIX_ONLY })).status, 'skip');
  });

  test('unknown: INFO shows the port, but bind is not observable', () => {
    const f = liveFacts({ server: server('7.0.15', { tcpPort: 6379 }), unobserved: CONFIG_FORBIDDEN });
    const r = run(defaultPort, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /tcp_port \(INFO\) 6379/);
  });

  test('unknown: nothing observed', () => {
    const r = run(defaultPort, liveFacts({ server: undefined, unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
  });
});

// RS045, RS052 --------------------------------------------------------------------------------------------------

const SOCKET = '/run/redis/redis.sock';

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
