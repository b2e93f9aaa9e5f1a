/** What a live target looks like, from INFO (replication, persistence, memory, keyspace). */
export interface TargetFacts {
  role: 'master' | 'slave' | 'unknown';
  replicas: number;
  appendonly: boolean;
  usedMemory: number;
  maxmemory: number;
  policy: string;
  keys: number;
}

export interface TrapReport {
  /** Reasons not to go ahead, each with what to do; any refusal stops the restore. */
  refusals: string[];
  /** Things the user should know before saying yes. */
  notes: string[];
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:([^\\r\\n]*)`, 'm').exec(info)?.[1];
}

export function targetFacts(info: string): TargetFacts {
  let keys = 0;
  for (const m of info.matchAll(/^db\d+:keys=(\d+)/gm)) keys += Number(m[1]);
  const role = field(info, 'role');
  return {
    role: role === 'master' || role === 'slave' ? role : 'unknown',
    replicas: Number(field(info, 'connected_slaves') ?? 0),
    appendonly: field(info, 'aof_enabled') === '1',
    usedMemory: Number(field(info, 'used_memory') ?? 0),
    maxmemory: Number(field(info, 'maxmemory') ?? 0),
    policy: field(info, 'maxmemory_policy') ?? 'unknown',
    keys,
  };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * The known traps of restoring into a live server, checked before anything is sent. `dataBytes` is the size of
 * the serialized keys and values: Redis needs at least that much memory for them (usually more).
 */
export function checkLiveTraps(t: TargetFacts, dataBytes: number): TrapReport {
  const refusals: string[] = [];
  const notes: string[] = [];
  if (t.role === 'slave')
    refusals.push(
      'the target is a replica: it refuses writes, and its next full sync from its master would wipe whatever was restored into it. Restore into the master (its replicas then receive the keys), or run REPLICAOF NO ONE first if this server is to stand alone',
    );
  if (t.maxmemory > 0 && t.usedMemory + dataBytes > t.maxmemory)
    refusals.push(
      `not enough memory: the backup holds ${mb(dataBytes)} of serialized data, the server uses ${mb(t.usedMemory)} of maxmemory ${mb(t.maxmemory)}${t.policy.startsWith('allkeys') || t.policy.startsWith('volatile') ? ` and would evict keys (${t.policy}) while restoring` : ' and would refuse writes with OOM halfway'}. Raise maxmemory (CONFIG SET maxmemory …) to at least ${mb(Math.ceil((t.usedMemory + dataBytes * 1.5) / 1e6) * 1e6)}, or restore into an empty server`,
    );
  if (t.replicas > 0) notes.push(`${t.replicas} replica(s) follow this server and will receive the restored keys`);
  if (t.keys > 0)
    notes.push(`the server holds ${t.keys} keys now: keys with the same names are replaced, the others stay`);
  if (t.appendonly) notes.push('appendonly is on: every restored key is also written to the AOF');
  return { refusals, notes };
}

/** What to check before starting redis-server on a restored dump.rdb: the traps of an RDB restore. */
export function rdbRestoreAdvice(path: string): string[] {
  return [
    `To load it: stop redis-server, put ${path} in its "dir" as its "dbfilename" (usually /var/lib/redis/dump.rdb, owned by the redis user), start it.`,
    'Traps: with appendonly yes, Redis loads the AOF and IGNORES dump.rdb: start it once with --appendonly no, then CONFIG SET appendonly yes (it rewrites the AOF from the data) and persist that in redis.conf.',
    "A replica loads its master's data at the next full sync and wipes a restored dump.rdb: restore onto the master, or detach the replica first (REPLICAOF NO ONE).",
    'maxmemory must hold the data: used_memory after loading is usually larger than the file.',
  ];
}
