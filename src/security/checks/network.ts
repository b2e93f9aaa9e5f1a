/**
 * Network: RS008 (bound to every interface or a public address), RS009 (protected-mode off, or inactive on 6.x
 * with an explicit bind), RS010 (default port on a non-loopback listener), RS045 (who on the host can use the unix
 * socket), RS052 (whether the cluster bus — which has no authentication of its own — is encrypted).
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import { CATALOGUE } from '../catalogue.ts';
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import { matchCves } from '../cves.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { printable } from '../finding-text.ts';
import { resolveUsers } from '../views/acl-users.ts';
import { bindFacts, classifyAddress, listeners, showBind, unixSocketOnly } from '../views/listeners.ts';
import { isBefore7, isSentinel, isValkey } from '../views/server-version.ts';
import {
  configUnknown,
  configValue,
  firstLocation,
  locationOf,
  setting,
  show,
  showSetting,
} from '../views/settings.ts';

const UNIX_ONLY = 'no TCP listener (port 0, tls-port 0): only a unix socket';

// RS008 -----------------------------------------------------------------------------------------------------------

function evaluateBindAllInterfaces(facts: Facts): CheckResult {
  if (unixSocketOnly(listeners(facts))) return skip(UNIX_ONLY);
  const bind = bindFacts(facts);
  if (!bind) return unknown(configUnknown(facts, 'bind'));
  const wide = bind.addresses.filter((a) => {
    const scope = classifyAddress(a);
    return scope === 'all' || scope === 'public';
  });
  if (bind.scope === 'all') {
    return fail(`${showBind(bind)}: Redis listens on every interface`, bind.setting.location);
  }
  if (bind.scope === 'public') {
    return fail(`${showBind(bind)}: ${wide.join(', ')} is not a loopback or private address`, bind.setting.location);
  }
  const kind = bind.scope === 'private' ? 'loopback and private addresses only' : 'loopback only';
  return pass(`${showBind(bind)}: ${kind}`, bind.setting.location);
}

export const bindAllInterfaces: Check = defineCheck('RS008', evaluateBindAllInterfaces);

// RS009 -----------------------------------------------------------------------------------------------------------

function evaluateProtectedMode(facts: Facts): CheckResult {
  if (isSentinel(facts))
    return skip('Sentinel switches protected mode off by design (see RS050 for its authentication)');
  if (unixSocketOnly(listeners(facts))) return skip(UNIX_ONLY);
  const pm = setting(facts, 'protected-mode');
  if (!pm) {
    if (facts.unauth?.result === 'denied') {
      return pass('an unauthenticated client got -DENIED: protected mode is on (and the default user has no password)');
    }
    return unknown(configUnknown(facts, 'protected-mode'));
  }
  const view = resolveUsers(facts);
  const def = 'users' in view ? view.defaultUser : undefined;
  const nopass = def ? def.enabled && def.nopass : undefined;
  const bind = bindFacts(facts);
  const exposed = bind !== undefined && bind.scope !== 'loopback';
  if (pm.value === 'no') {
    const r = fail(
      `${showSetting('protected-mode', pm)}${nopass && exposed ? `, the default user has no password and ${showBind(bind)}: nothing stops outsiders` : ': the last guard of a password-less instance is off (it can be set back at runtime, and attackers flip it)'}`,
      pm.location,
    );
    return nopass && exposed ? { ...r, severity: 'critical' } : r;
  }
  if (isBefore7(facts) && nopass && bind?.setting.source === 'set' && bind.addresses.length > 0) {
    return fail(
      `${showSetting('protected-mode', pm)}, but before 7.0 an explicit ${showBind(bind)} deactivates it while the default user has no password`,
      firstLocation(bind.setting.location, pm.location),
    );
  }
  return pass(showSetting('protected-mode', pm), pm.location);
}

export const protectedModeDisabled: Check = defineCheck('RS009', evaluateProtectedMode);

// RS010 -----------------------------------------------------------------------------------------------------------

const DEFAULT_PORTS = new Set([6379, 26379]);

function evaluateDefaultPort(facts: Facts): CheckResult {
  const l = listeners(facts);
  if (unixSocketOnly(l)) return skip(UNIX_ONLY);
  const ports: Array<{ name: string; port: number; location?: SourceLocation }> = [];
  if (l) {
    if (l.port !== 0) ports.push({ name: 'port', port: l.port, location: l.portSetting?.location });
    if (l.tlsPort !== 0) ports.push({ name: 'tls-port', port: l.tlsPort, location: l.tlsPortSetting?.location });
  } else if (facts.server?.tcpPort !== undefined) {
    ports.push({ name: 'tcp_port (INFO)', port: facts.server.tcpPort });
  }
  if (ports.length === 0) return unknown(configUnknown(facts, 'port, tls-port'));
  const shown = ports.map((p) => `${p.name} ${p.port}`).join(', ');
  const defaults = ports.filter((p) => DEFAULT_PORTS.has(p.port));
  if (defaults.length === 0) return pass(`${shown}: not a default port`, ports[0].location);
  const bind = bindFacts(facts);
  if (!bind) return unknown(`${shown} is a default port, but ${configUnknown(facts, 'bind')}`);
  if (bind.scope === 'loopback')
    return pass(`${shown} is a default port, but ${showBind(bind)} listens on loopback only`);
  return fail(
    `${shown} on ${showBind(bind)}: the default port is the first one mass scanners try (defence in depth only)`,
    defaults[0].location,
  );
}

export const defaultPort: Check = defineCheck('RS010', evaluateDefaultPort);

// RS045 / RS052 ---------------------------------------------------------------------------------------------------

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

export const NETWORK_CHECKS: Check[] = [
  bindAllInterfaces,
  protectedModeDisabled,
  defaultPort,
  checkUnixSocketPermissions,
  checkClusterBus,
];
