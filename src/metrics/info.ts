/**
 * INFO (and CLUSTER INFO) → metric families with redis_exporter's semantics (exporter/info.go, metrics.go at
 * HEAD): the same whitelist, names, types, labels and special cases, plus the clearly separated redoubt
 * additions from info-map.ts. A Snapshot in, families out; unknown or garbage lines are skipped.
 *
 * Built for being called on every scrape: the fields come from an InfoMemo (info-lines.ts), whose line records
 * survive from one scrape of a server to the next while their line is unchanged. Each record carries what this
 * module derived from it (LineData): static facts about its key, parses of its value, its label sets and the
 * samples it emitted. The per-field logic still runs for every field on every scrape, in INFO order and with
 * the context it depends on (master host/port from earlier lines, first-name-wins, the current time); it only
 * reuses a parse while the value text is the same, and a Sample while its labels (the same object) and value
 * are. So the output is the function of the INFO text it always was, and an unchanged server's scrape
 * allocates next to nothing here. Samples and label sets are shared between scrapes and must not be mutated.
 */

import {
  type CommandStat,
  type ConnectedReplica,
  type KeyspaceLine,
  type LatencyStat,
  parseCommandStat,
  parseConnectedReplica,
  parseErrorStat,
  parseKeyspace,
  parseLatencyStat,
  parseSentinelMaster,
  type SentinelMaster,
} from '../redis/info-fields.ts';
import { detach, type InfoFields, type InfoLine, InfoMemo } from '../redis/info-lines.ts';
import type { Snapshot } from '../redis/snapshot.ts';
import { atoiOrZero, formatGoFloat, parseGoFloat } from '../text/go-format.ts';
import { type FamilyBuilder, type MetricType, NO_LABELS, type Sample } from './family.ts';
import {
  COUNTERS,
  GAUGES,
  REDOUBT_COUNTERS,
  REDOUBT_GAUGES,
  REDOUBT_REPLICA_GAUGES,
  SYSTEM_GAUGES,
} from './info-map.ts';

/** What the families of one snapshot are built from: the INFO fields, remembered per server (see module doc). */
type Info = InfoFields<LineData, Shape>;

/** The part of a snapshot's INFO other modules read. Valid until the next snapshot is read. */
export interface InfoView {
  /** key → value (a repeated field keeps its first value). */
  readonly fields: ReadonlyMap<string, string>;
}

const memo = new InfoMemo<LineData, Shape>();

/**
 * The last snapshot read: the families of one snapshot are built in one go, so remembering one is enough. (A
 * WeakMap keyed by every scrape's snapshot cost more in table churn than the read it saved.)
 */
let readFor: Snapshot | undefined;
let readInfo: Info | undefined;

/** The fields of snapshot.info, read once per snapshot: INFO, CONFIG-fallback and histogram code all use them. */
function snapshotFields(snapshot: Snapshot): Info {
  if (readFor !== snapshot || readInfo === undefined) {
    readInfo = memo.read(snapshot.info ?? '');
    readFor = snapshot;
  }
  return readInfo;
}

/** The INFO fields of a snapshot (see snapshotFields). */
export function snapshotInfo(snapshot: Snapshot): InfoView {
  return snapshotFields(snapshot);
}

/**
 * Drops the remembered read (snapshotToFamilies calls it when done) so that the snapshot is not kept until the
 * next scrape. (The memo's records are kept on purpose: that is what the next scrape reuses.)
 */
export function releaseSnapshotInfo(): void {
  readFor = undefined;
  readInfo = undefined;
}

/** Forgets the INFO of every server: the next scrape of each reads its INFO from scratch (tests use it). */
export function clearInfoMemo(): void {
  memo.clear();
  releaseSnapshotInfo();
}

/** Calls fn with each parsable Commandstats line of the snapshot's INFO, in order (as parseCommandStat). */
export function forEachCommandStat(snapshot: Snapshot, fn: (stat: CommandStat) => void): void {
  const lines = snapshotFields(snapshot).lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.section !== 'Commandstats') continue;
    const stat = lineData(line).cmdStat();
    if (stat) fn(stat);
  }
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

