import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ENCRYPTION_CHECKS,
  plaintextAlongsideTls,
  tlsClientAuthNotRequired,
  tlsNotEnabled,
  unencryptedReplication,
  weakTlsProtocols,
} from '../../../src/security/checks/encryption.ts';
import { CONFIG_FORBIDDEN, fileFacts, liveFacts, run, UNIX_ONLY } from './facts-builder.ts';

const TLS_ONLY = { bind: '10.0.0.5', port: '0', 'tls-port': '6380' };

test('ENCRYPTION_CHECKS holds RS011–RS015', () => {
  assert.deepEqual(
    ENCRYPTION_CHECKS.map((c) => c.id),
    ['RS011', 'RS012', 'RS013', 'RS014', 'RS015'],
  );
  for (const c of ENCRYPTION_CHECKS) assert.equal(c.category, 'encryption');
});

describe('RS011 TLS not enabled on an exposed instance', () => {
  test('fail: no tls-port and a private bind', () => {
    const r = run(tlsNotEnabled, fileFacts({ config: { bind: '10.0.0.5', port: '6379' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /tls-port 0 \(default\) and bind 10\.0\.0\.5/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('fail: CONFIG forbidden, but the server answered plaintext RESP from another host', () => {
    const f = liveFacts({
      target: 'redis://10.0.0.5:6379',
      unobserved: CONFIG_FORBIDDEN,
      unauth: { result: 'noauth' },
    });
    assert.equal(run(tlsNotEnabled, f).status, 'fail');
  });

  test('pass: a tls-port', () => {
    const r = run(tlsNotEnabled, fileFacts({ config: TLS_ONLY }));
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 3 });
  });

  test('pass: CONFIG forbidden, but the probe was answered over TLS', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN, unauth: { result: 'noauth', tls: true } });
    assert.equal(run(tlsNotEnabled, f).status, 'pass');
  });

  test('skip: loopback only, or unix socket only', () => {
    assert.equal(run(tlsNotEnabled, fileFacts({ config: { bind: '127.0.0.1 -::1' } })).status, 'skip');
    assert.equal(run(tlsNotEnabled, fileFacts({ config: UNIX_ONLY })).status, 'skip');
  });

  test('unknown: CONFIG forbidden, no telling probe', () => {
    const r = run(tlsNotEnabled, liveFacts({ unobserved: CONFIG_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /CONFIG is not permitted/);
  });
});

describe('RS012 plaintext port alongside TLS', () => {
  test('fail: port 6379 next to tls-port 6380 on a network address', () => {
    const r = run(plaintextAlongsideTls, fileFacts({ config: { bind: '0.0.0.0', 'tls-port': '6380' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /port 6379 stays open next to tls-port 6380/);
  });

  test('pass: port 0, or the plaintext port on loopback only', () => {
    assert.equal(run(plaintextAlongsideTls, fileFacts({ config: TLS_ONLY })).status, 'pass');
    const r = run(plaintextAlongsideTls, fileFacts({ config: { bind: '127.0.0.1', 'tls-port': '6380' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /loopback only/);
  });

  test('skip: no TLS', () => {
    const r = run(plaintextAlongsideTls, fileFacts({ config: { bind: '0.0.0.0' } }));
    assert.equal(r.status, 'skip');
    assert.match(r.evidence, /RS011/);
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(plaintextAlongsideTls, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS013 TLS client certificates', () => {
  test('fail: tls-auth-clients optional / no', () => {
    const r = run(tlsClientAuthNotRequired, fileFacts({ config: { ...TLS_ONLY, 'tls-auth-clients': 'optional' } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'redis.conf', line: 4 });
    const no = liveFacts({ config: { ...TLS_ONLY, 'tls-auth-clients': 'no' } });
    assert.equal(run(tlsClientAuthNotRequired, no).status, 'fail');
  });

  test('pass: the default (yes)', () => {
    const r = run(tlsClientAuthNotRequired, fileFacts({ config: TLS_ONLY }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /tls-auth-clients yes \(default\)/);
  });

  test('pass: CONFIG forbidden, but the handshake without a certificate was refused', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN, unauth: { result: 'tls-required', clientCertRequired: true } });
    assert.equal(run(tlsClientAuthNotRequired, f).status, 'pass');
  });

  test('skip: no TLS', () => {
    assert.equal(run(tlsClientAuthNotRequired, fileFacts({ config: { port: '6379' } })).status, 'skip');
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(tlsClientAuthNotRequired, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS014 weak TLS protocols', () => {
  test('fail: TLSv1.1 allowed', () => {
    const f = fileFacts({ config: { ...TLS_ONLY, 'tls-protocols': 'TLSv1.1 TLSv1.2' } });
    const r = run(weakTlsProtocols, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /allows TLSv1\.1/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 4 });
  });

  test('pass: empty (Redis defaults to TLSv1.2 and TLSv1.3), or explicit modern protocols', () => {
    const r = run(weakTlsProtocols, fileFacts({ config: TLS_ONLY }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /TLSv1\.2 and TLSv1\.3/);
    const explicit = fileFacts({ config: { ...TLS_ONLY, 'tls-protocols': 'TLSv1.2 TLSv1.3' } });
    assert.equal(run(weakTlsProtocols, explicit).status, 'pass');
  });

  test('fail: TLS used for replication only counts as TLS in use', () => {
    const f = fileFacts({ config: { 'tls-replication': 'yes', 'tls-protocols': 'TLSv1' } });
    assert.equal(run(weakTlsProtocols, f).status, 'fail');
  });

  test('skip: TLS not used', () => {
    assert.equal(run(weakTlsProtocols, fileFacts({ config: { port: '6379' } })).status, 'skip');
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(weakTlsProtocols, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS015 replication / cluster bus without TLS', () => {
  test('fail: a replica (file) with tls-replication no', () => {
    const f = fileFacts({ config: { ...TLS_ONLY, replicaof: '10.0.0.4 6380' } });
    const r = run(unencryptedReplication, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /tls-replication no \(default\) while this replica syncs/);
  });

  test('fail: a live master with replicas, and a cluster without tls-cluster', () => {
    const f = liveFacts({
      config: { ...TLS_ONLY, 'tls-replication': 'no', 'cluster-enabled': 'yes', 'tls-cluster': 'no' },
      info: { role: 'master', connected_slaves: '2' },
    });
    const r = run(unencryptedReplication, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /2 replica\(s\)/);
    assert.match(r.evidence, /cluster bus is in clear text/);
  });

  test('pass: tls-replication yes on a replica', () => {
    const f = fileFacts({ config: { ...TLS_ONLY, replicaof: '10.0.0.4 6380', 'tls-replication': 'yes' } });
    assert.equal(run(unencryptedReplication, f).status, 'pass');
  });

  test('skip: a standalone master, and no TLS at all', () => {
    const master = liveFacts({ config: TLS_ONLY, info: { role: 'master', connected_slaves: '0' } });
    const r = run(unencryptedReplication, master);
    assert.equal(r.status, 'skip');
    assert.match(r.evidence, /master without replicas/);
    assert.equal(run(unencryptedReplication, fileFacts({ config: { replicaof: '10.0.0.4 6379' } })).status, 'skip');
  });

  test('unknown: CONFIG forbidden', () => {
    const f = liveFacts({ unobserved: CONFIG_FORBIDDEN, info: { role: 'slave' } });
    assert.equal(run(unencryptedReplication, f).status, 'unknown');
  });
});
