import {
  applyCommandInfo,
  type Capabilities,
  initialCapabilities,
  isPermanentCommandError,
  markUnavailable,
  parseVersion,
} from './capabilities.ts';

import type { Command, RedisConnection, Reply } from './connection.ts';
import { classifyRedisError, RedisTimeoutError } from './errors.ts';
import { infoField } from './info-field.ts';
import { infoSectionNames, latencystatsSection, withLatencystats } from './info-sections.ts';
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

/**
 * CONFIG parameters Redis cannot change while it runs (IMMUTABLE_CONFIG): asked on a connection's first scrape,
 * then remembered for the connection (a restart ends the connection).
 */
export const IMMUTABLE_CONFIG_KEYS: ReadonlySet<string> = new Set(['databases', 'io-threads']);

/**
 * CONFIG parameters INFO also reports, as the same integer at the same instant (the metrics read INFO when CONFIG
 * has no value: src/metrics/server-families.ts). Asked with CONFIG only while the server's INFO has not shown
 * the field on this connection (maxclients is in INFO from Redis 7 on).
 */
export const CONFIG_KEYS_IN_INFO: ReadonlyMap<string, string> = new Map([
  ['maxmemory', 'maxmemory'],
  ['maxclients', 'maxclients'],
  ['repl-backlog-size', 'repl_backlog_size'],
]);

const INFO_ALL = Object.freeze(['INFO', 'ALL']) as unknown as Command;

/** The latencystats of the last INFO ALL, kept for the scrapes in between (--latency-percentiles-interval). */
interface KeptLatencystats {
  generation: number;
  atMs: number;
  section: string;
  /** INFO with every section INFO ALL had but latencystats. */
  command: Command;
}

/** What sets a scrape's deadline (the exporter's flag; Prometheus's scrape_timeout header can shorten it). */
const SCRAPE_DEADLINE_SETTING = '--scrape-timeout';

export interface SnapshotOptions {
  /** CONFIG command name; null (redis_exporter's `-`) skips CONFIG entirely. */
  configCommand: string | null;
  configKeys?: string[];
  pingOnConnect?: boolean;
  /** LATENCY HISTOGRAM costs Redis 0.2–0.3 ms per call with many commands in use: opt-in. */
  latencyHistogram?: boolean;
  /**
   * INFO's latencystats section (redis_latency_percentiles_usec) is half of what INFO ALL costs Redis: asked at
   * most this often (ms), the scrapes in between send INFO with every other section and repeat the last
   * latencystats. 0 or absent: every scrape (INFO ALL), as redis_exporter. Redis 7 and later.
   */
  latencystatsIntervalMs?: number;
  /** Extra work after the main round trip (key and stream checks); fills snapshot fields. */
  extra?: (conn: RedisConnection, snapshot: Snapshot, deadlineMs: number) => Promise<void>;
}

export function parseSlowlogGet(value: unknown): SlowlogEntry | undefined {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return undefined;
  const [id, ts, dur] = value[0] as unknown[];
  return { id: Number(id), timestamp: Number(ts), durationMicros: Number(dur), raw: value[0] };
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
  // (as pairs(value) then into: a repeated name keeps its first place and its last value)
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) into[String(value[i])] = String(value[i + 1]);
  return into;
}

/** Per connection: CONFIG values a scrape need not ask for again (see IMMUTABLE_CONFIG_KEYS, CONFIG_KEYS_IN_INFO). */
interface ConfigMemo {
  generation: number;
  /** Immutable values from the connection's first answered CONFIG GET. */
  immutable?: Record<string, string>;
  /** CONFIG keys whose INFO field the server reports. */
  inInfo?: Set<string>;
  /** The keys asked for now, computed from `from` (the configured list). */
  keys?: readonly string[];
  from?: readonly string[];
}

function emptyConfigMemo(generation: number): ConfigMemo {
  return { generation };
}