/** The {master_host, master_port} label set upstream gives master_* gauges on a replica. */
type MasterLabels = { master_host: string; master_port: string };

// The sections whose fields get more than the whitelist path, as numbers for the per-field switch.
const OTHER = 0;
const REPLICATION = 1;
const SERVER = 2;
const COMMANDSTATS = 3;
const LATENCYSTATS = 4;
const ERRORSTATS = 5;
const KEYSPACE = 6;
const SENTINEL = 7;
const SECTIONS = new Map([
  ['Replication', REPLICATION],
  ['Server', SERVER],
  ['Commandstats', COMMANDSTATS],
  ['Latencystats', LATENCYSTATS],
  ['Errorstats', ERRORSTATS],
  ['Keyspace', KEYSPACE],
  ['Sentinel', SENTINEL],
]);

/**
 * What addInfoFamilies keeps with an INFO line: facts about its section and key, parses of its value (each valid
 * while the line's version is the one it was made from), label sets, and the samples it last emitted.
 */
class LineData {
  readonly section: number;
  /** master_host, master_1_host, …: the value labels the master_* gauges of the lines after it. */
  readonly setsMasterHost: boolean;
  readonly setsMasterPort: boolean;
  /** Replication: master[_N]_link_status. */
  readonly linkStatus: boolean;
  /** Replication: the gauge of master[_N]_last_io_seconds_ago, master[_N]_sync_in_progress, slave_repl_offset. */
  readonly direct: string | undefined;
  /** Replication: the redoubt addition this field is exported as, if any. */
  readonly replicaGauge: string | undefined;
  /** Server: uptime_in_seconds (→ start_time_seconds); hz or configured_hz. */
  readonly uptime: boolean;
  readonly hz: boolean;
  /** Sentinel: one of the plain sentinel_* gauges. */
  readonly sentinelPlain: boolean;

  /** Samples emitted for this line last time, in emission order (see InfoEmitter.emit). */
  readonly cells: Sample[] = [];
  /** The generation (addInfoFamilies call) in which the Commandstats / Latencystats value last parsed. */
  statGeneration = -1;

  constructor(readonly line: InfoLine<LineData>) {
    const key = line.key;
    this.section = SECTIONS.get(line.section) ?? OTHER;
    const master = key.startsWith('master');
    this.setsMasterHost = master && MASTER_HOST.test(key);
    this.setsMasterPort = master && MASTER_PORT.test(key);
    const replication = this.section === REPLICATION;
    this.linkStatus = replication && MASTER_LINK_STATUS.test(key);
    const direct = replication ? MASTER_DIRECT.exec(key) : null;
    this.direct = direct ? (direct[1] ? `master_${direct[1]}` : key) : undefined;
    this.replicaGauge = replication ? lookup(REDOUBT_REPLICA_GAUGES, key) : undefined;
    this.uptime = this.section === SERVER && key === 'uptime_in_seconds';
    this.hz = this.section === SERVER && (key === 'hz' || key === 'configured_hz');
    this.sentinelPlain = this.section === SENTINEL && SENTINEL_PLAIN.has(key);
  }

  // -- parses of the value, remembered per version -------------------------------------------------------

  private floatVersion = -1;
  private floatValue: number | undefined;
  /** parseGoFloat(value) */
  float(): number | undefined {
    const line = this.line;
    if (this.floatVersion !== line.version) {
      this.floatValue = parseGoFloat(line.value);
      this.floatVersion = line.version;
    }
    return this.floatValue;
  }

  private atoiVersion = -1;
  private atoiValue = 0;
  /** atoiOrZero(value) */
  atoi(): number {
    const line = this.line;
    if (this.atoiVersion !== line.version) {
      this.atoiValue = atoiOrZero(line.value);
      this.atoiVersion = line.version;
    }
    return this.atoiValue;
  }

  private intVersion = -1;
  private intValue: number | undefined;
  /** The value as a whole number if it is one (hz and configured_hz: strconv.ParseInt upstream). */
  int(): number | undefined {
    const line = this.line;
    if (this.intVersion !== line.version) {
      this.intValue = /^[+-]?\d+$/.test(line.value) ? Number(line.value) : undefined;
      this.intVersion = line.version;
    }
    return this.intValue;
  }

