import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AVAILABILITY_CHECKS,
  checkIdleTimeout,
  checkMaxclients,
  checkMaxmemory,
  checkMaxmemoryPolicy,
  checkOutputBufferLimits,
  checkScriptTimeout,
  keysCommand,
} from '../../../src/security/checks/availability.ts';
import {
  CONFIG_FORBIDDEN,
  facts,
  fileFacts,
  hardenedAclFacts,
  liveFacts,
  liveWith,
  PW,
  run,
  server,
  user,
} from './facts-builder.ts';

const SENTINEL = liveFacts({ server: server('7.0.15', { mode: 'sentinel' }) });

test('AVAILABILITY_CHECKS holds RS025, RS028–RS032 and RS044 with catalogue metadata', () => {
  assert.deepEqual(
    AVAILABILITY_CHECKS.map((c) => c.id),
    ['RS025', 'RS028', 'RS029', 'RS030', 'RS031', 'RS032', 'RS044'],
  );
  assert.ok(AVAILABILITY_CHECKS.every((c) => c.category === 'availability'));
});

describe('RS025 KEYS', () => {
  test('fail: +@read includes KEYS unless -@dangerous', () => {
    const r = run(keysCommand, liveWith('default off', `app on >${PW} ~app:* -@all +@read`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /may run keys/);
  });

  test('pass: the hardened users', () => {
    assert.equal(run(keysCommand, hardenedAclFacts(PW)).status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(
      run(keysCommand, liveFacts({ unobserved: { users: 'ACL LIST is not permitted for this user (NOPERM)' } })).status,
      'unknown',
    );
  });
});

test('RS025 skips on a Sentinel', () => {
  const sentinel = liveFacts({
    server: server('7.0.15', { mode: 'sentinel' }),
    users: [user('default on nopass ~* &* +@all')],
  });
  const sentinelConf = fileFacts({
    config: { port: '26379' },
    options: { directives: [{ name: 'sentinel', args: ['monitor', 'mymaster', '10.0.0.4', '6379', '2'] }] },
  });
  for (const f of [sentinel, sentinelConf]) {
    const r = run(keysCommand, f);
    assert.equal(r.status, 'skip', r.evidence);
    assert.match(r.evidence, /RS050/);
  }
});

describe('RS028 maxmemory unset', () => {
  test('fail: no maxmemory directive means no limit', () => {
    const r = run(checkMaxmemory, fileFacts({ config: { port: '6379' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /maxmemory 0 \(default\): no memory limit/);
    assert.equal(r.location, undefined);
  });

  test('fail: maxmemory 0 in a file, located at its line', () => {
    const r = run(checkMaxmemory, fileFacts({ config: { port: '6379', maxmemory: '0' } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: a limit above the host memory is never reached', () => {
    const r = run(
      checkMaxmemory,
      liveFacts({
        config: { maxmemory: String(64 * 1024 ** 3) },
        info: { total_system_memory: String(8 * 1024 ** 3) },
      }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /64 GiB is above the host's memory/);
  });

  test('pass: maxmemory 2gb', () => {
    const r = run(checkMaxmemory, fileFacts({ config: { maxmemory: '2gb' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /maxmemory 2 GiB/);
  });

  test('pass: from INFO when CONFIG is forbidden', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN });
    f.config = {
      values: { maxmemory: '1073741824' },
      locations: {},
      directives: [],
      renamedCommands: {},
      derivedFromInfo: ['maxmemory'],
    };
    assert.equal(run(checkMaxmemory, f).status, 'pass');
  });

  test('unknown: CONFIG forbidden and no INFO stand-in, with the reason', () => {
    const r = run(checkMaxmemory, liveFacts({ unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });

  test('skip: a Sentinel holds no data', () => {
    assert.equal(run(checkMaxmemory, SENTINEL).status, 'skip');
  });
});

describe('RS029 maxmemory-policy', () => {
  test('fail: volatile-lru while no key has a TTL', () => {
    const r = run(
      checkMaxmemoryPolicy,
      liveFacts({
        config: { maxmemory: '1gb', 'maxmemory-policy': 'volatile-lru' },
        info: { redis_version: '7.0.15', db0: 'keys=120,expires=0,avg_ttl=0', db1: 'keys=3,expires=0,avg_ttl=0' },
      }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /none of the 123 keys has one/);
  });

  test('pass: noeviction, with what it means', () => {
    const r = run(checkMaxmemoryPolicy, fileFacts({ config: { maxmemory: '1gb' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /maxmemory-policy noeviction \(default\): writes fail with OOM/);
  });

  test('pass: allkeys-lru', () => {
    const r = run(checkMaxmemoryPolicy, fileFacts({ config: { maxmemory: '1gb', 'maxmemory-policy': 'allkeys-lru' } }));
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('skip: maxmemory 0 never evicts', () => {
    assert.equal(run(checkMaxmemoryPolicy, fileFacts({ config: {} })).status, 'skip');
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkMaxmemoryPolicy, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS030 maxclients', () => {
  test('fail: connections were rejected', () => {
    const r = run(
      checkMaxclients,
      liveFacts({ config: { maxclients: '1000' }, info: { rejected_connections: '37', connected_clients: '1000' } }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /37 connections were rejected .*maxclients 1000/);
  });

  test('pass: none rejected', () => {
    const r = run(
      checkMaxclients,
      liveFacts({ config: {}, info: { rejected_connections: '0', connected_clients: '5' } }),
    );
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /maxclients 10000 \(default\)/);
  });

  test('pass: a file that sets maxclients', () => {
    const r = run(checkMaxclients, fileFacts({ config: { maxclients: '2000' } }));
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('unknown: a file left at the default cannot show the descriptor limit', () => {
    const r = run(checkMaxclients, fileFacts({ config: {} }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /file-descriptor limit/);
  });

  test('unknown: nothing observed', () => {
    assert.equal(run(checkMaxclients, facts({ live: true, unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS031 idle timeout', () => {
  test('fail: timeout 0 by default', () => {
    const r = run(checkIdleTimeout, fileFacts({ config: {} }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /timeout 0 \(default\): idle connections are kept forever/);
  });

  test('fail: and tcp-keepalive 0 too', () => {
    const r = run(checkIdleTimeout, liveFacts({ config: { timeout: '0', 'tcp-keepalive': '0' } }));
    assert.match(r.evidence, /tcp-keepalive 0 too/);
  });

  test('pass: timeout 300', () => {
    const r = run(checkIdleTimeout, fileFacts({ config: { timeout: '300' } }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'timeout 300 s');
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkIdleTimeout, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS032 client output buffer limits', () => {
  test('fail: pubsub 0 0 0 in a file, located at that line', () => {
    const f = fileFacts({
      config: { port: '6379' },
      options: {
        directives: [
          { name: 'client-output-buffer-limit', args: ['replica', '256mb', '64mb', '60'] },
          { name: 'client-output-buffer-limit', args: ['pubsub', '0', '0', '0'] },
        ],
      },
    });
    const r = run(checkOutputBufferLimits, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /pubsub unbounded \(0 0 0\)/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 3 });
  });

  test('fail: replica limits removed on a live server', () => {
    const r = run(
      checkOutputBufferLimits,
      liveFacts({
        server: server('7.2.11'),
        config: { 'client-output-buffer-limit': 'normal 0 0 0 slave 0 0 0 pubsub 33554432 8388608 60' },
      }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /replica unbounded/);
  });

  test('fail (high): normal unbounded on a version without the CVE-2025-21605 fix', () => {
    const r = run(checkOutputBufferLimits, liveFacts({ server: server('7.2.7'), config: {} }));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'high');
    assert.match(r.evidence, /CVE-2025-21605 fix \(fixed in 7\.2\.8\)/);
  });

  test('pass: defaults on a fixed version', () => {
    const r = run(checkOutputBufferLimits, liveFacts({ server: server('7.4.6'), config: {} }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /pubsub hard 32 MiB, soft 8 MiB for 60s \(default\)/);
  });

  test('pass: a distro build is not raised to high on its version alone', () => {
    const r = run(
      checkOutputBufferLimits,
      liveFacts({ server: server('7.0.15', { distroBuild: true, gitSha1: '00000000' }), config: {} }),
    );
    assert.equal(r.status, 'pass');
  });

  test('pass: a file with every class bounded', () => {
    const f = fileFacts({
      options: { directives: [{ name: 'client-output-buffer-limit', args: ['normal', '64mb', '32mb', '60'] }] },
    });
    const r = run(checkOutputBufferLimits, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /normal hard 64 MiB/);
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkOutputBufferLimits, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });

  test('unknown: a malformed value', () => {
    const r = run(checkOutputBufferLimits, liveFacts({ config: { 'client-output-buffer-limit': 'pubsub lots' } }));
    assert.equal(r.status, 'unknown');
  });
});

describe('RS044 script timeout', () => {
  test('fail: busy-reply-threshold 0', () => {
    const r = run(checkScriptTimeout, fileFacts({ config: { 'busy-reply-threshold': '0' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /no script time limit/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('fail: lua-time-limit (the pre-7.0 name) above a minute', () => {
    const r = run(checkScriptTimeout, fileFacts({ config: { 'lua-time-limit': '120000' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /lua-time-limit 120000 ms/);
  });

  test('pass: the default 5000 ms', () => {
    const r = run(checkScriptTimeout, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'busy-reply-threshold 5000 ms (default)');
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkScriptTimeout, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });

  test('skip: Sentinel', () => {
    assert.equal(run(checkScriptTimeout, SENTINEL).status, 'skip');
  });
});
