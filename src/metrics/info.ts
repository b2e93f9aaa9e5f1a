/**
 * INFO (and CLUSTER INFO) → metric families with redis_exporter's semantics (exporter/info.go, metrics.go at
 * HEAD): the same whitelist, names, types, labels and special cases, plus the clearly separated redoubt
 * additions from info-map.ts. Pure: a Snapshot in, families out; unknown or garbage lines are skipped.
 */
import type { Snapshot } from '../redis/snapshot.ts';
import { type FamilyBuilder, NO_LABELS } from './family.ts';
import { atoiOrZero, formatGoFloat, parseGoFloat } from './go-format.ts';
import {
  type CommandStat,
  type LatencyStat,
  parseCommandStat,
  parseConnectedReplica,
  parseErrorStat,
  parseKeyspace,
  parseLatencyStat,
  parseSentinelMaster,
} from './info-fields.ts';
import {
  COUNTERS,
  GAUGES,
  REDOUBT_COUNTERS,
  REDOUBT_GAUGES,
  REDOUBT_REPLICA_GAUGES,
  SYSTEM_GAUGES,
} from './info-map.ts';

export interface ParsedInfo {
  /** Section name (`Server`, `Keyspace`, …; '' before the first header) → field → raw value, in INFO order. */
  sections: Map<string, Map<string, string>>;
  /** Every field regardless of section. */
  fields: Map<string, string>;
  /**
   * Set when no section header and no field name repeats (every real INFO): the section of each field, in the
   * order of `fields`. Then `fields` in order is `sections` flattened, and `sections` is only built if read.
   */
  fieldSections?: string[];
}

/**
 * Splits INFO text into sections and `key:value` fields. Tolerates CRLF/LF, blank lines, lines without a colon
 * and any other garbage (skipped). A repeated field keeps its first value: upstream exported both and the
 * Prometheus registry kept the first.
 */
export function parseInfo(text: string): ParsedInfo {
  const fields = new Map<string, string>();
  const fieldSections: string[] = [];
  const sectionNames: string[] = [];
  let current: string | undefined;
  let regular = true;
  scanInfo(
    text,
    (name) => {
      if (sectionNames.includes(name)) regular = false;
      else sectionNames.push(name);
      current = name;
    },
    (key, value) => {
      if (current === undefined) {
        current = '';
        if (sectionNames.includes(current)) regular = false;
        else sectionNames.push(current);
      }
      if (fields.has(key)) regular = false;
      else {
        fields.set(key, value);
        fieldSections.push(current);
      }
    },
  );
  if (!regular) return parseInfoIrregular(text);
  let sections: Map<string, Map<string, string>> | undefined;
  return {
    get sections() {
      if (!sections) {
        sections = new Map(sectionNames.map((name) => [name, new Map()]));
        let i = 0;
        for (const [key, value] of fields) sections.get(fieldSections[i++])?.set(key, value);
      }
      return sections;
    },
    fields,
    fieldSections,
  };
}

/** parseInfo for text with a repeated section or field: sections merge, each keeps a field's first value. */
function parseInfoIrregular(text: string): ParsedInfo {
  const sections = new Map<string, Map<string, string>>();
  const fields = new Map<string, string>();
  let current: Map<string, string> | undefined;
  const section = (name: string) => {
    let s = sections.get(name);
    if (!s) {
      s = new Map();
      sections.set(name, s);
    }
    return s;
  };
  scanInfo(
    text,
    (name) => {
      current = section(name);
    },
    (key, value) => {
      current ??= section('');
      if (!current.has(key)) current.set(key, value);
      if (!fields.has(key)) fields.set(key, value);
    },
  );
  return { sections, fields };
}

/**
 * Calls onSection for each `# Name` line and onField for each `key:value` line, lines trimmed; skips the rest
 * (no colon, empty key, shorter than 2). Lines end at \r\n, \n or \r, as text.split(/\r\n|\n|\r/).
 */