  private genericVersion = -1;
  private genericPercent = false;
  private genericValue: number | undefined;
  /** whitelistValue(value, percent) */
  generic(percent: boolean): number | undefined {
    const line = this.line;
    if (this.genericVersion !== line.version || this.genericPercent !== percent) {
      this.genericValue = whitelistValue(line.value, percent);
      this.genericVersion = line.version;
      this.genericPercent = percent;
    }
    return this.genericValue;
  }

  private routeOptions = -1;
  private routeValue: Route;
  /** whitelisted(key, …) for these options. */
  route(system: boolean, additions: boolean): Route {
    const options = (system ? 2 : 0) + (additions ? 1 : 0);
    if (this.routeOptions !== options) {
      this.routeValue = whitelisted(this.line.key, system, additions);
      this.routeOptions = options;
    }
    return this.routeValue;
  }

  private cmdStatVersion = -1;
  private cmdStatValue: CommandStat | undefined;
  cmdStat(): CommandStat | undefined {
    const line = this.line;
    if (this.cmdStatVersion !== line.version) {
      this.cmdStatValue = parseCommandStat(line.key, line.value);
      this.cmdStatVersion = line.version;
    }
    return this.cmdStatValue;
  }

  private latencyVersion = -1;
  private latencyValue: LatencyStat | undefined;
  latency(): LatencyStat | undefined {
    const line = this.line;
    if (this.latencyVersion !== line.version) {
      this.latencyValue = parseLatencyStat(line.key, line.value);
      this.latencyVersion = line.version;
    }
    return this.latencyValue;
  }

  private errorVersion = -1;
  private errorValue: { err: string; count: number } | undefined;
  errorStat(): { err: string; count: number } | undefined {
    const line = this.line;
    if (this.errorVersion !== line.version) {
      this.errorValue = parseErrorStat(line.key, line.value);
      this.errorVersion = line.version;
    }
    return this.errorValue;
  }

  private keyspaceVersion = -1;
  private keyspaceValue: KeyspaceLine | undefined;
  keyspace(): KeyspaceLine | undefined {
    const line = this.line;
    if (this.keyspaceVersion !== line.version) {
      this.keyspaceValue = parseKeyspace(line.key, line.value);
      this.keyspaceVersion = line.version;
    }
    return this.keyspaceValue;
  }

  private replicaVersion = -1;
  private replicaValue: ConnectedReplica | undefined;
  /** {slave_ip, slave_port, slave_state} of the replica line. */
  replicaLabels: Record<string, string> = NO_LABELS;
  replica(): ConnectedReplica | undefined {
    const line = this.line;
    if (this.replicaVersion !== line.version) {
      const r = parseConnectedReplica(line.key, line.value);
      this.replicaValue = r;
      this.replicaVersion = line.version;
      const l = this.replicaLabels;
      if (r && (l.slave_ip !== r.ip || l.slave_port !== r.port || l.slave_state !== r.state))
        this.replicaLabels = { slave_ip: r.ip, slave_port: r.port, slave_state: r.state };
    }
    return this.replicaValue;
  }

  private sentinelVersion = -1;
  private sentinelValue: SentinelMaster | undefined;
  /** {master_name, master_address} and {master_name, master_address, master_status} of the master line. */
  sentinelLabels: Record<string, string> = NO_LABELS;
  sentinelStatusLabels: Record<string, string> = NO_LABELS;
  sentinel(): SentinelMaster | undefined {
    const line = this.line;
    if (this.sentinelVersion !== line.version) {
      const m = parseSentinelMaster(line.key, line.value);
      this.sentinelValue = m;
      this.sentinelVersion = line.version;
      const l = this.sentinelStatusLabels;
      if (m && (l.master_name !== m.name || l.master_address !== m.address || l.master_status !== m.status)) {
        const labels = { master_name: m.name, master_address: m.address };
        this.sentinelLabels = labels;
        this.sentinelStatusLabels = { ...labels, master_status: m.status };
      }
    }
    return this.sentinelValue;
  }