/** A scrape's commands for one state of the capabilities, and where each reply is (-1: not sent). */
interface ScrapePlan {
  caps: Capabilities;
  /** The INFO command (INFO ALL, or every section but latencystats). */
  info: Command;
  /** The CONFIG keys asked for. */
  keys: readonly string[];
  configCommand: string | null;
  configMultiGet: boolean;
  slowlog: boolean;
  latency: boolean;
  withLatencyHistogram: boolean;
  withClusterInfo: boolean;
  /** Frozen, and so are its commands. */
  commands: readonly Command[];
  /** CONFIG GET of all keys at once, or one per key. */
  config: number;
  configEach: number[];
  slowlogLen: number;
  slowlogGet: number;
  latencyLatest: number;
  latencyHistogram: number;
  clusterInfo: number;
}

/**
 * Takes snapshots of one server over one persistent connection: one pipelined round trip per scrape (plus a
 * capability probe once per connection).
 */
export class SnapshotCollector {
  private caps: Capabilities | null = null;
  private generation = -1;
  private clusterEnabled = false;
  /**
   * The INFO that clusterEnabled is still to be read from. Only the next scrape's commands depend on it, so it
   * is read after the current scrape's response is out (setImmediate), or by the next scrape if that comes first:
   * scanning a whole INFO for one field is a few µs off the scrape's critical path.
   */
  private clusterInfoPending: string | undefined;
  private clusterCheckScheduled = false;
  private plan: ScrapePlan | undefined;
  private latencystats: KeptLatencystats | undefined;
  /** What this connection no longer asks CONFIG for every scrape (reset with the connection). */
  private configMemo: ConfigMemo = emptyConfigMemo(-1);

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
            new RedisTimeoutError(
              this.conn.target.display,
              'the scrape',
              Math.max(0, deadlineMs - started) / 1000,
              SCRAPE_DEADLINE_SETTING,
              'deadline',
            ),
          ),
        Math.max(1, deadlineMs - Date.now()),
      );
    });
    const started = Date.now();
    try {
      return await Promise.race([this.collectInner(deadlineMs), timeout]);
    } catch (err) {
      // A late reply would land in the next scrape's pipeline: start over on a fresh connection.
      if (!(err instanceof RedisTimeoutError)) throw err;
      this.conn.reset();
      // The deadline a collection runs against is the scrape's, whatever the connection calls it.
      if (err.limit === 'deadline' && err.setting !== SCRAPE_DEADLINE_SETTING)
        throw new RedisTimeoutError(
          this.conn.target.display,
          'the scrape',
          Math.max(0, deadlineMs - started) / 1000,
          SCRAPE_DEADLINE_SETTING,
          'deadline',
        );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async collectInner(deadlineMs: number): Promise<Snapshot> {
    // (ready() of a ready connection resolves with 0 right away: skip its turn of the microtask queue)
    const connectSeconds = this.conn.isReady() ? 0 : (await this.conn.ready(deadlineMs)).connectSeconds;
    if (this.conn.generation !== this.generation || !this.caps) {
      this.caps = await this.probe();
      this.generation = this.conn.generation;
    }
    if (this.configMemo.generation !== this.generation) this.configMemo = emptyConfigMemo(this.generation);
    const caps = this.caps;
    let pingSeconds: number | undefined;
    if (this.options.pingOnConnect) {
      const t = performance.now();
      await this.conn.call('PING');
      pingSeconds = (performance.now() - t) / 1000;
    }
    const kept = this.latencystatsToRepeat(caps);
    const plan = this.planFor(caps, kept?.command ?? INFO_ALL);
    const replies = await this.conn.pipeline(plan.commands as Command[]);
    const info = replies[0];
    // A server that does not answer INFO with several sections in full goes back to INFO ALL from the next scrape.
    if (kept && (!info.ok || !this.hasSections(String(info.value), kept))) this.latencystats = undefined;
    if (!info.ok) throw classifyRedisError(info.error, this.conn.target.display, this.conn.target.username);
    const snapshot: Snapshot = {
      info: kept ? withLatencystats(String(info.value), kept.section) : this.keepLatencystats(caps, info.value),
      config: {},
      takenAtMs: Date.now(),
      connectSeconds,
      pingSeconds,
      unavailable: caps.unavailable,
    };
    this.clusterInfoPending = snapshot.info;
    if (!this.clusterCheckScheduled) {
      this.clusterCheckScheduled = true;
      setImmediate(() => {
        this.clusterCheckScheduled = false;
        this.settleClusterEnabled();
      });
    }
    this.readConfig(caps, plan, replies, snapshot.config);
    const len = this.reply(caps, replies, plan.slowlogLen, 'slowlog');
    if (len) snapshot.slowlogLength = Number(len.value);
    const last = this.reply(caps, replies, plan.slowlogGet, 'slowlog');
    if (last) snapshot.slowlogLast = parseSlowlogGet(last.value);
    const ll = this.reply(caps, replies, plan.latencyLatest, 'latency');
    if (ll) snapshot.latencyLatest = parseLatencyLatest(ll.value);
    const lh = this.reply(caps, replies, plan.latencyHistogram, 'latencyHistogram');
    if (lh) snapshot.latencyHistogram = parseLatencyHistogram(lh.value);
    const ci = this.reply(caps, replies, plan.clusterInfo, 'clusterInfo');
    if (ci) snapshot.clusterInfo = String(ci.value);
    if (this.options.extra) await this.options.extra(this.conn, snapshot, deadlineMs);
    return snapshot;
  }

  /** The scrape's CONFIG GET replies into `config`, with the values this connection remembers. */
  private readConfig(caps: Capabilities, plan: ScrapePlan, replies: Reply[], config: Record<string, string>): void {
    let answered = false;
    for (const i of plan.config === -1 ? plan.configEach : [plan.config]) {
      const r = this.reply(caps, replies, i, 'config');
      if (r) parseConfigGet(r.value, config);
      if (r) answered = true;
    }
    if (answered) this.rememberConfig(plan, config);
  }

  /** The latencystats to repeat instead of asking for them, when --latency-percentiles-interval allows. */
  private latencystatsToRepeat(caps: Capabilities): KeptLatencystats | undefined {
    const k = this.latencystats;
    const interval = this.options.latencystatsIntervalMs ?? 0;
    if (k === undefined || interval <= 0 || caps.version < 7) return undefined;
    if (k.generation !== this.generation || Date.now() - k.atMs >= interval) return undefined;
    return k;
  }

  /** Whether a reply to kept.command has every section it asked for. */
  private hasSections(info: string, kept: KeptLatencystats): boolean {
    const names = infoSectionNames(info);
    return kept.command.length - 1 === names.length && names.every((n, i) => kept.command[i + 1] === n);
  }

  /** An INFO ALL reply, as text; its latencystats are kept when --latency-percentiles-interval is set. */
  private keepLatencystats(caps: Capabilities, value: unknown): string {
    const info = String(value);
    if ((this.options.latencystatsIntervalMs ?? 0) <= 0 || caps.version < 7) return info;
    const section = latencystatsSection(info);
    const others = infoSectionNames(info).filter((n) => n !== 'latencystats');
    this.latencystats =
      section === undefined || others.length === 0
        ? undefined
        : {
            generation: this.generation,
            atMs: Date.now(),
            section,
            command: Object.freeze(['INFO', ...others]) as Command,
          };
    return info;
  }

  /** Reads clusterEnabled (and, once per connection, which CONFIG values INFO has) from the last scrape's INFO. */
  private settleClusterEnabled(): void {
    const info = this.clusterInfoPending;
    if (info === undefined) return;
    this.clusterInfoPending = undefined;
    this.clusterEnabled = infoField(info, 'cluster_enabled') === '1';
    const memo = this.configMemo;
    if (memo.inInfo === undefined && memo.generation === this.generation) {
      const inInfo = new Set<string>();
      for (const [key, field] of CONFIG_KEYS_IN_INFO) if (infoField(info, field) !== undefined) inInfo.add(key);
      memo.inInfo = inInfo;
      memo.keys = undefined;
    }
  }

  /**
   * After a scrape whose CONFIG GET answered: the immutable values it carried are kept for the connection, and
   * every later scrape gets them back (only while its own CONFIG GET answers, as if it had asked).
   */
  private rememberConfig(plan: ScrapePlan, config: Record<string, string>): void {
    const memo = this.configMemo;
    if (memo.generation !== this.generation) return;
    if (memo.immutable === undefined) {
      const kept: Record<string, string> = {};
      for (const k of plan.keys) if (IMMUTABLE_CONFIG_KEYS.has(k) && config[k] !== undefined) kept[k] = config[k];
      memo.immutable = kept;
      memo.keys = undefined;
    } else for (const k in memo.immutable) config[k] ??= memo.immutable[k];
  }

  /** The CONFIG keys this scrape asks for: the same array as long as the answer stays the same. */
  private configKeys(): readonly string[] {
    const all = this.options.configKeys ?? METRIC_CONFIG_KEYS;
    const memo = this.configMemo;
    if (memo.keys !== undefined && memo.from === all) return memo.keys;
    const keys = all.filter(
      (k) => !(memo.immutable !== undefined && IMMUTABLE_CONFIG_KEYS.has(k)) && !memo.inInfo?.has(k),
    );
    memo.from = all;
    // (a list with nothing left to ask would leave nothing to tell whether CONFIG still answers)
    memo.keys = keys.length === all.length || keys.length === 0 ? all : keys;
    return memo.keys;
  }

  /**
   * The commands of a scrape for what caps allow now, built again only when that changes: the same frozen list
   * every scrape, so the connection encodes it once.
   */
  private planFor(caps: Capabilities, info: Command): ScrapePlan {
    this.settleClusterEnabled();
    const keys = this.configKeys();
    const latencyHistogram = caps.latencyHistogram && this.options.latencyHistogram === true;
    const clusterInfo = this.clusterEnabled && caps.clusterInfo;
    const p = this.plan;
    if (
      p !== undefined &&
      p.caps === caps &&
      p.info === info &&
      p.keys === keys &&
      p.configCommand === caps.config &&
      p.configMultiGet === caps.configMultiGet &&
      p.slowlog === caps.slowlog &&
      p.latency === caps.latency &&
      p.withLatencyHistogram === latencyHistogram &&
      p.withClusterInfo === clusterInfo
    )
      return p;
    const commands: Command[] = [info];
    const push = (cmd: Command): number => {
      commands.push(Object.freeze(cmd) as Command);
      return commands.length - 1;
    };
    let config = -1;
    const configEach: number[] = [];
    if (caps.config && keys.length > 0) {
      if (caps.configMultiGet) config = push([caps.config, 'GET', ...keys]);
      else for (const k of keys) configEach.push(push([caps.config, 'GET', k]));
    }
    const slowlogLen = caps.slowlog ? push(['SLOWLOG', 'LEN']) : -1;
    const slowlogGet = caps.slowlog ? push(['SLOWLOG', 'GET', '1']) : -1;
    const plan: ScrapePlan = {
      caps,
      info,
      keys,
      configCommand: caps.config,
      configMultiGet: caps.configMultiGet,
      slowlog: caps.slowlog,
      latency: caps.latency,
      withLatencyHistogram: latencyHistogram,
      withClusterInfo: clusterInfo,
      commands,
      config,
      configEach,
      slowlogLen,
      slowlogGet,
      latencyLatest: caps.latency ? push(['LATENCY', 'LATEST']) : -1,
      latencyHistogram: latencyHistogram ? push(['LATENCY', 'HISTOGRAM']) : -1,
      clusterInfo: clusterInfo ? push(['CLUSTER', 'INFO']) : -1,
    };
    Object.freeze(commands);
    this.plan = plan;
    return plan;
  }

  /** Reply i of a scrape (undefined when not sent or an error); an error that will not go away updates caps. */
  private reply(caps: Capabilities, replies: Reply[], i: number, capName: string): { value: unknown } | undefined {
    if (i === -1) return undefined;
    const r = replies[i];
    if (!r.ok) {
      if (capName === 'config' && /wrong number of arguments/i.test(r.error.message)) caps.configMultiGet = false;
      else if (isPermanentCommandError(r.error.message)) markUnavailable(caps, capName, r.error.message.split(' ')[0]);
      return undefined;
    }
    return r;
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
    this.settleClusterEnabled(); // (the last scrape's INFO first: INFO CLUSTER is newer)
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