function scanInfo(
  text: string,
  onSection: (name: string) => void,
  onField: (key: string, value: string) => void,
): void {
  /** One trimmed line, the general case. */
  const line = (line: string) => {
    if (line.startsWith('# ')) return onSection(line.slice(2));
    const colon = line.indexOf(':');
    if (line.length < 2 || colon <= 0) return;
    onField(line.slice(0, colon), line.slice(colon + 1));
  };
  // A line that starts and ends with a printable ASCII character needs no trim (every whitespace character trim()
  // removes is <= 0x20 or >= 0xa0) and is read in place; the rest go through line(). Each next \r, \n and ':' is
  // searched for once, so this stays linear.
  let nextCr = text.indexOf('\r');
  let nextLf = text.indexOf('\n');
  let nextColon = text.indexOf(':');
  let start = 0;
  for (;;) {
    if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start);
    if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
    let end = text.length;
    let next = -1;
    if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
      end = nextCr;
      next = nextLf === nextCr + 1 ? nextCr + 2 : nextCr + 1;
    } else if (nextLf !== -1) {
      end = nextLf;
      next = nextLf + 1;
    }
    if (end - start >= 2) {
      const first = text.charCodeAt(start);
      const last = text.charCodeAt(end - 1);
      if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) {
        if (first === 0x23 /* # */ && text.charCodeAt(start + 1) === 0x20) onSection(text.slice(start + 2, end));
        else {
          if (nextColon !== -1 && nextColon < start) nextColon = text.indexOf(':', start);
          if (nextColon > start && nextColon < end)
            onField(text.slice(start, nextColon), text.slice(nextColon + 1, end));
        }
      } else line(text.slice(start, end).trim());
    }
    // (a line shorter than 2 characters holds neither a header nor a field)
    if (next === -1) break;
    start = next;
  }
}

/**
 * The last snapshot parsed: the families of one snapshot are built in one go, so remembering one is enough. (A
 * WeakMap keyed by every scrape's snapshot cost more in table churn than the parse it saved.)
 */
let parsedFor: Snapshot | undefined;
let parsedInfo: ParsedInfo | undefined;

/** parseInfo(snapshot.info), once per snapshot: INFO, CONFIG-fallback and histogram code all read it. */
export function snapshotInfo(snapshot: Snapshot): ParsedInfo {
  if (parsedFor !== snapshot || parsedInfo === undefined) {
    parsedInfo = parseInfo(snapshot.info ?? '');
    parsedFor = snapshot;
  }
  return parsedInfo;
}

/**
 * Drops the remembered parse (snapshotToFamilies calls it when done): kept until the next scrape, it would
 * outlive young-generation GCs and be promoted, only to become old-generation garbage.
 */
export function releaseSnapshotInfo(): void {
  parsedFor = undefined;
  parsedInfo = undefined;
}

export interface InfoFamilyOptions {
  /** --include-system-metrics: adds total_system_memory_bytes. */
  includeSystemMetrics: boolean;
  /** Wall clock for start_time_seconds (= now − uptime), e.g. snapshot.takenAtMs / 1000. */
  nowSeconds: number;
  /** Zero db_keys/db_keys_expiring for databases 0..N−1 absent from INFO (upstream default: on). */
  includeEmptyDatabases?: boolean;
  /** The redoubt additions from info-map.ts (default: on); off = exactly upstream's set. */
  redoubtAdditions?: boolean;
}

/** HELP texts upstream gives its non-generic families; generic ones get "<name> metric" like upstream. */
const HELP: Record<string, string> = {
  commands_duration_seconds_total: 'Total amount of time in seconds spent per command',
  commands_failed_calls_total: 'Total number of errors prior command execution per command',
  commands_rejected_calls_total: 'Total number of errors within command execution per command',
  commands_total: 'Total number of calls per command',
  connected_slave_lag_seconds: 'Lag of connected slave',
  connected_slave_offset_bytes: 'Offset of connected slave',
  db_avg_ttl_seconds: 'Avg TTL in seconds',
  db_keys: 'Total number of keys by DB',
  db_keys_cached: 'Total number of cached keys by DB',
  db_keys_expiring: 'Total number of expiring keys by DB',
  errors_total: 'Total number of errors per error type',
  instance_info: 'Information about the Redis instance', // 1.45's text; HEAD fell back to "instance_info metric"
  latency_percentiles_usec: 'A summary of latency percentile distribution per command',
  master_last_io_seconds_ago: 'Master last io seconds ago',
  master_link_up: 'Master link status on Redis slave',
  master_sync_in_progress: 'Master sync in progress',
  sentinel_master_sentinels: 'The number of sentinels monitoring this master',
  sentinel_master_slaves: 'The number of slaves of the master',
  sentinel_master_status: 'Master status on Sentinel',
  sentinel_masters: 'The number of masters this sentinel is watching',
  sentinel_running_scripts: 'Number of scripts in execution right now',
  sentinel_scripts_queue_length: 'Queue of user scripts to execute',
  sentinel_simulate_failure_flags: 'Failures simulations',
  sentinel_tilt: 'Sentinel is in TILT mode',
  slave_info: 'Information about the Redis slave',
  slave_repl_offset: 'Slave replication offset',
  start_time_seconds: 'Start time of the Redis instance since unix epoch in seconds.',
};
const helpCache = new Map<string, string>();
const help = (name: string): string => {
  let h = helpCache.get(name);
  if (h === undefined) {
    h = lookup(HELP, name) ?? `${name} metric`;
    if (helpCache.size < 10_000) helpCache.set(name, h);
  }
  return h;
};