  // -- label sets ----------------------------------------------------------------------------------------

  private masterValue: MasterLabels | undefined;
  /** {master_host, master_port} for the host and port the lines before this one set. */
  master(host: string, port: string): MasterLabels {
    let m = this.masterValue;
    if (m === undefined || m.master_host !== host || m.master_port !== port) {
      m = { master_host: host, master_port: port };
      this.masterValue = m;
    }
    return m;
  }

  private ownValue: Record<string, string> | undefined;
  /** A label set fixed by the key: {cmd}, {err}, {db}; name and value are what the parse of the line gives. */
  own(name: string, value: string): Record<string, string> {
    let own = this.ownValue;
    if (own === undefined || own[name] !== value) {
      own = { [name]: value };
      this.ownValue = own;
    }
    return own;
  }

  private threadValue: Record<string, string> | null | undefined;
  /** ioThreadLabels(key) */
  ioThread(): Record<string, string> | null {
    if (this.threadValue === undefined) this.threadValue = ioThreadLabels(this.line.key);
    return this.threadValue;
  }

  private quantileLabels: Array<Record<string, string>> = [];
  /** The p each of quantileLabels was made for (its quantile label is formatGoFloat of it). */
  private quantileP: number[] = [];
  /** {cmd, quantile} for the k-th quantile (p) of a Latencystats line. */
  quantile(k: number, cmd: string, p: number): Record<string, string> {
    let labels = this.quantileLabels[k];
    if (labels !== undefined && labels.cmd === cmd && Object.is(this.quantileP[k], p)) return labels;
    const quantile = formatGoFloat(p);
    if (labels === undefined || labels.cmd !== cmd || labels.quantile !== quantile) {
      labels = { cmd, quantile };
      this.quantileLabels[k] = labels;
    }
    this.quantileP[k] = p;
    return labels;
  }
}

const lineData = (line: InfoLine<LineData>): LineData => {
  let d = line.data;
  if (d === undefined) {
    d = new LineData(line);
    line.data = d;
  }
  return d;
};

/** What addInfoFamilies derives from the list of lines (not their values); rebuilt when the list changes. */
interface Shape {
  /** Latencystats lines sorted by command (the order client_golang writes a family's series in). */
  latency: InfoLine<LineData>[];
  /** Per latency line, the Commandstats line of the same command. */
  latencyCommand: Array<InfoLine<LineData> | undefined>;
  instance: CachedLabels;
  slave: CachedLabels;
}

/** A label set built from INFO fields, kept while those fields hold the same values. */
interface CachedLabels {
  /** The field values it was built from (undefined: field absent). */
  values: Array<string | undefined>;
  labels: Record<string, string> | undefined;
  cells: Sample[];
}

const cachedLabels = (n: number): CachedLabels => ({
  values: new Array(n).fill(undefined),
  labels: undefined,
  cells: [],
});

const LATENCY_PREFIX = 'latency_percentiles_usec_';

function shapeOf(lines: readonly InfoLine<LineData>[]): Shape {
  const commands = new Map<string, InfoLine<LineData>>();
  const latency: Array<{ cmd: string; line: InfoLine<LineData> }> = [];
  for (const line of lines) {
    if (line.section === 'Commandstats' && line.key.startsWith('cmdstat_'))
      commands.set(line.key.slice('cmdstat_'.length), line);
    else if (line.section === 'Latencystats' && line.key.startsWith(LATENCY_PREFIX))
      latency.push({ cmd: line.key.slice(LATENCY_PREFIX.length), line });
  }
  latency.sort((x, y) => (x.cmd < y.cmd ? -1 : x.cmd > y.cmd ? 1 : 0));
  return {
    latency: latency.map((l) => l.line),
    latencyCommand: latency.map((l) => commands.get(l.cmd)),
    instance: cachedLabels(INSTANCE_FIELDS.length + VALKEY_FIELDS.length),
    slave: cachedLabels(SLAVE_FIELDS.length),
  };
}

