import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { requireBinary } from './binaries.ts';
import { trackChild } from './children.ts';
import { httpGet } from './http.ts';
import { PortTakenError, saysAddressInUse, withFreePort } from './ports.ts';

/**
 * Debian's Prometheus and Alertmanager as native processes on loopback, a webhook receiver for Alertmanager's
 * notifications, and polling with a deadline. Used by the end-to-end test of the generated monitoring stack.
 */

export interface Daemon {
  name: string;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** The daemon's process id (benchmarks read its CPU and RSS from /proc). */
  pid?: number;
  logs(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `bin args` and waits until GET `readyPath` answers 200 (or the process exits, or the deadline passes). */
export async function startDaemon(
  name: string,
  bin: string,
  args: string[],
  port: number,
  readyPath: string,
  timeoutMs = 30000,
): Promise<Daemon> {
  const child = spawn(requireBinary(bin), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  child.on('error', (e) => {
    output += `\n${name}: ${e.message}`;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (alive()) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (alive()) {
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(5000)]);
      }
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (!alive()) {
      if (saysAddressInUse(output)) throw new PortTakenError(port, output);
      throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    }
    try {
      const r = await httpGet(`${url}${readyPath}`, { timeoutMs: 2000 });
      if (r.status === 200) break;
      last = `${r.status} ${r.body}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} was not ready on ${url}${readyPath} within ${timeoutMs}ms (${last}):\n${output}`);
    }
    await sleep(100);
  }
  return { name, port, url, pid: child.pid, logs: () => output, stop };
}

/**
 * A compose `command:` list turned into native arguments: each `--flag=value` named in `replace` gets the new value
 * (the flag must be there), everything else is kept as the compose file has it; `add` is appended.
 */
export function nativeArgs(command: readonly string[], replace: Record<string, string>, add: string[] = []): string[] {
  const seen = new Set<string>();
  const args = command.map((arg) => {
    const flag = arg.split('=')[0];
    if (!(flag in replace)) return arg;
    seen.add(flag);
    return `${flag}=${replace[flag]}`;
  });
  const missing = Object.keys(replace).filter((f) => !seen.has(f));
  if (missing.length > 0) throw new Error(`the compose command has no ${missing.join(', ')}: ${command.join(' ')}`);
  return [...args, ...add];
}

/** Debian's prometheus with `args` (from the compose file), listening on 127.0.0.1:port. */
export async function startPrometheus(args: string[], port?: number): Promise<Daemon> {
  return withFreePort(port, (p) =>
    startDaemon('prometheus', 'prometheus', [...args, `--web.listen-address=127.0.0.1:${p}`], p, '/-/ready'),
  );
}

/** Debian's prometheus-alertmanager with `args` (from the compose file), listening on 127.0.0.1:port. */
export async function startAlertmanager(args: string[], port?: number): Promise<Daemon> {
  return withFreePort(port, (p) =>
    startDaemon(
      'alertmanager',
      'prometheus-alertmanager',
      [...args, `--web.listen-address=127.0.0.1:${p}`],
      p,
      '/-/ready',
    ),
  );
}

/** One alert of Alertmanager's webhook payload (version 4). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload (version 4), with the time the receiver got it. */
export interface WebhookNotification {
  receivedAt: number;
  version: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT/alerts */
  url: string;
  /** Every notification received, in arrival order. */
  notifications: WebhookNotification[];
  /** The alerts of every notification, flattened, each with its notification's arrival time. */
  alerts(): Array<WebhookAlert & { receivedAt: number }>;
  /** Requests that were not a JSON POST to the path (should stay empty). */
  rejected: string[];
  stop(): Promise<void>;
}

/** An HTTP server on a free loopback port that records Alertmanager's webhook POSTs. */
export async function startWebhookReceiver(path = '/alerts'): Promise<WebhookReceiver> {
  const notifications: WebhookNotification[] = [];
  const rejected: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      try {
        if (req.method !== 'POST' || req.url !== path) throw new Error('not a POST to the webhook path');
        notifications.push({
          ...(JSON.parse(body) as Omit<WebhookNotification, 'receivedAt'>),
          receivedAt: Date.now(),
        });
        res.writeHead(200).end();
      } catch (e) {
        rejected.push(`${req.method} ${req.url}: ${(e as Error).message}`);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    notifications,
    alerts: () => notifications.flatMap((n) => n.alerts.map((a) => ({ ...a, receivedAt: n.receivedAt }))),
    rejected,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Polls `probe` until it returns a value other than undefined/false, at most `timeoutMs`. A probe that throws
 * counts as "not yet"; the timeout error names `what`, the last value or error and `detail()`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20000;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = String(v);
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last: ${last})${detail}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/** GET `url` (a Prometheus or Alertmanager API), expecting 200 and JSON; Prometheus' envelope is unwrapped. */
export async function apiGet<T>(url: string): Promise<T> {
  const r = await httpGet(url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body}`);
  const body = JSON.parse(r.body) as { status?: string; data?: T };
  if (body && typeof body === 'object' && 'status' in body && 'data' in body) {
    if (body.status !== 'success') throw new Error(`GET ${url}: ${r.body}`);
    return body.data as T;
  }
  return body as T;
}

/** The parts of Prometheus' /api/v1/rules this test reads. */
export interface PromRule {
  name: string;
  query: string;
  duration: number;
  health: string;
  lastError?: string;
  type: string;
  state?: string;
  labels: Record<string, string>;
}
export interface PromRuleGroup {
  name: string;
  file: string;
  rules: PromRule[];
}

/** One alert of Prometheus' /api/v1/alerts. */
export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

/** One alert of Alertmanager's /api/v2/alerts. */
export interface AmAlert {
  labels: Record<string, string>;
  fingerprint: string;
  startsAt: string;
  updatedAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}
