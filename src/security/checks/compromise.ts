/**
 * Indicators of compromise (RS038, RS041, RS053, RS054): the states that the classic Redis attacks leave behind —
 * persistence pointed at an SSH, cron or web directory, replication from a rogue master, an implanted module,
 * and payload keys. Reported first: a failure here means "investigate", not "harden".
 */

import { ipv4BlocksOverlap } from '../../net/ipv4.ts';
import type { SourceLocation } from '../../redis/acl-user.ts';
import { CATALOGUE } from '../catalogue.ts';
import type { Check, CheckResult } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import type { Facts } from '../facts.ts';
import { listItems, printable } from '../finding-text.ts';
import { type ConfigValue, configUnknown, configValue, locationOf, whyUnobserved } from '../views/settings.ts';

// ---------------------------------------------------------------------------------------------------------------
// RS038 dir / dbfilename

/** Directories an attacker writes the RDB file into: SSH keys, cron tables, web roots, system paths. */
const SENSITIVE_DIRS: ReadonlyArray<[RegExp, string]> = [
  [/^\/root(\/|$)/, "root's home directory"],
  [/^\/home\/[^/]+\/\.ssh(\/|$)/, "a user's SSH directory"],
  [/^\/var\/spool\/cron(\/|$)/, 'the cron spool'],
  [/^\/etc\/cron[^/]*(\/|$)/, 'a cron directory'],
  [
    /^\/etc(\/(ssh|init\.d|profile\.d|systemd|sudoers\.d|ld\.so\.conf\.d)(\/[^/]*)?)?$/,
    'a system configuration directory',
  ],
  [/^\/(var\/www|srv\/www|srv\/http|usr\/share\/nginx\/html)(\/|$)/, 'a web root'],
  [/^\/(usr\/)?(s?bin|lib|lib64)(\/|$)/, 'a system program directory'],
  [/^\/boot(\/|$)/, 'the boot directory'],
];

/** File names that turn an RDB dump into an SSH key list, a crontab, a shell profile or a web script. */
const SENSITIVE_FILES: ReadonlyArray<[RegExp, string]> = [
  [/^authorized_keys2?$/, 'an SSH authorized_keys file'],
  [/^(root|crontab)$/, 'a crontab'],
  [/^\.(bashrc|bash_profile|profile|zshrc)$/, 'a shell start-up file'],
  [/\.(php\d?|phtml|jspx?|aspx?|cgi|pl|py|sh)$/i, 'a web or shell script'],
];

/** A dir value without trailing slashes ('/root/.ssh/' → '/root/.ssh'). */
const normalDir = (d: string): string => (d.length > 1 ? d.replace(/\/+$/, '') : d);

export const checkPersistencePaths: Check = {
  ...CATALOGUE.RS038,
  evaluate(facts): CheckResult {
    const dir = configValue(facts, 'dir');
    const dbfilename = configValue(facts, 'dbfilename');
    if (!dir || !dbfilename) {
      const hint = facts.info?.config_file
        ? ` (INFO config_file ${printable(facts.info.config_file)} can be audited as a file)`
        : '';
      return unknown(`${configUnknown(facts, 'dir, dbfilename')}${hint}`);
    }
    const findings: string[] = [];
    const located: ConfigValue[] = [];
    const path = normalDir(dir.value);
    const dirHit = SENSITIVE_DIRS.find(([re]) => re.test(path));
    if (dirHit) {
      findings.push(`dir ${printable(path)} is ${dirHit[1]}`);
      located.push(dir);
    }
    for (const file of [dbfilename, configValue(facts, 'appendfilename')]) {
      if (!file || file.origin === 'default') continue;
      const hit = SENSITIVE_FILES.find(([re]) => re.test(file.value));
      if (hit) {
        findings.push(`${file.name} ${printable(file.value)} names ${hit[1]}`);
        located.push(file);
      }
    }
    if (findings.length > 0)
      return fail(
        `${findings.join('; ')}: the file-write attack (CONFIG SET dir/dbfilename, then SAVE) or its leftover; investigate before changing it`,
        locationOf(...located),
      );
    // Whether the directory is writable by others is a question of its mode, not its name: RS049 judges it.
    return pass(`dir ${printable(dir.value)}, dbfilename ${printable(dbfilename.value)}`, locationOf(dir, dbfilename));
  },
};

