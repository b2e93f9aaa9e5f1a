/**
 * Encryption: RS011 (no TLS on a network-exposed instance), RS012 (plaintext port next to TLS), RS013 (TLS clients
 * not required to present a certificate), RS014 (TLSv1/TLSv1.1 allowed), RS015 (replication or cluster bus in
 * clear text while clients use TLS).
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { bindFacts, listeners, showBind, targetIsLocal, unixSocketOnly } from '../views/listeners.ts';
import { configUnknown, firstLocation, setting, showSetting } from '../views/settings.ts';

const UNIX_ONLY = 'no TCP listener (port 0, tls-port 0): only a unix socket';
const NO_TLS = 'TLS is not enabled for clients (tls-port 0; see RS011)';

// RS011 -----------------------------------------------------------------------------------------------------------

function evaluateNoTls(facts: Facts): CheckResult {
  const l = listeners(facts);
  if (unixSocketOnly(l)) return skip(UNIX_ONLY);
  if (!l) {
    const probe = facts.unauth;
    if (probe?.tls)
      return pass(`the port answered over TLS${probe.clientCertRequired ? ' and requires a client certificate' : ''}`);
    if (probe && !targetIsLocal(facts) && ['open', 'noauth', 'denied'].includes(probe.result)) {
      return fail(`the server at ${facts.target ?? 'the target'} answered plaintext RESP from another host`);
    }
    return unknown(configUnknown(facts, 'tls-port, port, bind'));
  }
  const tlsPort = l.tlsPortSetting;
  if (l.tlsPort !== 0) {
    const plain = l.port !== 0 ? `; the plaintext port ${l.port} is RS012's concern` : '';
    return pass(`tls-port ${l.tlsPort}${plain}`, tlsPort?.location);
  }
  const bind = bindFacts(facts);
  if (!bind) return unknown(configUnknown(facts, 'bind'));
  if (bind.scope === 'loopback') return skip(`${showBind(bind)}: not network-exposed`);
  return fail(
    `${tlsPort ? showSetting('tls-port', tlsPort) : 'tls-port 0'} and ${showBind(bind)}: AUTH passwords and data cross the network in clear text`,
    firstLocation(tlsPort?.location, bind.setting.location, l.portSetting?.location),
  );
}

export const tlsNotEnabled: Check = defineCheck('RS011', evaluateNoTls);

// RS012 -----------------------------------------------------------------------------------------------------------

function evaluatePlaintextAlongsideTls(facts: Facts): CheckResult {
  const l = listeners(facts);
  if (unixSocketOnly(l)) return skip(UNIX_ONLY);
  if (!l) return unknown(configUnknown(facts, 'port, tls-port'));
  if (l.tlsPort === 0) return skip(NO_TLS);
  if (l.port === 0) return pass(`port 0: plaintext is off; tls-port ${l.tlsPort}`, l.portSetting?.location);
  const bind = bindFacts(facts);
  if (!bind) return unknown(configUnknown(facts, 'bind'));
  if (bind.scope === 'loopback') {
    return pass(`the plaintext port ${l.port} is open, but ${showBind(bind)} listens on loopback only`);
  }
  return fail(
    `port ${l.port} stays open next to tls-port ${l.tlsPort} on ${showBind(bind)}: clients can bypass TLS`,
    firstLocation(l.portSetting?.location, l.tlsPortSetting?.location),
  );
}

export const plaintextAlongsideTls: Check = defineCheck('RS012', evaluatePlaintextAlongsideTls);

// RS013 -----------------------------------------------------------------------------------------------------------

function evaluateClientCertificates(facts: Facts): CheckResult {
  const l = listeners(facts);
  if (!l) {
    if (facts.unauth?.clientCertRequired) {
      return pass('the TLS handshake without a client certificate was refused: client certificates are required');
    }
    return unknown(configUnknown(facts, 'tls-port, tls-auth-clients'));
  }
  if (l.tlsPort === 0) return skip(NO_TLS);
  const s = setting(facts, 'tls-auth-clients');
  if (!s) return unknown(configUnknown(facts, 'tls-auth-clients'));
  const v = s.value.toLowerCase();
  if (v === 'no' || v === 'optional') {
    return fail(
      `${showSetting('tls-auth-clients', s)}: any TLS client reaches the RESP layer (pre-auth bugs included) without a certificate`,
      s.location,
    );
  }
  return pass(`${showSetting('tls-auth-clients', s)}: clients must present a certificate signed by the CA`, s.location);
}

export const tlsClientAuthNotRequired: Check = defineCheck('RS013', evaluateClientCertificates);

// RS014 -----------------------------------------------------------------------------------------------------------

const WEAK_PROTOCOLS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.0', 'tlsv1.1']);

/** TLS is used somewhere: client port, replication or the cluster bus. undefined when the config is unknown. */
function tlsInUse(facts: Facts): boolean | undefined {
  const l = listeners(facts);
  const repl = setting(facts, 'tls-replication');
  const cluster = setting(facts, 'tls-cluster');
  if (!l || !repl || !cluster) return undefined;
  return l.tlsPort !== 0 || repl.value === 'yes' || cluster.value === 'yes';
}

