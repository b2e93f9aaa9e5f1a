import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { freePort } from './ports.ts';

export interface RedisServerOptions {
  /** Extra redis.conf lines, e.g. ['requirepass "s3cr@t"', 'rename-command CONFIG ""']. */
  config?: string[];
  port?: number;
}

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT without credentials. */
  url: string;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL the server (a crash), keeping its directory and port for restart(). */
  kill(): Promise<void>;
  /** Start again on the same port with the same config. */
  restart(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, logs: () => string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${logs()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not listen on ${port} within ${timeoutMs}ms: ${logs()}`);
}

/** Starts a real redis-server on a free loopback port with its own directory and config file. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = requireBinary('redis-server');
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-redis-'));
  const conf = join(dir, 'redis.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'daemonize no',
      'logfile ""',
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn(bin, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    await waitForPort(port, child, () => output);
  };
  await launch();
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get process() {
      return child;
    },
    async kill() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await launch();
    },
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
