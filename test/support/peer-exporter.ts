import { type ChildProcess, spawn } from 'node:child_process';
import { requireBinary } from './binaries.ts';
import { PortTakenError, saysAddressInUse, withFreePort } from './ports.ts';

export interface PeerExporterOptions {
  /** -redis.addr; e.g. server.url. */
  redisAddr: string;
  /** Extra Go-style flags, e.g. ['-include-system-metrics', '-check-keys', 'db0=foo*']. */
  args?: string[];
  /** Extra environment (REDIS_PASSWORD, REDIS_USER …); merged over a minimal environment. */
  env?: Record<string, string>;
  port?: number;
  startTimeoutMs?: number;
}

export interface PeerExporter {
  /** http://127.0.0.1:PORT (no trailing slash); scrape `${url}/metrics`. */
  url: string;
  port: number;
  process: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/** Starts Debian's oliver006/redis_exporter (the reference implementation) on a free loopback port. */
export function startPeerExporter(options: PeerExporterOptions): Promise<PeerExporter> {
  return withFreePort(options.port, (port) => startPeerExporterOn(port, options));
}

async function startPeerExporterOn(port: number, options: PeerExporterOptions): Promise<PeerExporter> {
  const bin = requireBinary('prometheus-redis-exporter');
  const args = ['-redis.addr', options.redisAddr, '-web.listen-address', `127.0.0.1:${port}`, ...(options.args ?? [])];
  // Only PATH/HOME from the parent: the exporter reads REDIS_* variables, which must not leak in from the shell.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...options.env } });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.off('exit', onExit));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 10000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (saysAddressInUse(output)) throw new PortTakenError(port, output);
      throw new Error(`prometheus-redis-exporter exited with ${child.exitCode ?? child.signalCode}: ${output}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus-redis-exporter did not answer /health on ${port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, process: child, logs: () => output, stop };
}
