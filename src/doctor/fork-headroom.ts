import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { RedisTarget } from '../redis/target.ts';
import { formatBytes } from '../text/bytes.ts';
import { type Finding, finding } from './finding.ts';
import type { MemoryFacts } from './memory-facts.ts';

/** This host's memory, read when the server runs here (a loopback or unix-socket target on Linux). */
export interface HostMemory {
  /** MemAvailable from /proc/meminfo, bytes. */
  availableBytes: number;
  /** vm.overcommit_memory (0, 1 or 2), when readable. */
  overcommit?: number;
}

export function isLocalTarget(t: RedisTarget): boolean {
  if (t.scheme === 'unix') return true;
  return t.host === 'localhost' || (isIP(t.host) === 4 ? t.host.startsWith('127.') : t.host === '::1');
}

/** Reads /proc (Linux); undefined elsewhere or when unreadable. */
export function readHostMemory(): HostMemory | undefined {
  try {
    const meminfo = readFileSync('/proc/meminfo', 'utf8').slice(0, 64 * 1024);
    const kb = Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1]);
    if (!Number.isFinite(kb)) return undefined;
    let overcommit: number | undefined;
    try {
      overcommit = Number(readFileSync('/proc/sys/vm/overcommit_memory', 'utf8').trim());
    } catch {
      overcommit = undefined;
    }
    return overcommit === undefined ? { availableBytes: kb * 1024 } : { availableBytes: kb * 1024, overcommit };
  } catch {
    return undefined;
  }
}

/**
 * What a fork needs beyond what Redis holds: the pages written while the child saves are copied. The last fork's
 * copy-on-write size is the best estimate; without one, the worst case (every page written) is all of used memory.
 */
export function copyOnWriteEstimate(m: MemoryFacts): { bytes: number; basis: string } {
  if (m.lastCowBytes > 0) return { bytes: m.lastCowBytes, basis: "the last fork's copy-on-write" };
  return { bytes: m.usedMemory, basis: 'no fork seen yet: the worst case, every page written during the save' };
}

/** BGSAVE, AOF rewrites, a replica's full sync and `redoubt backup` all fork: is there room for the copy? */
export function diagnoseForkHeadroom(subject: string, m: MemoryFacts, host: HostMemory | undefined): Finding[] {
  const cow = copyOnWriteEstimate(m);
  // Redis's own pages are already resident: what the fork adds is the copies of the pages written meanwhile.
  const needs = `Redis uses ${formatBytes(m.usedMemory)}; a fork for BGSAVE or a backup (redoubt backup, a replica's full sync) needs up to ${formatBytes(cow.bytes)} more (${cow.basis})`;
  const out: Finding[] = [];
  if (host) {
    const enough = cow.bytes <= host.availableBytes;
    out.push(
      enough
        ? finding(
            subject,
            'fork-headroom',
            'ok',
            `${needs}; this host has ${formatBytes(host.availableBytes)} available`,
          )
        : finding(
            subject,
            'fork-headroom',
            'warn',
            `${needs}, but this host has only ${formatBytes(host.availableBytes)} available: a save or backup under write load can push the host into swap or the OOM killer`,
            'lower maxmemory, free memory on the host, or take backups from a replica on another host',
          ),
    );
    if (host.overcommit !== undefined && host.overcommit !== 1)
      out.push(
        finding(
          subject,
          'overcommit',
          // The kernel's default (0) on most hosts: advice while the host has room for the fork, a warning when not.
          out.some((f) => f.status === 'warn') ? 'warn' : 'advice',
          `vm.overcommit_memory is ${host.overcommit}: with little free memory the fork for BGSAVE fails ("Can't save in background: fork: Cannot allocate memory") and writes stop if stop-writes-on-bgsave-error is on`,
          'sysctl vm.overcommit_memory=1, and add "vm.overcommit_memory = 1" to /etc/sysctl.d/99-redis.conf (Redis logs the same advice at start)',
        ),
      );
    else if (host.overcommit === 1)
      out.push(finding(subject, 'overcommit', 'ok', 'vm.overcommit_memory is 1, as Redis recommends'));
    return out;
  }
  if (m.maxmemory === 0) {
    out.push(
      finding(
        subject,
        'fork-headroom',
        'info',
        `${needs}; the server is not on this host and has no maxmemory, so its headroom cannot be judged from here`,
      ),
    );
    return out;
  }
  const total = m.usedMemory + cow.bytes;
  out.push(
    total <= m.maxmemory
      ? finding(
          subject,
          'fork-headroom',
          'ok',
          `${needs}; used memory plus that (${formatBytes(total)}) fits within maxmemory ${formatBytes(m.maxmemory)}`,
        )
      : finding(
          subject,
          'fork-headroom',
          'warn',
          `${needs}; used memory plus that is ${formatBytes(total)}, more than maxmemory ${formatBytes(m.maxmemory)}: the host must hold it beyond Redis's limit`,
          "keep maxmemory well under the host's memory (managed services reserve it: e.g. ElastiCache's reserved-memory-percent), or take backups from a replica",
        ),
  );
  return out;
}