/** instance_info's labels and the INFO fields they come from (1.45's set; no master_replid, see below). */
const INSTANCE_FIELDS: Array<[label: string, field: string]> = [
  ['role', 'role'],
  ['redis_version', 'redis_version'],
  ['redis_build_id', 'redis_build_id'],
  ['redis_mode', 'redis_mode'],
  ['os', 'os'],
  ['maxmemory_policy', 'maxmemory_policy'],
  ['tcp_port', 'tcp_port'],
  ['run_id', 'run_id'],
  ['process_id', 'process_id'],
  // Upstream added master_replid after 1.45; left out so the label set equals 1.45's (adding a label changes
  // series identity for every recording rule and dashboard join on instance_info).
];
/** Valkey servers report these too; upstream adds the labels only when present. */
const VALKEY_FIELDS: Array<[label: string, field: string]> = [
  ['valkey_version', 'valkey_version'],
  ['valkey_release_stage', 'valkey_release_stage'],
];
const SLAVE_FIELDS: Array<[label: string, field: string]> = [
  ['master_host', 'master_host'],
  ['master_port', 'master_port'],
  ['read_only', 'slave_read_only'],
];

/**
 * c.labels, rebuilt if a field changed: `required` fields become labels ('' when absent), `optional` ones only
 * when present.
 */
function labelsFrom(
  c: CachedLabels,
  fields: ReadonlyMap<string, string>,
  required: Array<[string, string]>,
  optional: Array<[string, string]> = [],
): Record<string, string> {
  let same = c.labels !== undefined;
  for (let i = 0; same && i < required.length; i++) same = c.values[i] === (fields.get(required[i][1]) ?? '');
  for (let i = 0; same && i < optional.length; i++) same = c.values[required.length + i] === fields.get(optional[i][1]);
  if (same && c.labels !== undefined) return c.labels;
  const labels: Record<string, string> = {};
  required.forEach(([label, field], i) => {
    labels[label] = c.values[i] = fields.get(field) ?? '';
  });
  optional.forEach(([label, field], i) => {
    const v = fields.get(field);
    c.values[required.length + i] = v;
    if (v !== undefined) labels[label] = v;
  });
  c.labels = labels;
  return labels;
}

/** db0…db1023 with their zero db_keys / db_keys_expiring samples for absent databases. */
interface EmptyDb {
  db: string;
  keys: Sample;
  expiring: Sample;
}
const emptyDbs: EmptyDb[] = [];
function emptyDb(i: number): EmptyDb {
  let e = emptyDbs[i];
  if (e === undefined) {
    const db = `db${i}`;
    const labels = { db };
    e = { db, keys: { labels, value: 0, suffix: '' }, expiring: { labels, value: 0, suffix: '' } };
    if (i < 1024 && i === emptyDbs.length) emptyDbs.push(e);
  }
  return e;
}

/**
 * Per addInfoFamilies call, a generation number; per family name and per Keyspace key, the generation that last
 * emitted it (upstream: a name registered once per scrape, first value wins) or saw it. Kept across calls so a
 * scrape allocates no sets; cleared between calls when they grow past a bound.
 */
let generation = 0;
const emittedIn = new Map<string, number>();
const dbSeenIn = new Map<string, number>();
const MAX_STAMPS = 10_000;