/** Own-property lookup: INFO keys are untrusted, and `constructor` or `__proto__` must not hit Object.prototype. */
function lookup(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

// KeyDB multi-master numbers its masters: master_host, master_1_host, …
const MASTER_HOST = /^master(_[0-9]+)?_host$/;
const MASTER_PORT = /^master(_[0-9]+)?_port$/;
const MASTER_LINK_STATUS = /^master(_[0-9]+)?_link_status$/;
const MASTER_DIRECT = /^(?:master(?:_[0-9]+)?_(last_io_seconds_ago|sync_in_progress)|slave_repl_offset)$/;
const IO_THREAD = /^used_active_time_io_thread_([0-9]+)$/;
const SENTINEL_PLAIN = new Set([
  'sentinel_masters',
  'sentinel_tilt',
  'sentinel_running_scripts',
  'sentinel_scripts_queue_length',
  'sentinel_simulate_failure_flags',
]);

const master = (host: string, port: string) => ({ master_host: host, master_port: port });

/** Adds every family INFO and CLUSTER INFO yield (see module doc); never throws on odd input. */
export function addInfoFamilies(b: FamilyBuilder, snapshot: Snapshot, opts: InfoFamilyOptions): void {
  const info = snapshotInfo(snapshot);
  const additions = opts.redoubtAdditions ?? true;
  const emitted = new Set<string>();
  const gauge = (name: string, value: number, labels: Record<string, string> = NO_LABELS) =>
    b.add(name, 'gauge', value, labels, help(name));
  const counter = (name: string, value: number, labels: Record<string, string> = NO_LABELS) =>
    b.add(name, 'counter', value, labels, help(name));

  /** The whitelist path (upstream parseAndRegisterConstMetric) for one plain `key:value` field. */
  const generic = (key: string, value: string) => {
    const io = key.startsWith('used_active_time_io_thread_') ? IO_THREAD.exec(key) : null;
    if (io) {
      const v = parseGoFloat(value);
      if (v !== undefined) counter('active_time_io_thread_seconds_total', v, { thread: io[1] });
      return;
    }
    const target = whitelisted(key, opts.includeSystemMetrics, additions);
    if (!target) return;
    let name = target.name;
    let v = boolOrFloat(target.percent ? value.replace(/%$/, '') : value);
    if (v === undefined) return;
    if (name === 'latest_fork_usec') [name, v] = ['latest_fork_seconds', v / 1e6];
    if (emitted.has(name)) return;
    emitted.add(name);
    b.add(name, target.type, v, NO_LABELS, help(name));
  };

  // CLUSTER INFO first, as upstream: only `cluster_*` fields (plus the redoubt addition) pass the whitelist.
  for (const line of (snapshot.clusterInfo ?? '').split(/\r?\n/)) {
    const parts = line.split(':');
    if (parts.length === 2) generic(parts[0], parts[1]);
  }

  const cmdStats = new Map<string, CommandStat>();
  const latencyStats: LatencyStat[] = [];
  const seenDbs = new Set<string>();
  let masterHost = '';
  let masterPort = '';

  /** One INFO field; `return` = handled, falling out of the switch = also try the whitelist. */
  const field = (section: string, key: string, value: string): void => {
    if (key.startsWith('master')) {
      if (MASTER_HOST.test(key)) masterHost = value;
      if (MASTER_PORT.test(key)) masterPort = value;
    }
    switch (section) {
      case 'Replication': {
        if (MASTER_LINK_STATUS.test(key)) {
          gauge('master_link_up', value === 'up' ? 1 : 0, master(masterHost, masterPort));
          return;
        }
        const direct = MASTER_DIRECT.exec(key);
        if (direct) {
          gauge(direct[1] ? `master_${direct[1]}` : key, atoiOrZero(value), master(masterHost, masterPort));
          return;
        }
        const replica = parseConnectedReplica(key, value);
        if (replica) {
          const labels = { slave_ip: replica.ip, slave_port: replica.port, slave_state: replica.state };
          gauge('connected_slave_offset_bytes', replica.offset, labels);
          if (replica.lag !== undefined) gauge('connected_slave_lag_seconds', replica.lag, labels);
          return;
        }
        const added = additions ? lookup(REDOUBT_REPLICA_GAUGES, key) : undefined;
        if (added !== undefined) {
          const v = parseGoFloat(value);
          if (v !== undefined) gauge(added, v, master(masterHost, masterPort));
          return;
        }
        break;
      }
      case 'Server': {
        const uptime = key === 'uptime_in_seconds' ? parseGoFloat(value) : undefined;
        if (uptime !== undefined) gauge('start_time_seconds', Math.floor(opts.nowSeconds) - uptime);
        // hz/configured_hz are parsed as integers upstream (strconv.ParseInt) and are not in the tables.
        if ((key === 'hz' || key === 'configured_hz') && /^[+-]?\d+$/.test(value)) gauge(key, Number(value));
        break;
      }
      case 'Commandstats': {
        const stat = parseCommandStat(key, value);
        if (stat) {
          cmdStats.set(stat.cmd, stat);
          const cmd = { cmd: stat.cmd };
          counter('commands_total', stat.calls, cmd);
          counter('commands_duration_seconds_total', stat.usec / 1e6, cmd);
          if (stat.rejected !== undefined && stat.failed !== undefined) {
            counter('commands_rejected_calls_total', stat.rejected, cmd);
            counter('commands_failed_calls_total', stat.failed, cmd);
          }
        }
        return;
      }
      case 'Latencystats': {
        const stat = parseLatencyStat(key, value);
        if (stat) latencyStats.push(stat);
        return;
      }
      case 'Errorstats': {
        const stat = parseErrorStat(key, value);
        if (stat) counter('errors_total', stat.count, { err: stat.err });
        return;
      }
      case 'Keyspace': {
        const ks = parseKeyspace(key, value);
        if (ks) {
          const db = { db: key };
          gauge('db_keys', ks.keys, db);
          gauge('db_keys_expiring', ks.expires, db);
          if (ks.cachedKeys !== undefined) gauge('db_keys_cached', ks.cachedKeys, db);
          if (ks.avgTtlSeconds !== undefined) gauge('db_avg_ttl_seconds', ks.avgTtlSeconds, db);
          seenDbs.add(key);
          return;
        }
        break;
      }
      case 'Sentinel': {
        if (SENTINEL_PLAIN.has(key)) gauge(key, atoiOrZero(value));
        const m = parseSentinelMaster(key, value);
        if (m) {
          const labels = { master_name: m.name, master_address: m.address };
          gauge('sentinel_master_status', m.status === 'ok' ? 1 : 0, { ...labels, master_status: m.status });
          gauge('sentinel_master_slaves', m.slaves, labels);
          gauge('sentinel_master_sentinels', m.sentinels, labels);
        }
        break;
      }
    }
    generic(key, value);
  };
  // forEach: a for-of over a Map allocates an entry per field.
  const fieldSections = info.fieldSections;
  if (fieldSections) {
    let i = 0;
    info.fields.forEach((value, key) => {
      field(fieldSections[i++], key, value);
    });
  } else
    info.sections.forEach((fields, section) => {
      fields.forEach((value, key) => {
        field(section, key, value);
      });
    });

  // Summaries need count and sum from Commandstats; upstream skips commands without both. Sum stays in µs.
  // Sorted by command, the order client_golang writes a family's series in.
  for (const stat of latencyStats.sort((x, y) => (x.cmd < y.cmd ? -1 : x.cmd > y.cmd ? 1 : 0))) {
    const cs = cmdStats.get(stat.cmd);
    if (!cs) continue;
    const name = 'latency_percentiles_usec';
    for (const [p, v] of stat.quantiles)
      b.add(name, 'summary', v, { cmd: stat.cmd, quantile: formatGoFloat(p) }, help(name));
    const cmd = { cmd: stat.cmd };
    b.add(name, 'summary', cs.usec, cmd, help(name), '_sum');
    b.add(name, 'summary', Math.trunc(cs.calls), cmd, help(name), '_count');
  }

  if (opts.includeEmptyDatabases ?? true) {
    for (let i = 0; i < databaseCount(snapshot, info); i++) {
      const db = `db${i}`;
      if (seenDbs.has(db)) continue;
      gauge('db_keys', 0, { db });
      gauge('db_keys_expiring', 0, { db });
    }
  }

  const f = (k: string) => info.fields.get(k) ?? '';
  const instance: Record<string, string> = {
    role: f('role'),
    redis_version: f('redis_version'),
    redis_build_id: f('redis_build_id'),
    redis_mode: f('redis_mode'),
    os: f('os'),
    maxmemory_policy: f('maxmemory_policy'),
    tcp_port: f('tcp_port'),
    run_id: f('run_id'),
    process_id: f('process_id'),
    // Upstream added master_replid after 1.45; left out so the label set equals 1.45's (adding a label changes
    // series identity for every recording rule and dashboard join on instance_info).
  };
  // Valkey servers report these too; upstream adds the labels only when present.
  if (info.fields.has('valkey_version')) instance.valkey_version = f('valkey_version');
  if (info.fields.has('valkey_release_stage')) instance.valkey_release_stage = f('valkey_release_stage');
  gauge('instance_info', 1, instance);
  if (f('role') === 'slave')
    gauge('slave_info', 1, {
      master_host: f('master_host'),
      master_port: f('master_port'),
      read_only: f('slave_read_only'),
    });
}

type Route = { name: string; type: 'gauge' | 'counter'; percent?: boolean } | undefined;
/** One cache per (system, additions) combination, indexed system * 2 + additions. */
const routeCaches = [0, 1, 2, 3].map(() => new Map<string, Route>());

/** Where a plain INFO field goes, remembered per field: the same few hundred fields arrive on every scrape. */
function whitelisted(key: string, system: boolean, additions: boolean): Route {
  const cache = routeCaches[(system ? 2 : 0) + (additions ? 1 : 0)];
  let route = cache.get(key);
  if (route === undefined && !cache.has(key)) {
    route = route_(key, system, additions);
    if (cache.size < 10_000) cache.set(key, route);
  }
  return route;
}

/** Where a plain INFO field goes (upstream includeMetric + the map lookups), or undefined to drop it. */
function route_(
  key: string,
  system: boolean,
  additions: boolean,
): { name: string; type: 'gauge' | 'counter'; percent?: boolean } | undefined {
  const gauge = lookup(GAUGES, key) ?? (system ? lookup(SYSTEM_GAUGES, key) : undefined);
  if (gauge !== undefined) return { name: gauge, type: 'gauge' };
  const counter = lookup(COUNTERS, key);
  if (counter !== undefined) return { name: counter, type: 'counter' };
  if (additions) {
    const added = lookup(REDOUBT_GAUGES, key);
    if (added !== undefined) return { name: added, type: 'gauge', percent: key.endsWith('_perc') };
    const addedCounter = lookup(REDOUBT_COUNTERS, key);
    if (addedCounter !== undefined) return { name: addedCounter, type: 'counter' };
  }
  // upstream's prefix rule; the name is the field with anything outside [a-zA-Z0-9_] replaced
  if (/^(db|cmdstat_|cluster_)/.test(key)) return { name: key.replace(/[^a-zA-Z0-9_]/g, '_'), type: 'gauge' };
  return undefined;
}

/** Upstream's value rule: ok/true → 1, err/fail/false → 0, else a float; undefined = not a number, dropped. */
function boolOrFloat(value: string): number | undefined {
  if (value === 'ok' || value === 'true') return 1;
  if (value === 'err' || value === 'fail' || value === 'false') return 0;
  return parseGoFloat(value);
}

/** How many db<N> to pad with zero series: CONFIG databases, else 16; a cluster only has db0. */
export function databaseCount(snapshot: Snapshot, info: ParsedInfo): number {
  if (info.fields.get('cluster_enabled') === '1') return 1;
  const configured = snapshot.config?.databases;
  if (configured !== undefined && /^\d+$/.test(configured) && Number(configured) > 0) return Number(configured);
  return 16;
}
