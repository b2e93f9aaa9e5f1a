import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '../test/support/binaries.ts';
import { freePort } from '../test/support/ports.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export type ExporterName = 'redoubt' | 'redis_exporter';

export interface RunningExporter {
  name: ExporterName;
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number;
  process: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/** Builds dist/ (npm run build's script) so bin/redoubt.js runs the current sources. */
export function buildRedoubt(): void {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}

const live = new Set<ChildProcess>();
/** Kills every exporter still running (for SIGINT / crashes). */
export function killAllExporters(): void {
  for (const c of live) c.kill('SIGKILL');
}
// Last resort when the bench dies without cleaning up: no orphaned exporters.
process.once('exit', killAllExporters);

/**
 * Starts an exporter as a child process on a free loopback port and waits for /health.
 * `redisAddr` '' starts it without a home target (only /scrape?target= then); `allowedTargets` are the targets
 * redoubt's /scrape may reach besides it (redis_exporter reaches any).
 * REDOUBT_BENCH_NODE_ARGS adds node flags for redoubt, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; `extraArgs` are
 * appended to the exporter's own flags; `nodeArgsOverride` replaces REDOUBT_BENCH_NODE_ARGS (the shebang's
 * flags are then not applied: name them).
 */
export async function startExporter(
  name: ExporterName,
  redisAddr: string,
  allowedTargets: string[] = [],
  extraArgs: string[] = [],
  nodeArgsOverride?: string[],
  extraEnv: Record<string, string> = {},
): Promise<RunningExporter> {
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  let cmd: string;
  let args: string[];
  if (name === 'redoubt') {
    // Run the CLI file itself, as an installed `redoubt` runs (its shebang carries the node flags); with
    // REDOUBT_BENCH_NODE_ARGS, run it through node with those flags instead.
    const nodeArgs = nodeArgsOverride ?? (process.env.REDOUBT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    cmd = nodeArgs.length ? process.execPath : join(REPO_ROOT, 'bin/redoubt.js');
    args = [
      ...(nodeArgs.length ? [...nodeArgs, join(REPO_ROOT, 'bin/redoubt.js')] : []),
      'exporter',
      `--redis.addr=${redisAddr}`,
      ...(allowedTargets.length > 0 ? [`--scrape.allowed-targets=${allowedTargets.join(',')}`] : []),
      '--web.listen-address',
      listen,
      ...extraArgs,
    ];
  } else {
    cmd = requireBinary('prometheus-redis-exporter');
    args = [`-redis.addr=${redisAddr}`, '-web.listen-address', listen, ...extraArgs];
  }
  // Only PATH/HOME: both exporters read REDIS_* variables, which must not leak in from the shell.
  // REDOUBT_BENCH_ENV="K=V …" and extraEnv add variables for a variant (e.g. MALLOC_ARENA_MAX).
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  for (const kv of (process.env.REDOUBT_BENCH_ENV ?? '').split(' ').filter((x) => x.includes('=')))
    env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
  Object.assign(env, extraEnv);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: REPO_ROOT });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const keep = (d: Buffer) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const url = `http://${listen}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}: ${output}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer /health on ${port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`);
  return { name, url, pid: child.pid, process: child, logs: () => output, stop };
}
