import {
  applyCommandInfo,
  type Capabilities,
  initialCapabilities,
  isPermanentCommandError,
  markUnavailable,
  parseVersion,
} from './capabilities.ts';
import type { Command, RedisConnection } from './connection.ts';
import { classifyRedisError, RedisTimeoutError } from './errors.ts';
import type { LatencyEvent, LatencyHistogram, SlowlogEntry, Snapshot } from './snapshot.ts';

/** The CONFIG parameters the metrics read. Asked by name: `CONFIG GET *` is the most expensive command of a scrape. */
export const METRIC_CONFIG_KEYS = [
  'databases',
  'maxmemory',
  'maxclients',
  'io-threads',
  'repl-backlog-size',
  'client-output-buffer-limit',
  // watched on every scrape: attackers switch these at runtime (redis_security_config_value)
  'protected-mode',
  'replica-read-only',
];

export interface SnapshotOptions {
  /** CONFIG command name; null (redis_exporter's `-`) skips CONFIG entirely. */
  configCommand: string | null;
  configKeys?: string[];
  pingOnConnect?: boolean;
  /** LATENCY HISTOGRAM costs Redis 0.2–0.3 ms per call with many commands in use: opt-in. */
  latencyHistogram?: boolean;
  /** Extra work after the main round trip (key and stream checks); fills snapshot fields. */
  extra?: (conn: RedisConnection, snapshot: Snapshot, deadlineMs: number) => Promise<void>;
}

function infoField(info: string, field: string): string | undefined {
  const i = info.indexOf(`\n${field}:`);
  const start = i >= 0 ? i + field.length + 2 : info.startsWith(`${field}:`) ? field.length + 1 : -1;
  if (start < 0) return undefined;
  const end = info.indexOf('\r', start);
  return info.slice(start, end < 0 ? undefined : end).trim();
}

export function parseSlowlogGet(value: unknown): SlowlogEntry | undefined {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return undefined;
  const [id, ts, dur] = value[0] as unknown[];
  return { id: Number(id), timestamp: Number(ts), durationMicros: Number(dur) };
}

export function parseLatencyLatest(value: unknown): LatencyEvent[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((e): e is unknown[] => Array.isArray(e) && e.length >= 4)
    .map(([event, ts, latest, max]) => ({
      event: String(event),
      timestamp: Number(ts),
      latestMs: Number(latest),
      maxMs: Number(max),
    }));
}

function pairs(value: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) m.set(String(value[i]), value[i + 1]);
  return m;
}

/** LATENCY HISTOGRAM (RESP2): [cmd, [calls, N, histogram_usec, [bucket, count, ...]], ...]. Counts are cumulative. */
export function parseLatencyHistogram(value: unknown): LatencyHistogram[] {
  const out: LatencyHistogram[] = [];
  for (const [command, body] of pairs(value)) {
    const fields = pairs(body);
    const buckets: Array<[number, number]> = [];
    for (const [upper, count] of pairs(fields.get('histogram_usec'))) buckets.push([Number(upper), Number(count)]);
    out.push({ command, calls: Number(fields.get('calls') ?? 0), buckets });
  }
  return out;
}

export function parseConfigGet(value: unknown, into: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of pairs(value)) into[k] = String(v);
  return into;
}

/**
 * Takes snapshots of one server over one persistent connection: one pipelined round trip per scrape (plus a
 * capability probe once per connection).
 */
export class SnapshotCollector {
  private caps: Capabilities | null = null;
  private generation = -1;
  private clusterEnabled = false;

  constructor(
    readonly conn: RedisConnection,
    private readonly options: SnapshotOptions,
  ) {}

  capabilities(): Capabilities | null {
    return this.caps;
  }

