import type { Command, RedisConnection } from '../redis/connection.ts';
import { parseInfo } from '../redis/info-lines.ts';

/** What the server told the doctor, and what it refused; every value is server text (neutralise to print). */
export interface ServerFacts {
  /** The user logged in (ACL WHOAMI), or the one given when WHOAMI is refused. */
  user: string;
  /** INFO fields (empty when INFO is refused). */
  info: Map<string, string>;
  /** CONFIG GET values read (empty when CONFIG is refused or renamed). */
  config: Map<string, string>;
  /** Commands refused with NOPERM, as `name` or `name|sub`, with the server's reason. */
  denied: Map<string, string>;
  /** Commands the server does not know under their own name: renamed (rename-command) or disabled. */
  unknown: Set<string>;
  /** ACL DRYRUN answers for commands the doctor cannot try for real (PSYNC would start a transfer). */
  dryRun: Map<string, string>;
}

/** The probes: what the exporter, audit, backup and this doctor send; each one's refusal is a finding. */
const PROBES: ReadonlyArray<{ name: string; command: Command }> = [
  { name: 'info', command: ['INFO'] },
  { name: 'config|get', command: ['CONFIG', 'GET', 'maxmemory*'] },
  { name: 'slowlog|len', command: ['SLOWLOG', 'LEN'] },
  { name: 'latency|latest', command: ['LATENCY', 'LATEST'] },
  { name: 'acl|whoami', command: ['ACL', 'WHOAMI'] },
];

/** Commands a managed service commonly renames or removes, looked up in the server's command table. */
export const BLOCKABLE = ['config', 'psync', 'sync', 'acl', 'bgsave'] as const;

function isUnknownCommand(message: string): boolean {
  return /^ERR unknown (sub)?command/i.test(message);
}

/** `name|sub` of a NOPERM reply ("…permissions to run the 'config|get' command"), else the probe's name. */
function deniedName(message: string, fallback: string): string {
  return /run the '([^']{1,64})' command/.exec(message)?.[1] ?? fallback;
}

/** The most of one value the doctor keeps: real ones are short; a hostile server's would fill the report. */
const VALUE_CHARS = 256;

function short(value: unknown): string {
  return String(value).slice(0, VALUE_CHARS);
}

function configPairs(value: unknown, into: Map<string, string>): void {
  if (!Array.isArray(value)) return;
  for (let i = 0; i + 1 < value.length && i < 400; i += 2) into.set(short(value[i]), short(value[i + 1]));
}

function shortValues(fields: Map<string, string>): Map<string, string> {
  return new Map([...fields].map(([k, v]) => [short(k), short(v)]));
}

/** Two round trips: the probes and COMMAND INFO, then ACL DRYRUN for what cannot be tried for real. */
export async function collectServerFacts(c: RedisConnection, givenUser: string): Promise<ServerFacts> {
  const facts: ServerFacts = {
    user: givenUser,
    info: new Map(),
    config: new Map(),
    denied: new Map(),
    unknown: new Set(),
    dryRun: new Map(),
  };
  const replies = await c.pipeline([
    ...PROBES.map((p) => p.command),
    ['CONFIG', 'GET', 'activedefrag'],
    ['COMMAND', 'INFO', ...BLOCKABLE],
  ]);
  for (const [i, probe] of PROBES.entries()) {
    const r = replies[i];
    if (!r.ok) {
      const message = r.error.message;
      if (message.startsWith('NOPERM')) facts.denied.set(deniedName(message, probe.name), message.slice(0, 300));
      else if (isUnknownCommand(message)) facts.unknown.add(probe.name.split('|')[0]);
      continue;
    }
    if (probe.name === 'info') facts.info = shortValues(parseInfo(String(r.value)).fields);
    if (probe.name === 'config|get') configPairs(r.value, facts.config);
    if (probe.name === 'acl|whoami') facts.user = short(r.value);
  }
  const defrag = replies[PROBES.length];
  if (defrag.ok) configPairs(defrag.value, facts.config);
  const table = replies[PROBES.length + 1];
  if (table.ok && Array.isArray(table.value))
    for (const [i, name] of BLOCKABLE.entries()) if (table.value[i] === null) facts.unknown.add(name);
  if (!facts.denied.has('acl|whoami') && !facts.unknown.has('acl')) {
    const dry = await c.pipeline([
      ['ACL', 'DRYRUN', facts.user, 'PSYNC', '?', '-1'],
      ['ACL', 'DRYRUN', facts.user, 'ACL', 'LIST'],
    ]);
    for (const [i, name] of ['psync', 'acl|list'].entries()) {
      const r = dry[i];
      facts.dryRun.set(name, r.ok ? String(r.value) : r.error.message.slice(0, 300));
    }
  }
  return facts;
}
