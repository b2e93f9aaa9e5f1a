import { readFileSync } from 'node:fs';

/** USER_HZ: /proc/<pid>/stat counts CPU time in clock ticks of 1/100 s on Linux. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process (all its threads) in ms, from /proc/<pid>/stat (10 ms resolution). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

export interface ProcessMemory {
  /** VmHWM: peak resident set size, MB. */
  peakRssMb: number;
  /** VmRSS: current resident set size, MB. */
  rssMb: number;
}

/** VmHWM / VmRSS from /proc/<pid>/status, in MB (1024 × 1024 bytes). */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : Number.NaN;
  };
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** This process's own CPU (user + system) in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Fields of an INFO reply as a map (section headers and blank lines skipped). */
export function parseInfo(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** used_cpu_sys + used_cpu_user of a Redis server, in ms, from an INFO reply containing the cpu section. */
export function redisCpuMs(info: Map<string, string>): number {
  return (Number(info.get('used_cpu_sys')) + Number(info.get('used_cpu_user'))) * 1000;
}

/** calls per command from the commandstats section: `cmdstat_config|get:calls=3,...` → { 'config|get': 3 }. */
export function commandCalls(info: Map<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of info) {
    if (!k.startsWith('cmdstat_')) continue;
    const m = /(?:^|,)calls=(\d+)/.exec(v);
    if (m) out[k.slice('cmdstat_'.length)] = Number(m[1]);
  }
  return out;
}

/** Microseconds Redis spent executing each command (commandstats `usec`), by command name (`config|get`). */
export function commandUsecByCommand(info: Map<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of info) {
    if (!k.startsWith('cmdstat_')) continue;
    const m = /(?:^|,)usec=(\d+)/.exec(v);
    if (m) out[k.slice('cmdstat_'.length)] = Number(m[1]);
  }
  return out;
}

/** Microseconds Redis spent executing commands, all commands summed (commandstats `usec`). */
export function commandUsec(info: Map<string, string>): number {
  let sum = 0;
  for (const [k, v] of info) {
    if (!k.startsWith('cmdstat_')) continue;
    const m = /(?:^|,)usec=(\d+)/.exec(v);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

/** Per-command call deltas between two commandstats readings, dropping zeros. */
export function diffCalls(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}
