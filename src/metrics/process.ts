import { readdirSync, readFileSync } from 'node:fs';
import type { MetricFamily } from './family.ts';

const PAGE_SIZE = 4096;
const CLOCK_TICKS = 100;
const startTimeSeconds = Math.round((Date.now() - performance.now()) / 10) / 100;

function readMaxFds(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function readVirtualMax(): number {
  try {
    const m = /Max address space\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : 1.8446744073709552e19;
  } catch {
    return 1.8446744073709552e19;
  }
}

const maxFds = readMaxFds();
const virtualMax = readVirtualMax();

function g(name: string, help: string, value: number, type: MetricFamily['type'] = 'gauge'): MetricFamily {
  return { name, type, help, samples: [{ labels: {}, value }] };
}

let cached: { at: number; families: MetricFamily[] } | undefined;

/**
 * The standard process_* families (the names client_golang's process collector uses), from /proc where present.
 * Read at most every 250 ms: reading /proc cost ~0.1 ms per scrape, and these describe the exporter, not Redis.
 */
export function processFamilies(now = performance.now()): MetricFamily[] {
  if (cached && now - cached.at < 250) return cached.families;
  cached = { at: now, families: readProcessFamilies() };
  return cached.families;
}

function readProcessFamilies(): MetricFamily[] {
  const out: MetricFamily[] = [];
  let rss = 0;
  let vsize: number | undefined;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    vsize = Number(fields[20]);
    rss = Number(fields[21]) * PAGE_SIZE;
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    out.push(
      g(
        'process_cpu_seconds_total',
        'Total user and system CPU time spent in seconds.',
        (utime + stime) / CLOCK_TICKS,
        'counter',
      ),
    );
  } catch {
    const cpu = process.cpuUsage();
    rss = process.memoryUsage.rss();
    out.push(
      g(
        'process_cpu_seconds_total',
        'Total user and system CPU time spent in seconds.',
        (cpu.user + cpu.system) / 1e6,
        'counter',
      ),
    );
  }
  if (maxFds !== undefined) out.push(g('process_max_fds', 'Maximum number of open file descriptors.', maxFds));
  try {
    out.push(g('process_open_fds', 'Number of open file descriptors.', readdirSync('/proc/self/fd').length));
  } catch {
    // not on Linux
  }
  out.push(g('process_resident_memory_bytes', 'Resident memory size in bytes.', rss));
  out.push(g('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', startTimeSeconds));
  if (vsize !== undefined) out.push(g('process_virtual_memory_bytes', 'Virtual memory size in bytes.', vsize));
  out.push(g('process_virtual_memory_max_bytes', 'Maximum amount of virtual memory available in bytes.', virtualMax));
  return out;
}