// ---------------------------------------------------------------------------------------------------------------
// RS041 replication peers

interface Peer {
  host: string;
  port?: number;
  role: 'master' | 'replica';
  location?: SourceLocation;
}

/** An allow-list entry: 'host', 'host:port', '[v6]:port' or an IPv4 CIDR ('10.0.0.0/8'). */
function peerAllowed(peer: Peer, entry: string): boolean {
  const e = entry.trim().toLowerCase();
  const host = peer.host.toLowerCase();
  // an IPv4 CIDR contains the peer when the two overlap (the peer as a /32; false when it is not IPv4)
  if (/^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/.test(e)) return ipv4BlocksOverlap(e, host);
  const withPort = /^\[?([^\]]+?)\]?:(\d+)$/.exec(e);
  if (withPort && (e.startsWith('[') || !withPort[1].includes(':')))
    return withPort[1] === host && Number(withPort[2]) === peer.port;
  return e.replace(/^\[|\]$/g, '') === host;
}

const showPeer = (p: Peer): string => {
  const host = printable(p.host, 60);
  const h = host.includes(':') ? `[${host}]` : host;
  return p.port !== undefined ? `${h}:${p.port}` : h;
};

/** `slave0:ip=10.0.0.2,port=6379,state=online,…` → the replicas connected to this master. */
function connectedReplicas(info: Record<string, string>): Peer[] {
  const out: Peer[] = [];
  for (const [field, value] of Object.entries(info)) {
    if (!/^slave\d+$/.test(field)) continue;
    const kv = new Map(value.split(',').map((p) => p.split('=', 2) as [string, string]));
    const ip = kv.get('ip');
    if (ip) out.push({ host: ip, port: Number(kv.get('port')) || undefined, role: 'replica' });
  }
  return out;
}

/** Where the server replicates from: INFO replication (live) or a replicaof / slaveof directive (file). */
function masterOf(facts: Facts): Peer | null | undefined {
  const info = facts.info;
  if (info?.role !== undefined) {
    if (info.role !== 'slave' || !info.master_host) return null;
    return { host: info.master_host, port: Number(info.master_port) || undefined, role: 'master' };
  }
  const v = configValue(facts, 'replicaof');
  if (!v) return undefined;
  const [host, port] = v.value.split(/\s+/);
  if (!host || host.toLowerCase() === 'no') return null;
  const peer: Peer = { host, port: Number(port) || undefined, role: 'master' };
  if (v.location) peer.location = v.location;
  return peer;
}

export const checkReplicationPeers: Check = {
  ...CATALOGUE.RS041,
  evaluate(facts) {
    const master = masterOf(facts);
    if (master === undefined)
      return unknown(whyUnobserved(facts, 'info', 'the replication role (INFO replication or a replicaof directive)'));
    const replicas = facts.info ? connectedReplicas(facts.info) : [];
    const peers = [...(master ? [master] : []), ...replicas];
    if (peers.length === 0)
      return pass(
        facts.info?.role !== undefined
          ? `role:${facts.info.role} with no replicas connected`
          : 'no replicaof directive',
      );
    const describe = (p: Peer) =>
      p.role === 'master' ? `replicates from ${showPeer(p)}` : `replica ${showPeer(p)} connected`;
    const allowed = facts.inventory?.allowedPeers ?? [];
    if (allowed.length > 0) {
      const unexpected = peers.filter((p) => !allowed.some((e) => peerAllowed(p, e)));
      if (unexpected.length > 0)
        return fail(
          `${listItems(unexpected.map(describe))}, not in the allowed peers: the rogue-master attack (SLAVEOF attacker, then MODULE LOAD) leaves this state; investigate, then REPLICAOF NO ONE`,
          master?.location,
        );
      return pass(`${listItems(peers.map(describe))}: all allowed peers`, master?.location);
    }
    if (master && facts.inventory?.expectedRole === 'master')
      return fail(
        `declared a primary, yet it ${describe(master)}: the rogue-master attack leaves this state; investigate, then REPLICAOF NO ONE`,
        master.location,
      );
    return unknown(
      `${listItems(peers.map(describe))}; no allow-list of replication peers was given, so whether they are expected cannot be judged`,
    );
  },
};

