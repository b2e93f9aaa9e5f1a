import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

export const BIN = fileURLToPath(new URL('../../bin/redoubt.js', import.meta.url));

export interface RunningExporter {
  url: string;
  port: number;
  logs(): string;
  /** Asks the exporter to stop (like SIGTERM) and resolves with its exit code. */
  stop(): Promise<number>;
  /** Settles when main() returns; tests use it to prove the exporter never exited on its own. */
  exited: Promise<number>;
  hasExited(): boolean;
}

/** Runs `redoubt exporter` in this process with captured output, listening on a free loopback port. */
export async function startExporter(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningExporter> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    out += d;
  });
  let stopNow: (s: string) => void = () => {};
  const stopSignal = new Promise<string>((r) => {
    stopNow = r;
  });
  const hasListen = args.some((a) => a.replace(/^--?/, '').startsWith('web.listen-address'));
  const argv = ['exporter', ...(hasListen ? [] : ['--web.listen-address', '127.0.0.1:0']), ...args];
  let done = false;
  const exited = main(argv, { stdout, stderr, env, stopSignal }).finally(() => {
    done = true;
  });
  const deadline = Date.now() + 10000;
  let port = 0;
  while (Date.now() < deadline) {
    const m = /listening.*address="[^"]*:(\d+)"/.exec(out);
    if (m) {
      port = Number(m[1]);
      break;
    }
    if (done) throw new Error(`redoubt exporter exited early: ${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!port) throw new Error(`redoubt exporter did not start: ${out}`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs: () => out,
    exited,
    hasExited: () => done,
    async stop() {
      stopNow('SIGTERM');
      return exited;
    },
  };
}

/** Runs the built CLI as a child process (exit codes, real argv handling), in `cwd` when given. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redoubt ${args.join(' ')} did not exit within ${options.timeoutMs ?? 15000}ms: ${stderr}`));
    }, options.timeoutMs ?? 15000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs one command in this process with captured output (no real environment), and returns its exit code. */
export async function runMain(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const code = await main(argv, { stdout, stderr, env, stopSignal: new Promise(() => {}) });
  return { code, stdout: out, stderr: err };
}

/** A CLI's io for in-process runs: stdout and stderr collected together in `seen.out`, no stop signal. */
export function capturedIo(env: NodeJS.ProcessEnv): {
  io: { stdout: PassThrough; stderr: PassThrough; env: NodeJS.ProcessEnv; stopSignal: Promise<string> };
  seen: { out: string };
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const seen = { out: '' };
  for (const s of [stdout, stderr])
    s.on('data', (d) => {
      seen.out += d;
    });
  return { io: { stdout, stderr, env, stopSignal: new Promise<string>(() => {}) }, seen };
}