/** Adds every family INFO and CLUSTER INFO yield (see module doc); never throws on odd input. */
export function addInfoFamilies(b: FamilyBuilder, snapshot: Snapshot, opts: InfoFamilyOptions): void {
  if (emittedIn.size > MAX_STAMPS) emittedIn.clear();
  if (dbSeenIn.size > MAX_STAMPS) dbSeenIn.clear();
  const info = snapshotFields(snapshot);
  const e = new InfoEmitter(b, opts, ++generation);

  // CLUSTER INFO first, as upstream: only `cluster_*` fields (plus the redoubt addition) pass the whitelist.
  if (snapshot.clusterInfo) {
    for (const line of snapshot.clusterInfo.split(/\r?\n/)) {
      const parts = line.split(':');
      if (parts.length === 2) e.generic(undefined, parts[0], parts[1]);
    }
  }

  const lines = info.lines;
  for (let i = 0; i < lines.length; i++) e.field(lines[i]);

  let shape = info.shape;
  if (shape === undefined) {
    shape = shapeOf(lines);
    info.shape = shape;
  }
  e.summaries(shape);

  if (opts.includeEmptyDatabases ?? true) {
    const count = databaseCount(snapshot, info);
    for (let i = 0; i < count; i++) {
      const empty = emptyDb(i);
      if (dbSeenIn.get(empty.db) === generation) continue;
      b.addSample('db_keys', 'gauge', empty.keys, help('db_keys'));
      b.addSample('db_keys_expiring', 'gauge', empty.expiring, help('db_keys_expiring'));
    }
  }

  const fields = info.fields;
  e.slot = 0;
  e.emit(
    shape.instance.cells,
    'instance_info',
    'gauge',
    1,
    labelsFrom(shape.instance, fields, INSTANCE_FIELDS, VALKEY_FIELDS),
  );
  if ((fields.get('role') ?? '') === 'slave') {
    e.slot = 0;
    e.emit(shape.slave.cells, 'slave_info', 'gauge', 1, labelsFrom(shape.slave, fields, SLAVE_FIELDS));
  }
}

/** One addInfoFamilies call: the per-field logic (upstream's order and special cases) and its running state. */
class InfoEmitter {
  private readonly system: boolean;
  private readonly additions: boolean;
  private readonly nowSeconds: number;
  private masterHost = '';
  private masterPort = '';
  /** Index of the next sample of the current line (or other cell owner) in its cells. */
  slot = 0;

  constructor(
    private readonly b: FamilyBuilder,
    opts: InfoFamilyOptions,
    private readonly generation: number,
  ) {
    this.system = opts.includeSystemMetrics;
    this.additions = opts.redoubtAdditions ?? true;
    this.nowSeconds = opts.nowSeconds;
  }

  /**
   * Adds one sample. With cells (the owner's samples from last time), the sample at this.slot is reused when it
   * has the same labels object, value and suffix; otherwise a new one takes its place.
   */
  emit(
    cells: Sample[] | undefined,
    name: string,
    type: MetricType,
    value: number,
    labels: Record<string, string>,
    suffix: Sample['suffix'] = '',
  ): void {
    if (cells === undefined) {
      this.b.add(name, type, value, labels, help(name), suffix);
      return;
    }
    const j = this.slot++;
    let s = cells[j];
    if (s === undefined || s.labels !== labels || s.suffix !== suffix || !Object.is(s.value, value)) {
      s = { labels, value, suffix };
      cells[j] = s;
    }
    this.b.addSample(name, type, s, undefined, help);
  }

