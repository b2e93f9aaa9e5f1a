import { formatBytes } from '../text/bytes.ts';
import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';
import type { MemoryFacts } from './memory-facts.ts';

/** Used memory at or above this share of maxmemory is "near the limit". */
export const NEAR_LIMIT = 0.9;
/** Keys with a TTL at or above this share: the data set behaves like a cache. */
const CACHE_LIKE = 0.5;

/** Memory against maxmemory and the eviction policy: the seed's "high memory usage". */
export function diagnoseMemoryLimit(subject: string, m: MemoryFacts): Finding[] {
  const used = formatBytes(m.usedMemory);
  const policy = neutralise(m.policy);
  const out: Finding[] = [];
  if (m.maxmemory === 0) {
    const suggestion =
      m.totalSystemMemory > 0
        ? ` (e.g. ${formatBytes(Math.floor(m.totalSystemMemory * 0.6))}, 60% of this host's ${formatBytes(m.totalSystemMemory)}, leaving room for BGSAVE's copy-on-write)`
        : '';
    out.push(
      finding(
        subject,
        'memory-limit',
        // Advice: every stock redis-server runs without a limit, and nothing is wrong until the host fills up.
        'advice',
        `no maxmemory is set: Redis (using ${used} now) grows until the host runs out of memory and the kernel's OOM killer stops it`,
        `set a limit: CONFIG SET maxmemory <bytes>${suggestion}, then CONFIG REWRITE; choose maxmemory-policy to match the data (allkeys-lru for a cache, noeviction for data that must not be lost)`,
      ),
    );
  } else {
    const share = m.usedMemory / m.maxmemory;
    const pct = `${(share * 100).toFixed(1)}%`;
    const line = `using ${used} of maxmemory ${formatBytes(m.maxmemory)} (${pct}), policy ${policy}`;
    if (share >= NEAR_LIMIT && m.policy === 'noeviction')
      out.push(
        finding(
          subject,
          'memory-limit',
          'fail',
          `${line}: when it is full, every write fails with "OOM command not allowed when used memory > 'maxmemory'"`,
          'raise maxmemory (CONFIG SET maxmemory <bytes>; CONFIG REWRITE), delete or expire data you do not need (the biggest keys are listed below), or, if this is a cache, let Redis evict: CONFIG SET maxmemory-policy allkeys-lru',
        ),
      );
    else if (share >= NEAR_LIMIT)
      out.push(
        finding(
          subject,
          'memory-limit',
          'warn',
          `${line}: Redis is evicting keys to stay under the limit (${m.evictedKeys} evicted so far)`,
          'if those keys matter, raise maxmemory or make the data smaller; watch redis_evicted_keys_total',
        ),
      );
    else out.push(finding(subject, 'memory-limit', 'ok', line));
  }
  const ttlShare = m.keys > 0 ? m.keysWithTtl / m.keys : 0;
  if (m.policy === 'noeviction' && m.keys > 0 && ttlShare >= CACHE_LIKE)
    out.push(
      finding(
        subject,
        'memory-policy',
        'advice',
        `${m.keysWithTtl} of ${m.keys} keys have a TTL (a cache-like workload), but the policy is noeviction: a full Redis refuses writes instead of evicting old entries`,
        'for a cache: CONFIG SET maxmemory-policy volatile-lru (evicts keys with a TTL) or allkeys-lru, then CONFIG REWRITE',
      ),
    );
  return out;
}