  async collect(deadlineMs: number): Promise<Snapshot> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RedisTimeoutError(this.conn.target.display, 'the scrape', Math.max(0, deadlineMs - started) / 1000),
          ),
        Math.max(1, deadlineMs - Date.now()),
      );
    });
    const started = Date.now();
    try {
      return await Promise.race([this.collectInner(deadlineMs), timeout]);
    } catch (err) {
      // A late reply would land in the next scrape's pipeline: start over on a fresh connection.
      if (err instanceof RedisTimeoutError) this.conn.reset();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async collectInner(deadlineMs: number): Promise<Snapshot> {
    const { connectSeconds } = await this.conn.ready(deadlineMs);
    if (this.conn.generation !== this.generation || !this.caps) {
      this.caps = await this.probe();
      this.generation = this.conn.generation;
    }
    const caps = this.caps;
    let pingSeconds: number | undefined;
    if (this.options.pingOnConnect) {
      const t = performance.now();
      await this.conn.call('PING');
      pingSeconds = (performance.now() - t) / 1000;
    }
    const keys = this.options.configKeys ?? METRIC_CONFIG_KEYS;
    const cmds: Command[] = [['INFO', 'ALL']];
    const slots: Record<string, number> = {};
    const push = (name: string, cmd: Command) => {
      slots[name] = cmds.length;
      cmds.push(cmd);
    };
    if (caps.config) {
      if (caps.configMultiGet) push('config', [caps.config, 'GET', ...keys]);
      else for (const [i, k] of keys.entries()) push(`config${i}`, [caps.config, 'GET', k]);
    }
    if (caps.slowlog) {
      push('slowlogLen', ['SLOWLOG', 'LEN']);
      push('slowlogGet', ['SLOWLOG', 'GET', '1']);
    }
    if (caps.latency) push('latencyLatest', ['LATENCY', 'LATEST']);
    if (caps.latencyHistogram && this.options.latencyHistogram) push('latencyHistogram', ['LATENCY', 'HISTOGRAM']);
    if (this.clusterEnabled && caps.clusterInfo) push('clusterInfo', ['CLUSTER', 'INFO']);

    const replies = await this.conn.pipeline(cmds);
    const info = replies[0];
    if (!info.ok) throw classifyRedisError(info.error, this.conn.target.display, this.conn.target.username);
    const snapshot: Snapshot = {
      info: String(info.value),
      config: {},
      takenAtMs: Date.now(),
      connectSeconds,
      pingSeconds,
      unavailable: caps.unavailable,
    };
    this.clusterEnabled = infoField(snapshot.info, 'cluster_enabled') === '1';
    const get = (name: string, capName: string): { value: unknown } | undefined => {
      const i = slots[name];
      if (i === undefined) return undefined;
      const r = replies[i];
      if (!r.ok) {
        if (capName === 'config' && /wrong number of arguments/i.test(r.error.message)) caps.configMultiGet = false;
        else if (isPermanentCommandError(r.error.message))
          markUnavailable(caps, capName, r.error.message.split(' ')[0]);
        return undefined;
      }
      return r;
    };
    if (caps.config || slots.config !== undefined || slots.config0 !== undefined) {
      const r = get('config', 'config');
      if (r) parseConfigGet(r.value, snapshot.config);
      keys.forEach((_, i) => {
        const ri = get(`config${i}`, 'config');
        if (ri) parseConfigGet(ri.value, snapshot.config);
      });
    }
    const len = get('slowlogLen', 'slowlog');
    if (len) snapshot.slowlogLength = Number(len.value);
    const last = get('slowlogGet', 'slowlog');
    if (last) snapshot.slowlogLast = parseSlowlogGet(last.value);
    const ll = get('latencyLatest', 'latency');
    if (ll) snapshot.latencyLatest = parseLatencyLatest(ll.value);
    const lh = get('latencyHistogram', 'latencyHistogram');
    if (lh) snapshot.latencyHistogram = parseLatencyHistogram(lh.value);
    const ci = get('clusterInfo', 'clusterInfo');
    if (ci) snapshot.clusterInfo = String(ci.value);
    if (this.options.extra) await this.options.extra(this.conn, snapshot, deadlineMs);
    return snapshot;
  }

  /** Once per connection: which of the commands a scrape uses exist here, and the server version. */
  private async probe(): Promise<Capabilities> {
    const caps = initialCapabilities(this.options.configCommand);
    const names: Array<[keyof Capabilities | 'config', string]> = [
      ['slowlog', 'slowlog'],
      ['latency', 'latency'],
    ];
    if (caps.config) names.unshift(['config', caps.config]);
    const [info, commandInfo, clusterSection] = await this.conn.pipeline([
      ['INFO', 'SERVER'],
      ['COMMAND', 'INFO', ...names.map(([, n]) => n)],
      // so the very first scrape of a cluster node already includes CLUSTER INFO
      ['INFO', 'CLUSTER'],
    ]);
    if (clusterSection.ok) this.clusterEnabled = infoField(String(clusterSection.value), 'cluster_enabled') === '1';
    if (!info.ok) throw classifyRedisError(info.error, this.conn.target.display, this.conn.target.username);
    caps.version = parseVersion(infoField(String(info.value), 'redis_version'));
    if (caps.version > 0 && caps.version < 7) {
      caps.configMultiGet = false;
      caps.latencyHistogram = false;
    }
    if (commandInfo.ok)
      applyCommandInfo(
        caps,
        names.map(([k]) => k),
        commandInfo.value,
      );
    if (!caps.config && this.options.configCommand === null && !caps.unavailable.some((u) => u.startsWith('CONFIG')))
      caps.unavailable.push('CONFIG: disabled by --config-command=-');
    return caps;
  }
}
