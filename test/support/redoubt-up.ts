import { type ChildProcess, spawn } from 'node:child_process';
import { trackChild } from './children.ts';
import { BIN } from './redoubt.ts';

export interface RunningUp {
  url: string;
  port: number;
  process: ChildProcess;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the built `redoubt up` as a child process on a loopback port chosen by the kernel, until stopped. */
export async function startUp(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
  /** The address it announces (when args give their own --web.listen-address). */
  host = '127.0.0.1',
  /** Node flags before the script (benchmarks pass the shebang's: bench/shebang.ts). */
  nodeArgs: readonly string[] = [],
): Promise<RunningUp> {
  const listen = args.includes('--web.listen-address') ? [] : ['--web.listen-address', '127.0.0.1:0'];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'up', ...listen, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  let port = 0;
  let scheme = 'http';
  while (Date.now() < deadline) {
    const m = new RegExp(`API on (https?)://${host.replaceAll('.', '\\.')}:(\\d+)/`).exec(err);
    if (m) {
      scheme = m[1];
      port = Number(m[2]);
      break;
    }
    if (child.exitCode !== null) throw new Error(`redoubt up exited with ${child.exitCode}: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!port) {
    child.kill('SIGKILL');
    throw new Error(`redoubt up did not start within ${timeoutMs}ms: ${err}`);
  }
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    process: child,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
