/**
 * Network checks RS045 and RS052 (RS008–RS010 are in network.ts): who on the host can use the unix socket,
 * and whether the cluster bus — which has no authentication of its own — is encrypted.
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import { matchCves } from '../cves.ts';
import { configUnknown, configValue, isValkey, locationOf, printable, show } from './shared.ts';

const octal = (mode: number): string => mode.toString(8).padStart(3, '0');

export const checkUnixSocketPermissions: Check = {
  ...CATALOGUE.RS045,
  evaluate(facts) {
    const socket = configValue(facts, 'unixsocket');
    const perm = configValue(facts, 'unixsocketperm');
    const stat = facts.local?.files.find((f) => f.role === 'unixsocket');
    if (!socket && !stat) return unknown(configUnknown(facts, 'unixsocket, unixsocketperm'));
    if (socket?.value === '' && !stat) return skip('no unix socket (unixsocket is not set)');
    const path = printable(socket?.value || stat?.path || '?');
    let mode: number;
    let from: string;
    if (stat) {
      mode = stat.mode & 0o777;
      from = `mode ${octal(mode)} on disk`;
    } else {
      if (!perm) return unknown(configUnknown(facts, 'unixsocketperm'));
      const configured = Number.parseInt(perm.value, 8);
      if (!Number.isFinite(configured))
        return unknown(`unixsocketperm "${printable(perm.value)}" is not an octal mode`);
      if (configured === 0)
        return unknown(
          `unix socket ${path} with ${show(perm)}: its permissions follow the server's umask; audit on the server's host to read the socket's mode`,
        );
      mode = configured & 0o777;
      from = show(perm);
    }
    const location = locationOf(perm, socket);
    if ((mode & 0o007) !== 0)
      return fail(
        `unix socket ${path} with ${from}: every local user can connect, and unix-socket clients count as local, so protected mode does not stop them`,
        location,
      );
    const version = facts.server?.version;
    const race =
      version && !isValkey(facts)
        ? matchCves(version, facts.server?.distroBuild ?? false).find(
            (m) => m.id === 'CVE-2023-45145' && m.status === 'vulnerable',
          )
        : undefined;
    const raceNote = race
      ? `; redis ${version} predates the CVE-2023-45145 fix, so the socket is briefly open to all at startup`
      : '';
    return pass(`unix socket ${path} with ${from}: no access for other users${raceNote}`, location);
  },
};

export const checkClusterBus: Check = {
  ...CATALOGUE.RS052,
  evaluate(facts) {
    const enabled = configValue(facts, 'cluster-enabled');
    if (!enabled) return unknown(configUnknown(facts, 'cluster-enabled'));
    if (enabled.value.toLowerCase() !== 'yes') return skip(`${show(enabled)}: there is no cluster bus`);
    const tls = configValue(facts, 'tls-cluster');
    const clusterPort = Number(configValue(facts, 'cluster-port')?.value ?? 0);
    const port = Number(configValue(facts, 'port')?.value ?? facts.info?.tcp_port ?? 0);
    const bus = clusterPort > 0 ? `port ${clusterPort}` : port > 0 ? `port ${port + 10000}` : 'its port';
    if (!tls) return unknown(`cluster-enabled yes, bus on ${bus}; ${configUnknown(facts, 'tls-cluster')}`);
    if (tls.value.toLowerCase() === 'yes')
      return pass(
        `cluster bus on ${bus} uses TLS (${show(tls)}); keep it firewalled to the cluster members`,
        tls.location,
      );
    return fail(
      `cluster-enabled yes with ${show(tls)}: the cluster bus on ${bus} is plaintext and has no authentication, so whoever reaches it can read replication traffic and join or reconfigure the cluster; enable tls-cluster and firewall the bus to the members`,
      locationOf(tls, enabled),
    );
  },
};

export const NETWORK_2_CHECKS: Check[] = [checkUnixSocketPermissions, checkClusterBus];
