/**
 * What the console shows of one server's last INFO: role, version, memory, clients, keyspace, persistence and
 * replication, as plain numbers and short strings. Pure over the INFO text; every value came from the server, so
 * numbers are checked (a field that is not a finite number is null) and strings are cut to a bound.
 */
import { parseInfo } from '../../redis/info-lines.ts';
import type { InstanceDetail } from '../contract.ts';

/** Longest string from a server the console passes on (addresses, versions, states). */
export const MAX_TEXT = 256;
/** At most this many databases and replicas are listed. */
export const MAX_LISTED = 64;

export type InfoFields = ReadonlyMap<string, string>;

export function infoFields(info: string): InfoFields {
  return parseInfo(info).fields;
}

export function clip(s: string, max = MAX_TEXT): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function num(fields: InfoFields, name: string): number | null {
  const raw = fields.get(name);
  if (raw === undefined || raw.trim() === '') return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

export function text(fields: InfoFields, name: string): string | null {
  const raw = fields.get(name);
  return raw === undefined ? null : clip(raw);
}

export function roleOf(fields: InfoFields): 'master' | 'replica' | null {
  const role = fields.get('role');
  if (role === 'master') return 'master';
  if (role === 'slave' || role === 'replica') return 'replica';
  return null;
}

/** `k1=v1,k2=v2` (a keyspace or slaveN line) → map; bounded by the line itself. */
function subfields(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function finite(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

export function keyspace(fields: InfoFields): InstanceDetail['keyspace'] {
  const out: InstanceDetail['keyspace'] = [];
  for (const [name, value] of fields) {
    const m = /^db(\d{1,5})$/.exec(name);
    if (!m) continue;
    const f = subfields(value);
    out.push({
      db: Number(m[1]),
      keys: finite(f.get('keys')) ?? 0,
      expires: finite(f.get('expires')) ?? 0,
      avgTtlMs: finite(f.get('avg_ttl')) ?? 0,
    });
    if (out.length >= MAX_LISTED) break;
  }
  return out.sort((a, b) => a.db - b.db);
}

export function clients(fields: InfoFields, config: Readonly<Record<string, string>>): InstanceDetail['clients'] {
  return {
    connected: num(fields, 'connected_clients') ?? 0,
    blocked: num(fields, 'blocked_clients') ?? 0,
    maxclients: num(fields, 'maxclients') ?? finite(config.maxclients),
  };
}

function okStatus(fields: InfoFields, name: string): boolean | null {
  const v = fields.get(name);
  return v === undefined ? null : v === 'ok';
}

export function persistence(fields: InfoFields): InstanceDetail['persistence'] {
  const lastSave = num(fields, 'rdb_last_save_time');
  const aof = num(fields, 'aof_enabled');
  return {
    rdbLastSaveAt: lastSave === null || lastSave <= 0 ? null : lastSave * 1000,
    rdbLastBgsaveOk: okStatus(fields, 'rdb_last_bgsave_status'),
    rdbChangesSinceLastSave: num(fields, 'rdb_changes_since_last_save'),
    aofEnabled: aof === null ? null : aof === 1,
    aofLastWriteOk: okStatus(fields, 'aof_last_write_status'),
  };
}

/** A replica's `lag` / master_last_io_seconds_ago: -1 means never, which the console shows as unknown. */
function seconds(v: number | null): number | null {
  return v === null || v < 0 ? null : v;
}

export function replication(fields: InfoFields): InstanceDetail['replication'] {
  const role = roleOf(fields);
  const connectedReplicas: InstanceDetail['replication']['connectedReplicas'] = [];
  for (const [name, value] of fields) {
    if (!/^slave\d{1,5}$/.test(name)) continue;
    const f = subfields(value);
    const ip = f.get('ip') ?? '';
    const port = f.get('port') ?? '';
    connectedReplicas.push({
      address: clip(port ? `${ip}:${port}` : ip),
      state: clip(f.get('state') ?? ''),
      lagSeconds: seconds(finite(f.get('lag'))),
      offset: finite(f.get('offset')) ?? 0,
    });
    if (connectedReplicas.length >= MAX_LISTED) break;
  }
  let master: InstanceDetail['replication']['master'] = null;
  if (role === 'replica') {
    const host = fields.get('master_host') ?? '';
    const port = fields.get('master_port') ?? '';
    master = {
      address: clip(port ? `${host}:${port}` : host),
      linkUp: fields.get('master_link_status') === 'up',
      lastIoSecondsAgo: seconds(num(fields, 'master_last_io_seconds_ago')),
    };
  }
  return { role, connectedReplicas, master };
}

/** The overview's replication cell. */
export function replicationSummary(
  fields: InfoFields,
): { connectedReplicas: number } | { linkUp: boolean; lagSeconds: number | null } | null {
  const role = roleOf(fields);
  if (role === 'master') return { connectedReplicas: num(fields, 'connected_slaves') ?? 0 };
  if (role === 'replica')
    return {
      linkUp: fields.get('master_link_status') === 'up',
      lagSeconds: seconds(num(fields, 'master_last_io_seconds_ago')),
    };
  return null;
}
