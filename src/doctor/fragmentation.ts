import { formatBytes } from '../text/bytes.ts';
import { type Finding, finding } from './finding.ts';
import type { MemoryFacts } from './memory-facts.ts';

/** A ratio above this, wasting more than FRAGMENTATION_BYTES, is worth acting on (small data sets look fragmented). */
export const FRAGMENTATION_RATIO = 1.5;
export const FRAGMENTATION_BYTES = 100 * 1024 * 1024;

/** RSS against used memory: fragmentation (with its absolute cost) or swapping, and whether active defrag is on. */
export function diagnoseFragmentation(subject: string, m: MemoryFacts): Finding {
  const ratio = m.fragmentationRatio.toFixed(2);
  const numbers = `ratio ${ratio}: RSS ${formatBytes(m.usedMemoryRss)} for ${formatBytes(m.usedMemory)} used, ${formatBytes(Math.max(0, m.fragmentationBytes))} fragmented`;
  const defrag =
    m.activeDefrag === undefined
      ? 'active defrag unknown (CONFIG GET not allowed)'
      : `active defrag ${m.activeDefrag === 'yes' ? `on${m.activeDefragRunning ? ', running' : ''}` : 'off'}`;
  if (m.fragmentationRatio > 0 && m.fragmentationRatio < 1 && m.usedMemory > 64 * 1024 * 1024)
    return finding(
      subject,
      'fragmentation',
      'warn',
      `RSS is smaller than used memory (${numbers}): part of Redis is swapped out, and every access to it is slow`,
      'give the host more memory or lower maxmemory; check swap use (free -m) and vm.swappiness',
    );
  if (m.fragmentationRatio > FRAGMENTATION_RATIO && m.fragmentationBytes > FRAGMENTATION_BYTES)
    return finding(
      subject,
      'fragmentation',
      'warn',
      `memory is fragmented (${numbers}; ${defrag})`,
      m.activeDefrag === 'yes'
        ? 'active defrag is reclaiming it; if it does not shrink, a restart or a failover to a replica gives the memory back'
        : 'turn on active defragmentation (jemalloc builds): CONFIG SET activedefrag yes, then CONFIG REWRITE; or restart / fail over to a replica',
    );
  return finding(subject, 'fragmentation', 'ok', `${numbers}; ${defrag}`);
}