// ---------------------------------------------------------------------------------------------------------------
// RS053 modules

/** MODULE LIST names of the modules Redis ships or publishes (Redis Stack, Redis 8). */
const KNOWN_MODULE_NAMES: ReadonlySet<string> = new Set([
  'search',
  'ft',
  'searchlight',
  'rejson',
  'timeseries',
  'bf',
  'graph',
  'rg',
  'redisgears_2',
  'ai',
  'vectorset',
]);

/** loadmodule file names of the same modules (without a lib prefix and the .so suffix). */
const KNOWN_MODULE_FILES: ReadonlySet<string> = new Set([
  'redisearch',
  'rejson',
  'redisjson',
  'redistimeseries',
  'redisbloom',
  'redisgraph',
  'redisgears',
  'redisgears_2',
  'redisai',
  'vectorset',
]);

const moduleFileName = (path: string): string =>
  (path.split('/').pop() ?? path)
    .replace(/\.so(\.\d+)*$/i, '')
    .replace(/^lib/, '')
    .toLowerCase();

/** Temporary directories: a module loaded from one is the rogue-master attack's signature (by path, on purpose). */
const TEMP_DIR = /^\/(tmp|var\/tmp|dev\/shm)(\/|$)/;

export const checkModules: Check = {
  ...CATALOGUE.RS053,
  evaluate(facts) {
    const suspicious: string[] = [];
    const known: string[] = [];
    let location: SourceLocation | undefined;
    const loadmodules = (facts.config?.directives ?? []).filter((d) => d.name === 'loadmodule');
    for (const d of loadmodules) {
      const path = d.args[0] ?? '';
      const name = moduleFileName(path);
      if (TEMP_DIR.test(path) || !KNOWN_MODULE_FILES.has(name)) {
        suspicious.push(`loadmodule ${printable(path)}`);
        location ??= d.location;
      } else known.push(`loadmodule ${printable(path)}`);
    }
    if (facts.modules) {
      for (const m of facts.modules) {
        const text = `module ${printable(m.name, 40)}${m.version ? ` (version ${printable(m.version, 20)})` : ''}`;
        if (KNOWN_MODULE_NAMES.has(m.name.toLowerCase())) known.push(text);
        else suspicious.push(text);
      }
    } else if (facts.live) {
      const why = whyUnobserved(facts, 'commands', 'the loaded modules (MODULE LIST, INFO modules)');
      if (suspicious.length === 0) return unknown(why);
    }
    if (suspicious.length > 0)
      return fail(
        `${listItems(suspicious)}: not a known Redis module; HeadCrab-style implants load a module that adds their own commands; investigate the file and who loaded it`,
        location,
      );
    if (known.length > 0) return pass(`only known modules: ${listItems(known)}`);
    return pass(facts.modules ? 'no modules loaded' : 'no loadmodule directives');
  },
};

// ---------------------------------------------------------------------------------------------------------------
// RS054 suspicious keys

export const checkSuspiciousKeys: Check = {
  ...CATALOGUE.RS054,
  evaluate(facts) {
    const keys = facts.suspiciousKeys;
    if (keys === undefined) {
      if (!facts.live) return skip('keys are not in a configuration file: the key sample is a live, opt-in check');
      return unknown(
        facts.unobserved.keys
          ? whyUnobserved(facts, 'keys', 'the key sample')
          : 'the opt-in key sample was not taken: enable it to look for cron lines, SSH keys and web shells in the data',
      );
    }
    if (keys.length === 0) return pass('the bounded key sample found no cron lines, SSH keys, web shells or worm keys');
    const shown = keys.map((k) => `${k.db} ${printable(k.key, 60)} (${printable(k.why, 80)})`);
    return fail(
      `${keys.length} suspicious key${keys.length > 1 ? 's' : ''}: ${listItems(shown)}; payloads of the file-write attack or a worm: keep a copy for forensics, then remove them and rotate credentials`,
    );
  },
};

export const COMPROMISE_CHECKS: Check[] = [
  checkPersistencePaths,
  checkReplicationPeers,
  checkModules,
  checkSuspiciousKeys,
];
