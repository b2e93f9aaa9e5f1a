/**
 * Replication checks (RS039, RS040): a replica that can authenticate to its master, and replicas that refuse
 * writes (replica-read-only is changeable at runtime, and malware turns it off).
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import { printable } from '../finding-text.ts';
import { isSentinel } from '../views/server-version.ts';
import { configUnknown, configValue, show, whyUnobserved } from '../views/settings.ts';

export const checkMasterauth: Check = {
  ...CATALOGUE.RS039,
  evaluate(facts) {
    if (isSentinel(facts)) return skip('Sentinel is not a replica: masterauth does not apply');
    const masterauth = configValue(facts, 'masterauth');
    const masteruser = configValue(facts, 'masteruser');
    const asUser = masteruser?.value ? ` as masteruser ${printable(masteruser.value, 40)}` : '';
    const role = facts.info?.role;
    if (role !== undefined) {
      if (role !== 'slave') return skip(`role:${printable(role, 20)}: not a replica`);
      const master = `${printable(facts.info?.master_host ?? '?', 60)}:${facts.info?.master_port ?? '?'}`;
      const link = facts.info?.master_link_status ?? '?';
      if (link === 'up') return pass(`replica of ${master}${asUser}: master_link_status:up`);
      if (!masterauth)
        return unknown(`replica of ${master} with master_link_status:${link}; ${configUnknown(facts, 'masterauth')}`);
      if (masterauth.value === '')
        return fail(
          `replica of ${master} with master_link_status:${link} and masterauth not set: if the master requires a password, replication stays broken (the log shows NOAUTH) and a failover loses data`,
          masterauth.location,
        );
      return pass(
        `replica of ${master}: masterauth is set${asUser}; master_link_status:${link} has another cause (reachability, the master user's ACL, TLS)`,
      );
    }
    if (facts.live && !facts.info)
      return unknown(whyUnobserved(facts, 'info', 'the replication role (INFO replication)'));
    const replicaof = configValue(facts, 'replicaof');
    if (!replicaof) return unknown(configUnknown(facts, 'replicaof'));
    const target = replicaof.value.trim();
    if (target === '' || /^no\s+one$/i.test(target)) return skip('no replicaof directive: not a replica');
    if (!masterauth) return unknown(configUnknown(facts, 'masterauth'));
    if (masterauth.value === '')
      return fail(
        `${replicaof.name} ${printable(target, 60)} without masterauth: if the master requires a password (it should), this replica cannot sync`,
        replicaof.location,
      );
    return pass(`${replicaof.name} ${printable(target, 60)} with masterauth set${asUser}`, replicaof.location);
  },
};

export const checkReplicaReadOnly: Check = {
  ...CATALOGUE.RS040,
  evaluate(facts) {
    if (isSentinel(facts)) return skip('Sentinel holds no data: replica-read-only does not apply');
    const v = configValue(facts, 'replica-read-only');
    if (!v) return unknown(configUnknown(facts, 'replica-read-only'));
    const role = facts.info?.role === 'slave' ? 'this replica' : 'the server, once made a replica,';
    if (v.value.toLowerCase() === 'no')
      return fail(
        `${show(v)}: ${role} accepts writes that diverge from its master; attackers (Migo) turn it off to stage payloads`,
        v.location,
      );
    return pass(show(v), v.location);
  },
};

export const REPLICATION_CHECKS: Check[] = [checkMasterauth, checkReplicaReadOnly];
