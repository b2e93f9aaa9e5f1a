import { readdirSync, readFileSync } from 'node:fs';

/** CPU time of one thread: `/proc/<pid>/task/<tid>/schedstat`'s first field (ns on the CPU) and its name. */
export interface ThreadCpu {
  tid: number;
  /** /proc/<pid>/task/<tid>/comm, e.g. `node`, `V8 DefaultWorke`, `libuv-worker`. */
  name: string;
  ns: number;
}

/** The ns a task has run from a schedstat line (`<run ns> <wait ns> <timeslices>`); NaN when malformed. */
export function parseSchedstat(line: string): number {
  const first = line.trim().split(/\s+/)[0] ?? '';
  return /^\d+$/.test(first) ? Number(first) : Number.NaN;
}

/** Every live thread of a process with its run time (threads that exited are gone from /proc: not counted). */
export function readThreads(pid: number): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = parseSchedstat(readFileSync(`/proc/${pid}/task/${entry}/schedstat`, 'latin1'));
      const name = readFileSync(`/proc/${pid}/task/${entry}/comm`, 'latin1').trim();
      if (Number.isFinite(ns)) out.push({ tid: Number(entry), name, ns });
    } catch {
      // the thread exited between readdir and read
    }
  }
  return out;
}

/**
 * What a thread of a Node 20 process is, from its creation rank (0 = the main thread): Node names none of its
 * threads, so every one is `node`. Node's platform starts V8's delayed-task thread, then its 4 worker threads
 * (GC, compilation), then the inspector's signal thread; libuv's pool (fs, dns, zlib, crypto) starts on first use.
 */
export function nodeThreadRole(rank: number): string {
  if (rank === 0) return 'main';
  if (rank === 1) return 'v8-delayed-tasks';
  if (rank <= 5) return 'v8-workers';
  if (rank === 6) return 'inspector-signal';
  return 'libuv-pool';
}

/** Group name of each thread: Node threads by role (creation rank = tid order), others by name, the leader `main`. */
export function threadGroups(pid: number, threads: ThreadCpu[]): Map<number, string> {
  const tids = threads.map((t) => t.tid).sort((a, b) => a - b);
  const out = new Map<number, string>();
  for (const t of threads) {
    if (t.tid === pid) out.set(t.tid, 'main');
    else out.set(t.tid, t.name === 'node' ? nodeThreadRole(tids.indexOf(t.tid)) : t.name);
  }
  return out;
}

/**
 * Run time per thread group between two readings, in ns (see threadGroups). A thread present only in `after`
 * counts from zero; one present only in `before` (exited) is lost.
 */
export function cpuByGroup(pid: number, before: ThreadCpu[], after: ThreadCpu[]): Record<string, number> {
  const start = new Map(before.map((t) => [t.tid, t.ns]));
  const groups = threadGroups(pid, after);
  const out: Record<string, number> = {};
  for (const t of after) {
    const group = groups.get(t.tid) ?? t.name;
    out[group] = (out[group] ?? 0) + t.ns - (start.get(t.tid) ?? 0);
  }
  return out;
}

/** Sum of the values of a record. */
export function total(groups: Record<string, number>): number {
  let sum = 0;
  for (const v of Object.values(groups)) sum += v;
  return sum;
}