  /** One INFO field; `return` = handled, falling out of the switch = also try the whitelist. */
  field(line: InfoLine<LineData>): void {
    const d = lineData(line);
    const key = line.key;
    const value = line.value;
    const cells = d.cells;
    this.slot = 0;
    if (d.setsMasterHost) this.masterHost = value;
    if (d.setsMasterPort) this.masterPort = value;
    switch (d.section) {
      case REPLICATION: {
        if (d.linkStatus) {
          this.emit(
            cells,
            'master_link_up',
            'gauge',
            value === 'up' ? 1 : 0,
            d.master(this.masterHost, this.masterPort),
          );
          return;
        }
        if (d.direct !== undefined) {
          this.emit(cells, d.direct, 'gauge', d.atoi(), d.master(this.masterHost, this.masterPort));
          return;
        }
        const replica = d.replica();
        if (replica) {
          const labels = d.replicaLabels;
          this.emit(cells, 'connected_slave_offset_bytes', 'gauge', replica.offset, labels);
          if (replica.lag !== undefined) this.emit(cells, 'connected_slave_lag_seconds', 'gauge', replica.lag, labels);
          return;
        }
        const added = this.additions ? d.replicaGauge : undefined;
        if (added !== undefined) {
          const v = d.float();
          if (v !== undefined) this.emit(cells, added, 'gauge', v, d.master(this.masterHost, this.masterPort));
          return;
        }
        break;
      }
      case SERVER: {
        const uptime = d.uptime ? d.float() : undefined;
        if (uptime !== undefined)
          this.emit(cells, 'start_time_seconds', 'gauge', Math.floor(this.nowSeconds) - uptime, NO_LABELS);
        // hz/configured_hz are parsed as integers upstream (strconv.ParseInt) and are not in the tables.
        const hz = d.hz ? d.int() : undefined;
        if (hz !== undefined) this.emit(cells, key, 'gauge', hz, NO_LABELS);
        break;
      }
      case COMMANDSTATS: {
        const stat = d.cmdStat();
        if (stat) {
          d.statGeneration = this.generation;
          const cmd = d.own('cmd', stat.cmd);
          this.emit(cells, 'commands_total', 'counter', stat.calls, cmd);
          this.emit(cells, 'commands_duration_seconds_total', 'counter', stat.usec / 1e6, cmd);
          if (stat.rejected !== undefined && stat.failed !== undefined) {
            this.emit(cells, 'commands_rejected_calls_total', 'counter', stat.rejected, cmd);
            this.emit(cells, 'commands_failed_calls_total', 'counter', stat.failed, cmd);
          }
        }
        return;
      }
      case LATENCYSTATS: {
        // Emitted after all fields, by summaries(): they need the command's Commandstats line.
        if (d.latency()) d.statGeneration = this.generation;
        return;
      }
      case ERRORSTATS: {
        const stat = d.errorStat();
        if (stat) this.emit(cells, 'errors_total', 'counter', stat.count, d.own('err', stat.err));
        return;
      }
      case KEYSPACE: {
        const ks = d.keyspace();
        if (ks) {
          const db = d.own('db', key);
          this.emit(cells, 'db_keys', 'gauge', ks.keys, db);
          this.emit(cells, 'db_keys_expiring', 'gauge', ks.expires, db);
          if (ks.cachedKeys !== undefined) this.emit(cells, 'db_keys_cached', 'gauge', ks.cachedKeys, db);
          if (ks.avgTtlSeconds !== undefined) this.emit(cells, 'db_avg_ttl_seconds', 'gauge', ks.avgTtlSeconds, db);
          dbSeenIn.set(key, this.generation);
          return;
        }
        break;
      }
      case SENTINEL: {
        if (d.sentinelPlain) this.emit(cells, key, 'gauge', d.atoi(), NO_LABELS);
        const m = d.sentinel();
        if (m) {
          this.emit(cells, 'sentinel_master_status', 'gauge', m.status === 'ok' ? 1 : 0, d.sentinelStatusLabels);
          this.emit(cells, 'sentinel_master_slaves', 'gauge', m.slaves, d.sentinelLabels);
          this.emit(cells, 'sentinel_master_sentinels', 'gauge', m.sentinels, d.sentinelLabels);
        }
        break;
      }
    }
    this.generic(d, key, value);
  }

  /** The whitelist path (upstream parseAndRegisterConstMetric) for one plain `key:value` field. */
  generic(d: LineData | undefined, key: string, value: string): void {
    const cells = d?.cells;
    const io = d !== undefined ? d.ioThread() : ioThreadLabels(key);
    if (io) {
      const v = d !== undefined ? d.float() : parseGoFloat(value);
      if (v !== undefined) this.emit(cells, 'active_time_io_thread_seconds_total', 'counter', v, io);
      return;
    }
    const target =
      d !== undefined ? d.route(this.system, this.additions) : whitelisted(key, this.system, this.additions);
    if (!target) return;
    let name = target.name;
    let v = d !== undefined ? d.generic(target.percent === true) : whitelistValue(value, target.percent === true);
    if (v === undefined) return;
    if (name === 'latest_fork_usec') {
      name = 'latest_fork_seconds';
      v = v / 1e6;
    }
    let seen = target.seen;
    if (seen === undefined) {
      seen = seenFor(name);
      if (seen !== undefined) target.seen = seen;
    }
    if (seen !== undefined) {
      if (seen.gen === this.generation) return;
      seen.gen = this.generation;
    } else {
      if (emittedIn.get(name) === this.generation) return;
      emittedIn.set(name, this.generation);
    }
    this.emit(cells, name, target.type, v, NO_LABELS);
  }

