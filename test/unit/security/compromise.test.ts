import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COMPROMISE_CHECKS,
  checkModules,
  checkPersistencePaths,
  checkReplicationPeers,
  checkSuspiciousKeys,
} from '../../../src/security/checks/compromise.ts';
import { CONFIG_FORBIDDEN, fileFacts, liveFacts, run } from './facts-builder.ts';

test('COMPROMISE_CHECKS holds RS038, RS041, RS053, RS054, all compromise indicators', () => {
  assert.deepEqual(
    COMPROMISE_CHECKS.map((c) => c.id),
    ['RS038', 'RS041', 'RS053', 'RS054'],
  );
  assert.ok(COMPROMISE_CHECKS.every((c) => c.category === 'compromise-indicator'));
});

describe('RS038 persistence paths', () => {
  test('fail: the SSH-key write (dir /root/.ssh, dbfilename authorized_keys), live', () => {
    const r = run(checkPersistencePaths, liveFacts({ config: { dir: '/root/.ssh', dbfilename: 'authorized_keys' } }));
    assert.equal(r.status, 'fail');
    assert.match(
      r.evidence,
      /dir \/root\/\.ssh is root's home directory; dbfilename authorized_keys names an SSH authorized_keys file/,
    );
  });

  test('fail: the cron write in a file, located at the dir line', () => {
    const r = run(
      checkPersistencePaths,
      fileFacts({ config: { port: '6379', dir: '/var/spool/cron/crontabs', dbfilename: 'root' } }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /the cron spool/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: a web shell', () => {
    const r = run(checkPersistencePaths, liveFacts({ config: { dir: '/var/www/html/', dbfilename: 'x.php' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /dir \/var\/www\/html is a web root; dbfilename x\.php names a web or shell script/);
  });

  test('fail: a user SSH directory', () => {
    const r = run(checkPersistencePaths, liveFacts({ config: { dir: '/home/deploy/.ssh', dbfilename: 'dump.rdb' } }));
    assert.equal(r.status, 'fail');
  });

  test('pass: a dir under /tmp is not judged by its name (RS049 judges its mode)', () => {
    for (const dir of ['/tmp', '/tmp/redis-private', '/var/tmp/x', '/dev/shm/r']) {
      const r = run(checkPersistencePaths, liveFacts({ config: { dir, dbfilename: 'dump.rdb' } }));
      assert.equal(r.status, 'pass', dir);
      assert.equal(r.severity, undefined, `${dir}: the catalogue severity, whatever the status`);
    }
  });

  test('an SSH key file in a /tmp directory is still an indicator (critical)', () => {
    const r = run(checkPersistencePaths, liveFacts({ config: { dir: '/tmp/', dbfilename: 'authorized_keys' } }));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, undefined);
  });

  test('pass: the Debian layout, and a data dir under /etc/redis or /usr/local is not mistaken for one', () => {
    assert.equal(
      run(checkPersistencePaths, liveFacts({ config: { dir: '/var/lib/redis', dbfilename: 'dump.rdb' } })).status,
      'pass',
    );
    assert.equal(run(checkPersistencePaths, fileFacts({ config: { dir: '/usr/local/var/db/redis' } })).status, 'pass');
    assert.equal(run(checkPersistencePaths, fileFacts({ config: { dir: '/etc/redis' } })).status, 'pass');
  });

  test('pass: a file without dir uses the working directory', () => {
    const r = run(checkPersistencePaths, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'dir ./, dbfilename dump.rdb');
  });

  test('unknown: CONFIG forbidden, naming the config file INFO shows', () => {
    const r = run(
      checkPersistencePaths,
      liveFacts({ unobserved: CONFIG_FORBIDDEN, info: { config_file: '/etc/redis/redis.conf' } }),
    );
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM.*\/etc\/redis\/redis\.conf can be audited as a file/);
  });
});

describe('RS041 replication peers', () => {
  const replicaOf = (host: string, port = '6379') => ({ role: 'slave', master_host: host, master_port: port });

  test('fail: replicating from a master outside the allowed peers', () => {
    const r = run(
      checkReplicationPeers,
      liveFacts({ info: replicaOf('198.51.100.7', '21000'), inventory: { allowedPeers: ['10.0.0.0/8'] } }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /replicates from 198\.51\.100\.7:21000, not in the allowed peers/);
  });

  test('fail: an unknown replica connected', () => {
    const r = run(
      checkReplicationPeers,
      liveFacts({
        info: {
          role: 'master',
          slave0: 'ip=10.0.0.6,port=6379,state=online,offset=1,lag=0',
          slave1: 'ip=203.0.113.9,port=6379,state=online,offset=1,lag=0',
        },
        inventory: { allowedPeers: ['10.0.0.6:6379'] },
      }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /replica 203\.0\.113\.9:6379 connected/);
    assert.doesNotMatch(r.evidence, /10\.0\.0\.6/);
  });

  test('fail: declared a primary but replicating', () => {
    const r = run(
      checkReplicationPeers,
      liveFacts({ info: replicaOf('10.0.0.9'), inventory: { expectedRole: 'master' } }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /declared a primary/);
  });

  test('fail: a replicaof line in a file outside the allowed peers, located', () => {
    const r = run(
      checkReplicationPeers,
      fileFacts({
        config: { port: '6379', replicaof: '203.0.113.50 6379' },
        inventory: { allowedPeers: ['10.0.0.5'] },
      }),
    );
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('pass: a master with no replicas', () => {
    const r = run(checkReplicationPeers, liveFacts({ info: { role: 'master', connected_slaves: '0' } }));
    assert.equal(r.status, 'pass');
  });

  test('pass: peers on the allow-list (host, host:port, CIDR)', () => {
    const r = run(
      checkReplicationPeers,
      liveFacts({ info: replicaOf('10.1.2.3'), inventory: { allowedPeers: ['10.1.0.0/16'] } }),
    );
    assert.equal(r.status, 'pass');
    assert.equal(
      run(
        checkReplicationPeers,
        liveFacts({ info: replicaOf('redis-a.internal'), inventory: { allowedPeers: ['redis-a.internal'] } }),
      ).status,
      'pass',
    );
  });

  test('pass: a file without replicaof', () => {
    assert.equal(run(checkReplicationPeers, fileFacts({ config: {} })).status, 'pass');
  });

  test('unknown: a replica, but no allow-list to judge it by', () => {
    const r = run(checkReplicationPeers, liveFacts({ info: replicaOf('10.0.0.9') }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /no allow-list/);
  });

  test('unknown: INFO not observed', () => {
    const r = run(
      checkReplicationPeers,
      liveFacts({ unobserved: { info: 'INFO is not permitted', ...CONFIG_FORBIDDEN } }),
    );
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /INFO is not permitted/);
  });
});

describe('RS053 modules', () => {
  test('fail: an unknown module (the rogue-server exp.so registers "system")', () => {
    const r = run(checkModules, liveFacts({ modules: [{ name: 'system', version: '1' }] }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /module system \(version 1\): not a known Redis module/);
  });

  test('fail: loadmodule from /tmp, located', () => {
    const f = fileFacts({
      config: { port: '6379' },
      options: { directives: [{ name: 'loadmodule', args: ['/tmp/exp.so'] }] },
    });
    const r = run(checkModules, f);
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: a known module name loaded from a world-writable directory', () => {
    const f = fileFacts({ options: { directives: [{ name: 'loadmodule', args: ['/dev/shm/redisearch.so'] }] } });
    assert.equal(run(checkModules, f).status, 'fail');
  });

  test('pass: Redis Stack modules', () => {
    const r = run(
      checkModules,
      liveFacts({
        modules: [
          { name: 'search', version: '21005' },
          { name: 'ReJSON', version: '20609' },
        ],
      }),
    );
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /only known modules/);
    const f = fileFacts({
      options: { directives: [{ name: 'loadmodule', args: ['/opt/redis-stack/lib/redisearch.so'] }] },
    });
    assert.equal(run(checkModules, f).status, 'pass');
  });

  test('pass: no modules', () => {
    assert.equal(run(checkModules, liveFacts({ modules: [] })).evidence, 'no modules loaded');
    assert.equal(run(checkModules, fileFacts({ config: {} })).evidence, 'no loadmodule directives');
  });

  test('unknown: MODULE LIST and INFO modules unavailable on a live server', () => {
    const r = run(checkModules, liveFacts({ unobserved: { commands: 'COMMAND INFO is not permitted' } }));
    assert.equal(r.status, 'unknown');
  });
});

describe('RS054 suspicious keys', () => {
  test('fail: cron and SSH payloads', () => {
    const r = run(
      checkSuspiciousKeys,
      liveFacts({
        suspiciousKeys: [
          { db: 'db0', key: 'backup1', why: 'value holds a cron line' },
          { db: 'db0', key: 'backup2', why: 'value holds an SSH public key' },
        ],
      }),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /2 suspicious keys: db0 backup1 \(value holds a cron line\), db0 backup2/);
  });

  test('pass: the sample found nothing', () => {
    assert.equal(run(checkSuspiciousKeys, liveFacts({ suspiciousKeys: [] })).status, 'pass');
  });

  test('unknown: the opt-in sample was not taken', () => {
    const r = run(checkSuspiciousKeys, liveFacts());
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /opt-in/);
  });

  test('unknown: the sample failed, with the reason', () => {
    const r = run(checkSuspiciousKeys, liveFacts({ unobserved: { keys: 'user may not run SCAN' } }));
    assert.match(r.evidence, /may not run SCAN/);
  });

  test('skip: a file has no keys', () => {
    assert.equal(run(checkSuspiciousKeys, fileFacts({ config: {} })).status, 'skip');
  });
});