function evaluateWeakTlsProtocols(facts: Facts): CheckResult {
  const inUse = tlsInUse(facts);
  if (inUse === undefined) return unknown(configUnknown(facts, 'tls-port, tls-protocols'));
  if (!inUse) return skip('TLS is not used (tls-port 0, tls-replication no, tls-cluster no)');
  const s = setting(facts, 'tls-protocols');
  if (!s) return unknown(configUnknown(facts, 'tls-protocols'));
  const protocols = s.value.split(/\s+/).filter((p) => p !== '');
  if (protocols.length === 0) {
    return pass(`${showSetting('tls-protocols', s)}: Redis then enables TLSv1.2 and TLSv1.3 only`, s.location);
  }
  const weak = protocols.filter((p) => WEAK_PROTOCOLS.has(p.toLowerCase()));
  if (weak.length > 0) {
    return fail(`tls-protocols "${s.value}" allows ${weak.join(', ')} (deprecated by RFC 8996)`, s.location);
  }
  return pass(`tls-protocols "${s.value}"`, s.location);
}

export const weakTlsProtocols: Check = defineCheck('RS014', evaluateWeakTlsProtocols);

// RS015 -----------------------------------------------------------------------------------------------------------

function evaluateUnencryptedReplication(facts: Facts): CheckResult {
  const l = listeners(facts);
  if (!l) return unknown(configUnknown(facts, 'tls-port, tls-replication, tls-cluster'));
  if (l.tlsPort === 0) return skip(NO_TLS);
  const replicaof = setting(facts, 'replicaof');
  const role = facts.info?.role;
  const replicas = Number(facts.info?.connected_slaves ?? 0);
  const isReplica = role === 'slave' || (replicaof !== undefined && replicaof.value !== '');
  const hasReplicas = replicas > 0;
  const clusterOn = setting(facts, 'cluster-enabled')?.value === 'yes';
  if (!isReplica && !hasReplicas && !clusterOn) {
    const why = facts.info?.role
      ? 'a master without replicas, cluster-enabled no'
      : 'no replicaof directive and cluster-enabled no (a file cannot show whether replicas attach to a master)';
    return skip(`no replication or cluster bus to encrypt: ${why}`);
  }
  const problems: string[] = [];
  const fine: string[] = [];
  let location: SourceLocation | undefined;
  if (isReplica || hasReplicas) {
    const s = setting(facts, 'tls-replication');
    if (!s) return unknown(configUnknown(facts, 'tls-replication'));
    const what = isReplica ? 'this replica syncs from its master' : `${replicas} replica(s) sync the full dataset`;
    if (s.value !== 'yes') {
      problems.push(`${showSetting('tls-replication', s)} while ${what} in clear text`);
      location ??= s.location;
    } else fine.push(showSetting('tls-replication', s));
  }
  if (clusterOn) {
    const s = setting(facts, 'tls-cluster');
    if (!s) return unknown(configUnknown(facts, 'tls-cluster'));
    if (s.value !== 'yes') {
      problems.push(`${showSetting('tls-cluster', s)} with cluster-enabled yes: the cluster bus is in clear text`);
      location ??= s.location;
    } else fine.push(showSetting('tls-cluster', s));
  }
  if (problems.length > 0) return fail(`${problems.join('; ')} (tls-port ${l.tlsPort})`, location);
  return pass(fine.join(', '));
}

export const unencryptedReplication: Check = defineCheck('RS015', evaluateUnencryptedReplication);

export const ENCRYPTION_CHECKS: Check[] = [
  tlsNotEnabled,
  plaintextAlongsideTls,
  tlsClientAuthNotRequired,
  weakTlsProtocols,
  unencryptedReplication,
];
