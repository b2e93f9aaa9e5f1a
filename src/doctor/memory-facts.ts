/** The INFO and CONFIG fields the memory checks read, as numbers (INFO reports bytes). */
export interface MemoryFacts {
  usedMemory: number;
  usedMemoryRss: number;
  maxmemory: number;
  policy: string;
  fragmentationRatio: number;
  /** mem_fragmentation_bytes (Redis 7), else rss − used. */
  fragmentationBytes: number;
  /** 'yes', 'no', or undefined when CONFIG is not readable. */
  activeDefrag?: string;
  activeDefragRunning: number;
  totalSystemMemory: number;
  keys: number;
  keysWithTtl: number;
  evictedKeys: number;
  /** Bytes copied on write by the last RDB / AOF rewrite fork (0: none seen). */
  lastCowBytes: number;
  processId: number;
}

function num(info: ReadonlyMap<string, string>, key: string): number {
  const v = Number(info.get(key));
  return Number.isFinite(v) ? v : 0;
}

/** Sums keys= and expires= over the db0…dbN lines of INFO keyspace. */
function keyspace(info: ReadonlyMap<string, string>): { keys: number; expires: number } {
  let keys = 0;
  let expires = 0;
  for (const [k, v] of info) {
    if (!/^db\d+$/.test(k)) continue;
    keys += Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
    expires += Number(/expires=(\d+)/.exec(v)?.[1] ?? 0);
  }
  return { keys, expires };
}

export function memoryFacts(info: ReadonlyMap<string, string>, config: ReadonlyMap<string, string>): MemoryFacts {
  const used = num(info, 'used_memory');
  const rss = num(info, 'used_memory_rss');
  const ks = keyspace(info);
  return {
    usedMemory: used,
    usedMemoryRss: rss,
    maxmemory: config.has('maxmemory') ? Number(config.get('maxmemory')) || 0 : num(info, 'maxmemory'),
    policy: config.get('maxmemory-policy') ?? info.get('maxmemory_policy') ?? 'unknown',
    fragmentationRatio: num(info, 'mem_fragmentation_ratio'),
    fragmentationBytes: info.has('mem_fragmentation_bytes') ? num(info, 'mem_fragmentation_bytes') : rss - used,
    activeDefrag: config.get('activedefrag'),
    activeDefragRunning: num(info, 'active_defrag_running'),
    totalSystemMemory: num(info, 'total_system_memory'),
    keys: ks.keys,
    keysWithTtl: ks.expires,
    evictedKeys: num(info, 'evicted_keys'),
    lastCowBytes: Math.max(num(info, 'rdb_last_cow_size'), num(info, 'aof_last_cow_size')),
    processId: num(info, 'process_id'),
  };
}
