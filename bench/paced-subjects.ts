import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../test/support/ports.ts';
import { REPO_ROOT, startExporter } from './exporters.ts';
import { shebang } from './shebang.ts';

/**
 * What the paced bench can scrape. `redoubt*` variants differ only in flags (for finding where CPU goes);
 * `node_static` is a plain Node HTTP server answering a fixed 64 KB body: the runtime's floor.
 */
const { nodeArgs: SHEBANG_NODE_ARGS, env: SHEBANG_ENV } = shebang(REPO_ROOT);
const NONE: Record<string, string> = {};
export const SUBJECTS = {
  redoubt: { exporter: 'redoubt', args: [] as string[], nodeArgs: undefined as string[] | undefined, env: NONE },
  redoubt_no_audit: { exporter: 'redoubt', args: ['--security-interval=0'], nodeArgs: undefined, env: NONE },
  /** INFO latencystats once a minute instead of every scrape (opt-in: the percentiles are then up to 60 s old). */
  redoubt_latency_60s: {
    exporter: 'redoubt',
    args: ['--latency-percentiles-interval=60s'],
    nodeArgs: undefined,
    env: NONE,
  },
  redoubt_single_threaded_gc: {
    exporter: 'redoubt',
    args: [],
    nodeArgs: [...SHEBANG_NODE_ARGS, '--single-threaded-gc'],
    env: SHEBANG_ENV,
  },
  redoubt_semi_space_default: {
    exporter: 'redoubt',
    args: [],
    nodeArgs: ['--max-semi-space-size=0'],
    env: SHEBANG_ENV,
  },
  redoubt_budget_1000: {
    exporter: 'redoubt',
    args: [],
    nodeArgs: [...SHEBANG_NODE_ARGS, '--interrupt-budget=1000'],
    env: SHEBANG_ENV,
  },
  redoubt_budget_default: {
    exporter: 'redoubt',
    args: [],
    nodeArgs: [...SHEBANG_NODE_ARGS, '--interrupt-budget=67584'],
    env: SHEBANG_ENV,
  },
  /** glibc's default malloc arenas (one per thread, up to 8 per core) instead of the shebang's one. */
  redoubt_arenas_default: { exporter: 'redoubt', args: [], nodeArgs: SHEBANG_NODE_ARGS, env: NONE },
  /** No TurboFan: V8's optimising compiler never runs (nor are its pages of the node binary read in). */
  redoubt_no_opt: { exporter: 'redoubt', args: [], nodeArgs: [...SHEBANG_NODE_ARGS, '--no-opt'], env: SHEBANG_ENV },
  redis_exporter: { exporter: 'redis_exporter', args: [], nodeArgs: undefined, env: NONE },
  node_static: { exporter: 'static', args: [], nodeArgs: undefined, env: NONE },
} as const;
export type SubjectName = keyof typeof SUBJECTS;

export function isSubjectName(s: string): s is SubjectName {
  return Object.hasOwn(SUBJECTS, s);
}

export interface RunningSubject {
  name: SubjectName;
  /** 127.0.0.1:PORT, what Prometheus scrapes (path /metrics). */
  hostPort: string;
  pid: number;
  stop(): Promise<void>;
}

async function startStatic(): Promise<RunningSubject> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'bench/static-server.mjs'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
  if (child.pid === undefined) throw new Error('static server has no pid');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { name: 'node_static', hostPort: `127.0.0.1:${port}`, pid: child.pid, stop };
}

/** Starts a subject against `redisAddr` (redis://127.0.0.1:PORT) and waits until it answers. */
export async function startSubject(name: SubjectName, redisAddr: string): Promise<RunningSubject> {
  const s = SUBJECTS[name];
  if (s.exporter === 'static') return startStatic();
  const e = await startExporter(
    s.exporter,
    redisAddr,
    [],
    [...s.args],
    s.nodeArgs ? [...s.nodeArgs] : undefined,
    s.env,
  );
  return { name, hostPort: e.url.slice('http://'.length), pid: e.pid, stop: e.stop };
}