  /** latency_percentiles_usec: summaries need count and sum from Commandstats; upstream skips commands without. */
  summaries(shape: Shape): void {
    const name = 'latency_percentiles_usec';
    for (let i = 0; i < shape.latency.length; i++) {
      const d = shape.latency[i].data;
      const cd = shape.latencyCommand[i]?.data;
      if (d?.statGeneration !== this.generation || cd?.statGeneration !== this.generation) continue;
      const stat = d.latency();
      const cs = cd.cmdStat();
      if (!stat || !cs) continue;
      this.slot = 0;
      for (let k = 0; k < stat.quantiles.length; k++) {
        const q = stat.quantiles[k];
        this.emit(d.cells, name, 'summary', q[1], d.quantile(k, stat.cmd, q[0]));
      }
      // Sum stays in µs.
      const cmd = d.own('cmd', stat.cmd);
      this.emit(d.cells, name, 'summary', cs.usec, cmd, '_sum');
      this.emit(d.cells, name, 'summary', Math.trunc(cs.calls), cmd, '_count');
    }
  }
}

type Route = { name: string; type: 'gauge' | 'counter'; percent?: boolean; seen?: Seen } | undefined;

/**
 * The generation that last emitted a whitelisted family name, kept with the routes to it (one object per name, so
 * routes of different keys to the same name share it): emittedIn without a map lookup per field. Bounded; past
 * the bound, names go to emittedIn.
 */
type Seen = { gen: number };
const seenByName = new Map<string, Seen>();
function seenFor(name: string): Seen | undefined {
  let seen = seenByName.get(name);
  if (seen === undefined && seenByName.size < MAX_STAMPS) {
    seen = { gen: -1 };
    seenByName.set(name, seen);
  }
  return seen;
}
/** One cache per (system, additions) combination, indexed system * 2 + additions. */
const routeCaches = [0, 1, 2, 3].map(() => new Map<string, Route>());

/** Where a plain INFO field goes, remembered per field: the same few hundred fields arrive on every scrape. */
function whitelisted(key: string, system: boolean, additions: boolean): Route {
  const cache = routeCaches[(system ? 2 : 0) + (additions ? 1 : 0)];
  let route = cache.get(key);
  if (route === undefined && !cache.has(key)) {
    route = route_(key, system, additions);
    // (detached: the key may be a slice of a whole INFO text, which the cache must not keep alive)
    if (cache.size < 10_000) cache.set(detach(key), route);
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
  if (/^(db|cmdstat_|cluster_)/.test(key)) return { name: detach(key.replace(/[^a-zA-Z0-9_]/g, '_')), type: 'gauge' };
  return undefined;
}

/** Upstream's value rule: ok/true → 1, err/fail/false → 0, else a float; undefined = not a number, dropped. */
function boolOrFloat(value: string): number | undefined {
  if (value === 'ok' || value === 'true') return 1;
  if (value === 'err' || value === 'fail' || value === 'false') return 0;
  return parseGoFloat(value);
}

/** The whitelist path's value: boolOrFloat, after a trailing `%` is cut for percent fields. */
function whitelistValue(value: string, percent: boolean): number | undefined {
  return boolOrFloat(percent ? value.replace(/%$/, '') : value);
}

/** {thread} for Valkey's used_active_time_io_thread_N, null for every other key. */
function ioThreadLabels(key: string): Record<string, string> | null {
  const io = key.startsWith('used_active_time_io_thread_') ? IO_THREAD.exec(key) : null;
  return io ? { thread: io[1] } : null;
}

/** How many db<N> to pad with zero series: CONFIG databases, else 16; a cluster only has db0. */
export function databaseCount(snapshot: Snapshot, info: InfoView): number {
  if (info.fields.get('cluster_enabled') === '1') return 1;
  const configured = snapshot.config?.databases;
  if (configured !== undefined && /^\d+$/.test(configured) && Number(configured) > 0) return Number(configured);
  return 16;
}
