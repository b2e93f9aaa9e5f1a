/**
 * The Redis dashboard as data: rows of panels, each with its PromQL, unit, thresholds and size. Grafana's JSON
 * is rendered from this (render-dashboard.ts) and the web console draws the same panels from it, so a panel is
 * added or fixed here once.
 *
 * Queries use three Grafana variables, which any other consumer substitutes the same way:
 * - `$job`, `$instance`: the dashboard's multi-value variables, matched as regexes (`=~`); "All" is `.+`.
 *   Every series selector carries both, as SELECTOR below.
 * - `$__rate_interval`: the range of every rate()/increase(), at least four scrape intervals (Grafana derives it
 *   from the datasource's `timeInterval`, which the stack sets to the scrape interval).
 *
 * Traps the queries stay right in (see research/alerts-dashboards.md §3): maxmemory 0 (the limit line and the
 * percentage exist only when a limit is set), idle instances (ratios skip 0/0 instead of drawing NaN), a tiny
 * instance with a scary fragmentation ratio (the absolute bytes are shown beside it), the capped slowlog length
 * (entries are counted from the last slowlog id instead), masters versus replicas (replica-only series say so
 * when absent), CONFIG blocked on managed Redis (maxclients falls back to INFO), a scrape that times out (Up
 * reads `up` as well as `redis_up`).
 */

/** Grafana visualisations the catalogue uses; the console maps them to its own charts. */
export type PanelKind = 'timeseries' | 'stat' | 'gauge' | 'table';

/** Grafana's named colours (the console maps them to its palette). */
export type Color = 'green' | 'yellow' | 'orange' | 'red' | 'blue' | 'purple' | 'text';

export interface ThresholdStep {
  /** The step applies from this value upwards. */
  value: number;
  color: Color;
}

/**
 * Colour steps. Stats and gauges colour their value with them; time series draw each step as a dashed line
 * (the level an alert fires at).
 */
export interface Thresholds {
  /** Colour below the first step. */
  base: Color;
  steps: ThresholdStep[];
}

/** A value shown as text instead of a number (1 → UP). */
export interface ValueText {
  value: number | string;
  text: string;
  color: Color;
}

export interface PanelTarget {
  /** PromQL with `$job`, `$instance` and `$__rate_interval`. */
  expr: string;
  /** Series name, Grafana legend syntax: `{{label}}` is replaced by the label's value. */
  legend: string;
  /** A limit rather than a measurement (maxmemory): drawn as a dashed line without fill. */
  limit?: boolean;
  /** Drawn below the axis, mirroring the other series (network output under input). */
  negativeY?: boolean;
  /** Colour steps for this query's values only (stats with one query per severity). */
  thresholds?: Thresholds;
}

/** A column of a table panel: a label of the query's series, in this order. */
export interface TableColumn {
  label: string;
  title: string;
  mappings?: ValueText[];
}

export interface PanelSpec {
  /** Grafana panel id: stable, unique, row id + position (101, 102 … in row 100). */
  id: number;
  title: string;
  /** What the panel shows and how to read it; Grafana shows it as the panel's (i) tooltip. */
  description: string;
  kind: PanelKind;
  /** Grafana unit id: bytes, Bps, s, µs, ops, opm, percentunit, short, none … */
  unit: string;
  decimals?: number;
  min?: number;
  max?: number;
  targets: PanelTarget[];
  thresholds?: Thresholds;
  mappings?: ValueText[];
  /** Shown when the query returns nothing (e.g. a replica-only metric on a master). */
  noValue?: string;
  /** stat: show the series name (legend) rather than the value, e.g. the role label of redis_instance_info. */
  showName?: boolean;
  /** stat: draw the value's history behind it. */
  sparkline?: boolean;
  /** table: the label columns to show (tables run instant queries, one row per series). */
  columns?: TableColumn[];
  /** Size on Grafana's 24-column grid (h in rows of 30 px); positions are laid out from these in order. */
  size: { w: number; h: number };
}

export interface RowSpec {
  /** Grafana id of the row itself; its panels are numbered from it. */
  id: number;
  title: string;
  panels: PanelSpec[];
}

export interface VariableSpec {
  name: string;
  label: string;
  /** Grafana's Prometheus variable query. */
  query: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  refresh: string;
  time: { from: string; to: string };
  variables: VariableSpec[];
  rows: RowSpec[];
}

/** The label filter every series selector carries. */
export const SELECTOR = 'job=~"$job",instance=~"$instance"';

/** `name{job=~"$job",instance=~"$instance"[,extra]}` */
function sel(name: string, extra?: string): string {
  return `${name}{${SELECTOR}${extra ? `,${extra}` : ''}}`;
}

/** `rate(name{…}[$__rate_interval])` */
function rate(name: string): string {
  return `rate(${sel(name)}[$__rate_interval])`;
}

/** Per-instance rate: label sets differ between exporters (instance_role, extra target labels), so sum them away. */
function rateByInstance(name: string): string {
  return `sum by (instance) (${rate(name)})`;
}

const UP_DOWN: ValueText[] = [
  { value: 0, text: 'DOWN', color: 'red' },
  { value: 1, text: 'UP', color: 'green' },
];
const OK_FAILED: ValueText[] = [
  { value: 0, text: 'FAILED', color: 'red' },
  { value: 1, text: 'OK', color: 'green' },
];
const NEUTRAL: Thresholds = { base: 'text', steps: [] };
const SEVERITY_COLORS: ValueText[] = [
  { value: 'critical', text: 'critical', color: 'red' },
  { value: 'high', text: 'high', color: 'orange' },
  { value: 'medium', text: 'medium', color: 'yellow' },
  { value: 'low', text: 'low', color: 'blue' },
];
const MEMORY_TIERS: Thresholds = {
  base: 'green',
  steps: [
    { value: 0.8, color: 'yellow' },
    { value: 0.9, color: 'orange' },
    { value: 0.95, color: 'red' },
  ],
};

const hitRate = rateByInstance('redis_keyspace_hits_total');
const missRate = rateByInstance('redis_keyspace_misses_total');
const lookups = `(${hitRate} + ${missRate} > 0)`;
const commandSeconds = `sum by (cmd) (${rate('redis_commands_duration_seconds_total')})`;
const commandCalls = `sum by (cmd) (${rate('redis_commands_total')})`;
const maxClients = `(${sel('redis_config_maxclients')} or ${sel('redis_max_clients')})`;
const replicaLegend = '{{instance}} → {{slave_ip}}:{{slave_port}}';

/** Red below 1, green from 1: a 0/1 health value. */
const HEALTHY_AT_1: Thresholds = { base: 'red', steps: [{ value: 1, color: 'green' }] };

/** One series per instance, named after it. */
function perInstance(expr: string): PanelTarget[] {
  return [{ expr, legend: '{{instance}}' }];
}

/** A stat panel of one value per instance; `rest` carries thresholds, mappings, size and the like. */
function stat(
  id: number,
  title: string,
  description: string,
  unit: string,
  expr: string,
  rest: Omit<PanelSpec, 'id' | 'title' | 'description' | 'kind' | 'unit' | 'targets'>,
): PanelSpec {
  return { id, title, description, kind: 'stat', unit, targets: perInstance(expr), ...rest };
}

/** A stat of an uncoloured value per instance, with its history behind it. */
function trendStat(
  id: number,
  title: string,
  description: string,
  unit: string,
  expr: string,
  size: PanelSpec['size'],
): PanelSpec {
  return stat(id, title, description, unit, expr, { thresholds: NEUTRAL, sparkline: true, size });
}

/** A stat of a 0/1 status metric (Redis' ok/err fields), read as FAILED/OK. */
function okFailedStat(id: number, title: string, description: string, metric: string): PanelSpec {
  return stat(id, title, description, 'none', sel(metric), {
    mappings: OK_FAILED,
    thresholds: HEALTHY_AT_1,
    size: { w: 4, h: 4 },
  });
}

/** The security score (0–100) with the tiers the audit caps it at; shown in Overview and in Security. */
function securityScore(id: number, description: string, size: PanelSpec['size']): PanelSpec {
  return stat(id, 'Security score', description, 'none', sel('redis_security_score'), {
    min: 0,
    max: 100,
    thresholds: {
      base: 'red',
      steps: [
        { value: 41, color: 'orange' },
        { value: 71, color: 'yellow' },
        { value: 90, color: 'green' },
      ],
    },
    noValue: 'no audit',
    size,
  });
}

const OVERVIEW: RowSpec = {
  id: 100,
  title: 'Overview',
  panels: [
    {
      id: 101,
      title: 'Up',
      description:
        'Whether Redis answers the exporter (redis_up). A scrape that fails or times out (up 0) also reads DOWN, since redis_up then goes stale instead of turning 0.',
      kind: 'stat',
      unit: 'none',
      targets: [
        {
          expr: `(${sel('redis_up')} and on (job, instance) (${sel('up')} == 1)) or on (job, instance) (${sel('up')} == 0)`,
          legend: '{{instance}}',
        },
      ],
      mappings: UP_DOWN,
      thresholds: HEALTHY_AT_1,
      noValue: 'no data',
      size: { w: 4, h: 4 },
    },
    stat(
      102,
      'Uptime',
      'Time since the server started; orange for the first 10 minutes after a restart.',
      's',
      sel('redis_uptime_in_seconds'),
      { thresholds: { base: 'orange', steps: [{ value: 600, color: 'green' }] }, size: { w: 4, h: 4 } },
    ),
    trendStat(
      103,
      'Commands / s',
      'Commands processed per second.',
      'ops',
      rateByInstance('redis_commands_processed_total'),
      { w: 4, h: 4 },
    ),
    trendStat(
      104,
      'Memory used',
      'Memory allocated by Redis for data and overhead (used_memory).',
      'bytes',
      sel('redis_memory_used_bytes'),
      { w: 4, h: 4 },
    ),
    trendStat(
      105,
      'Connected clients',
      'Client connections, not counting replicas.',
      'short',
      sel('redis_connected_clients'),
      { w: 4, h: 4 },
    ),
    securityScore(
      106,
      "0–100, the severity-weighted share of passing security checks from the exporter's background audit (at most 40 while a critical check fails, 70 while a high one does). Details in the Security row.",
      { w: 4, h: 4 },
    ),
    {
      id: 107,
      title: 'Instances',
      description: 'Role, version, mode and eviction policy of each instance (redis_instance_info).',
      kind: 'table',
      unit: 'none',
      targets: [{ expr: sel('redis_instance_info'), legend: '' }],
      columns: [
        { label: 'instance', title: 'Instance' },
        { label: 'role', title: 'Role' },
        { label: 'redis_version', title: 'Version' },
        { label: 'redis_mode', title: 'Mode' },
        { label: 'maxmemory_policy', title: 'Eviction policy' },
      ],
      size: { w: 24, h: 5 },
    },
  ],
};

const MEMORY: RowSpec = {
  id: 200,
  title: 'Memory',
  panels: [
    {
      id: 201,
      title: 'Memory used vs maxmemory',
      description:
        'Memory used by Redis, the resident set size of the process, and the maxmemory limit (drawn only when one is set: maxmemory 0 means no limit).',
      kind: 'timeseries',
      unit: 'bytes',
      min: 0,
      targets: [
        { expr: sel('redis_memory_used_bytes'), legend: 'used {{instance}}' },
        { expr: sel('redis_memory_used_rss_bytes'), legend: 'rss {{instance}}' },
        { expr: `${sel('redis_memory_max_bytes')} > 0`, legend: 'maxmemory {{instance}}', limit: true },
      ],
      size: { w: 10, h: 8 },
    },
    {
      id: 202,
      title: 'Memory used of maxmemory',
      description:
        'Used memory as a share of maxmemory, with the alert tiers at 80, 90 and 95 %. Empty when no maxmemory is set: Redis then grows until the host runs out of memory.',
      kind: 'gauge',
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: [
        { expr: `${sel('redis_memory_used_bytes')} / (${sel('redis_memory_max_bytes')} > 0)`, legend: '{{instance}}' },
      ],
      thresholds: MEMORY_TIERS,
      noValue: 'maxmemory not set',
      size: { w: 4, h: 8 },
    },
    {
      id: 203,
      title: 'Fragmentation ratio',
      description:
        'RSS / used memory. Above 1.5 memory is fragmented, but on a small instance a high ratio means little: read it with the fragmented bytes beside it. Below 1 the OS has swapped part of Redis out.',
      kind: 'timeseries',
      unit: 'none',
      decimals: 2,
      targets: [
        {
          expr: `${sel('redis_memory_used_rss_bytes')} / (${sel('redis_memory_used_bytes')} > 0)`,
          legend: '{{instance}}',
        },
      ],
      thresholds: { base: 'green', steps: [{ value: 1.5, color: 'red' }] },
      size: { w: 5, h: 8 },
    },
    {
      id: 204,
      title: 'Fragmented memory',
      description:
        'RSS minus used memory: what fragmentation costs in bytes. The fragmentation alert needs this above 100 MiB as well as the ratio above 1.5.',
      kind: 'timeseries',
      unit: 'bytes',
      targets: [
        { expr: `${sel('redis_memory_used_rss_bytes')} - ${sel('redis_memory_used_bytes')}`, legend: '{{instance}}' },
      ],
      thresholds: { base: 'green', steps: [{ value: 104857600, color: 'red' }] },
      size: { w: 5, h: 8 },
    },
  ],
};

const THROUGHPUT: RowSpec = {
  id: 300,
  title: 'Throughput',
  panels: [
    {
      id: 301,
      title: 'Commands per second',
      description: 'Commands processed per second by each instance.',
      kind: 'timeseries',
      unit: 'ops',
      min: 0,
      targets: perInstance(rateByInstance('redis_commands_processed_total')),
      size: { w: 8, h: 8 },
    },
    {
      id: 302,
      title: 'Top commands per second',
      description: 'The ten most called commands (INFO commandstats) across the selected instances.',
      kind: 'timeseries',
      unit: 'ops',
      min: 0,
      targets: [{ expr: `topk(10, sum by (cmd) (${rate('redis_commands_total')}))`, legend: '{{cmd}}' }],
      size: { w: 8, h: 8 },
    },
    {
      id: 303,
      title: 'Network I/O',
      description: 'Bytes received from (above the axis) and sent to (below) clients and replicas.',
      kind: 'timeseries',
      unit: 'Bps',
      targets: [
        { expr: rateByInstance('redis_net_input_bytes_total'), legend: 'in {{instance}}' },
        { expr: rateByInstance('redis_net_output_bytes_total'), legend: 'out {{instance}}', negativeY: true },
      ],
      size: { w: 8, h: 8 },
    },
  ],
};

const CACHE: RowSpec = {
  id: 400,
  title: 'Cache',
  panels: [
    {
      id: 401,
      title: 'Cache hit / miss ratio',
      description:
        'Share of key lookups that found (hit) or missed the key. No point is drawn while an instance has no lookups (0/0). Misses also count lookups of keys that are expected to be absent (EXISTS, locks): the ratio means most on a cache.',
      kind: 'timeseries',
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: [
        { expr: `${hitRate} / ${lookups}`, legend: 'hit {{instance}}' },
        { expr: `${missRate} / ${lookups}`, legend: 'miss {{instance}}' },
      ],
      size: { w: 12, h: 8 },
    },
    {
      id: 402,
      title: 'Hits and misses per second',
      description: 'Key lookups per second that found or missed the key: the volume behind the ratio.',
      kind: 'timeseries',
      unit: 'ops',
      min: 0,
      targets: [
        { expr: hitRate, legend: 'hits {{instance}}' },
        { expr: missRate, legend: 'misses {{instance}}' },
      ],
      size: { w: 12, h: 8 },
    },
  ],
};

const CLIENTS: RowSpec = {
  id: 500,
  title: 'Clients',
  panels: [
    {
      id: 501,
      title: 'Client connections',
      description: 'Connected clients, and those blocked in BLPOP, WAIT and similar calls.',
      kind: 'timeseries',
      unit: 'short',
      min: 0,
      targets: [
        { expr: sel('redis_connected_clients'), legend: 'connected {{instance}}' },
        { expr: sel('redis_blocked_clients'), legend: 'blocked {{instance}}' },
      ],
      size: { w: 10, h: 8 },
    },
    {
      id: 502,
      title: 'New and rejected connections per second',
      description: 'Connections accepted per second, and those rejected because maxclients was reached.',
      kind: 'timeseries',
      unit: 'ops',
      min: 0,
      targets: [
        { expr: rateByInstance('redis_connections_received_total'), legend: 'new {{instance}}' },
        { expr: rateByInstance('redis_rejected_connections_total'), legend: 'rejected {{instance}}' },
      ],
      size: { w: 9, h: 8 },
    },
    {
      id: 503,
      title: 'Clients of maxclients',
      description:
        'Connected clients as a share of maxclients (from CONFIG, or from INFO where CONFIG is blocked). New connections are refused at 100 %.',
      kind: 'gauge',
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: perInstance(`${sel('redis_connected_clients')} / (${maxClients} > 0)`),
      thresholds: {
        base: 'green',
        steps: [
          { value: 0.8, color: 'yellow' },
          { value: 0.9, color: 'red' },
        ],
      },
      size: { w: 5, h: 8 },
    },
  ],
};

const PERFORMANCE: RowSpec = {
  id: 600,
  title: 'Command duration',
  panels: [
    {
      id: 601,
      title: 'Average duration per command',
      description:
        'Mean execution time of each command (INFO commandstats usec / calls), not counting network and queueing time. Commands without calls in the interval are left out.',
      kind: 'timeseries',
      unit: 's',
      min: 0,
      targets: [{ expr: `${commandSeconds} / (${commandCalls} > 0)`, legend: '{{cmd}}' }],
      size: { w: 6, h: 8 },
    },
    {
      id: 602,
      title: 'Time spent per command',
      description:
        "Share of wall-clock time spent executing each command. Redis runs commands on one thread: together they can't exceed 100 % per instance, and approaching it means queueing.",
      kind: 'timeseries',
      unit: 'percentunit',
      min: 0,
      targets: [{ expr: commandSeconds, legend: '{{cmd}}' }],
      size: { w: 6, h: 8 },
    },
    {
      id: 603,
      title: 'p99 latency per command',
      description:
        '99th percentile execution time per command from INFO latencystats (Redis 7 and later), over all calls since the server started or CONFIG RESETSTAT: it moves slowly.',
      kind: 'timeseries',
      unit: 'µs',
      min: 0,
      targets: [
        { expr: `max by (cmd) (${sel('redis_latency_percentiles_usec', 'quantile="99"')})`, legend: '{{cmd}}' },
      ],
      size: { w: 6, h: 8 },
    },
    {
      id: 604,
      title: 'Error replies per second',
      description:
        'Error replies by type (INFO errorstats, Redis 6.2 and later): OOM means writes refused at maxmemory, WRONGPASS failed logins, NOPERM ACL denials.',
      kind: 'timeseries',
      unit: 'ops',
      min: 0,
      targets: [{ expr: `sum by (err) (${rate('redis_errors_total')})`, legend: '{{err}}' }],
      size: { w: 6, h: 8 },
    },
  ],
};

const SLOW: RowSpec = {
  id: 700,
  title: 'Slow commands',
  panels: [
    {
      id: 701,
      title: 'Slow log entries per minute',
      description:
        'Commands slower than slowlog-log-slower-than, counted from the id of the newest slow log entry (the slow log length is capped and never falls, so it cannot show a rate). A SLOWLOG RESET shows as one spike.',
      kind: 'timeseries',
      unit: 'opm',
      min: 0,
      targets: perInstance(`60 * sum by (instance) (${rate('redis_slowlog_last_id')})`),
      size: { w: 10, h: 8 },
    },
    {
      id: 702,
      title: 'Last slow execution',
      description: 'Execution time of the newest slow log entry.',
      kind: 'timeseries',
      unit: 's',
      min: 0,
      targets: perInstance(sel('redis_last_slow_execution_duration_seconds')),
      size: { w: 10, h: 8 },
    },
    {
      id: 703,
      title: 'Slow log length',
      description:
        'Entries in the slow log. Capped at slowlog-max-len (128 by default) and only emptied by SLOWLOG RESET, so a full log says nothing about now.',
      kind: 'stat',
      unit: 'short',
      targets: perInstance(sel('redis_slowlog_length')),
      thresholds: NEUTRAL,
      size: { w: 4, h: 8 },
    },
  ],
};

const REPLICATION: RowSpec = {
  id: 800,
  title: 'Replication',
  panels: [
    {
      id: 801,
      title: 'Role',
      description: 'master or slave (replica), from INFO replication.',
      kind: 'stat',
      unit: 'none',
      targets: [{ expr: sel('redis_instance_info'), legend: '{{instance}}: {{role}}' }],
      thresholds: NEUTRAL,
      showName: true,
      size: { w: 6, h: 4 },
    },
    trendStat(
      802,
      'Connected replicas',
      'Replicas connected to each master (0 on replicas without replicas of their own).',
      'short',
      sel('redis_connected_slaves'),
      { w: 6, h: 4 },
    ),
    {
      id: 803,
      title: 'Master link',
      description:
        "A replica's link to its master. It also reads DOWN during a full resynchronisation. Only replicas have it.",
      kind: 'stat',
      unit: 'none',
      targets: perInstance(sel('redis_master_link_up')),
      mappings: UP_DOWN,
      thresholds: HEALTHY_AT_1,
      noValue: 'no replica selected',
      size: { w: 6, h: 4 },
    },
    trendStat(
      804,
      'Full resyncs served',
      'Full resynchronisations a master has served since it started. Growth means replicas could not resume from the backlog: raise repl-backlog-size.',
      'short',
      sel('redis_replica_resyncs_full'),
      { w: 6, h: 4 },
    ),
    {
      id: 805,
      title: 'Replica acknowledgement lag',
      description:
        "Seconds since each replica last acknowledged the master's stream, seen from the master (INFO lag). Replicas acknowledge every second; the alert fires above 10 s.",
      kind: 'timeseries',
      unit: 's',
      min: 0,
      targets: [{ expr: sel('redis_connected_slave_lag_seconds'), legend: replicaLegend }],
      thresholds: { base: 'green', steps: [{ value: 10, color: 'red' }] },
      size: { w: 8, h: 8 },
    },
    {
      id: 806,
      title: 'Replica offset behind master',
      description:
        "Bytes of the replication stream each replica has not yet acknowledged: the master's offset minus the replica's, both as the master reports them.",
      kind: 'timeseries',
      unit: 'bytes',
      min: 0,
      targets: [
        {
          expr: `${sel('redis_master_repl_offset')} - on (job, instance) group_right () ${sel('redis_connected_slave_offset_bytes')}`,
          legend: replicaLegend,
        },
      ],
      size: { w: 8, h: 8 },
    },
    {
      id: 807,
      title: 'Since last master I/O',
      description: 'Seconds since a replica last heard from its master (the master pings every 10 s by default).',
      kind: 'timeseries',
      unit: 's',
      min: 0,
      targets: perInstance(sel('redis_master_last_io_seconds_ago')),
      size: { w: 8, h: 8 },
    },
  ],
};

const PERSISTENCE: RowSpec = {
  id: 900,
  title: 'Persistence',
  panels: [
    {
      id: 901,
      title: 'Time since last save',
      description:
        'Time since the last successful RDB save. On a cache without persistence this is just the uptime: read it with the unsaved changes next to it.',
      kind: 'stat',
      unit: 's',
      targets: perInstance(`time() - ${sel('redis_rdb_last_save_timestamp_seconds')}`),
      thresholds: NEUTRAL,
      size: { w: 4, h: 4 },
    },
    {
      id: 902,
      title: 'Unsaved changes',
      description:
        'Changes (rdb_changes_since_last_save) that the next RDB save will persist, now; lost on a crash if there is no AOF.',
      kind: 'stat',
      unit: 'short',
      targets: perInstance(sel('redis_rdb_changes_since_last_save')),
      thresholds: NEUTRAL,
      size: { w: 4, h: 4 },
    },
    okFailedStat(
      903,
      'Last RDB save',
      'Result of the last background save. After a failure Redis refuses writes (MISCONF) while stop-writes-on-bgsave-error is on.',
      'redis_rdb_last_bgsave_status',
    ),
    {
      id: 904,
      title: 'AOF',
      description: 'Whether the append-only file is enabled.',
      kind: 'stat',
      unit: 'none',
      targets: perInstance(sel('redis_aof_enabled')),
      mappings: [
        { value: 0, text: 'off', color: 'text' },
        { value: 1, text: 'on', color: 'blue' },
      ],
      thresholds: NEUTRAL,
      size: { w: 4, h: 4 },
    },
    okFailedStat(
      905,
      'Last AOF write',
      'Result of the last write to the append-only file (OK while AOF is off).',
      'redis_aof_last_write_status',
    ),
    okFailedStat(
      906,
      'Last AOF rewrite',
      'Result of the last background rewrite of the append-only file.',
      'redis_aof_last_bgrewrite_status',
    ),
    {
      id: 907,
      title: 'Unsaved changes over time',
      description: 'Unsaved changes over time: each drop is a save, so the saw tooth shows the save cadence.',
      kind: 'timeseries',
      unit: 'short',
      min: 0,
      targets: perInstance(sel('redis_rdb_changes_since_last_save')),
      size: { w: 12, h: 8 },
    },
    {
      id: 908,
      title: 'Fork and save durations',
      description:
        'How long the last fork blocked the server (it grows with the data set) and how long the last background save took.',
      kind: 'timeseries',
      unit: 's',
      min: 0,
      targets: [
        { expr: sel('redis_latest_fork_seconds'), legend: 'fork {{instance}}' },
        { expr: `${sel('redis_rdb_last_bgsave_duration_sec')} >= 0`, legend: 'last save {{instance}}' },
      ],
      size: { w: 12, h: 8 },
    },
  ],
};

const KEYSPACE: RowSpec = {
  id: 1000,
  title: 'Keyspace',
  panels: [
    {
      id: 1001,
      title: 'Keys per database',
      description: 'Keys in each logical database; empty databases are left out.',
      kind: 'timeseries',
      unit: 'short',
      min: 0,
      targets: [{ expr: `${sel('redis_db_keys')} > 0`, legend: '{{instance}} {{db}}' }],
      size: { w: 8, h: 8 },
    },
    {
      id: 1002,
      title: 'Keys with an expiry',
      description: 'Keys that have a TTL, per database.',
      kind: 'timeseries',
      unit: 'short',
      min: 0,
      targets: [{ expr: `${sel('redis_db_keys_expiring')} > 0`, legend: '{{instance}} {{db}}' }],
      size: { w: 8, h: 8 },
    },
    {
      id: 1003,
      title: 'Expired and evicted keys per second',
      description:
        'Keys removed because their TTL passed, and keys evicted to stay under maxmemory (by design under an allkeys-* policy, data loss otherwise).',
      kind: 'timeseries',
      unit: 'ops',
      min: 0,
      targets: [
        { expr: rateByInstance('redis_expired_keys_total'), legend: 'expired {{instance}}' },
        { expr: rateByInstance('redis_evicted_keys_total'), legend: 'evicted {{instance}}' },
      ],
      size: { w: 8, h: 8 },
    },
  ],
};

const findings = (severity: string, color: Color): PanelTarget => ({
  expr: `sum(${sel('redis_security_findings', `severity="${severity}"`)})`,
  legend: severity,
  thresholds: { base: 'green', steps: [{ value: 1, color }] },
});

const SECURITY: RowSpec = {
  id: 1100,
  title: 'Security',
  panels: [
    securityScore(
      1101,
      '0–100, the severity-weighted share of passing checks (at most 40 while a critical check fails, 70 while a high one does). The exporter runs the audit every --security-interval; `redoubt audit` explains each check.',
      { w: 5, h: 6 },
    ),
    {
      id: 1102,
      title: 'Failing checks by severity',
      description: 'Security checks failing on the selected instances, by severity.',
      kind: 'stat',
      unit: 'short',
      targets: [
        findings('critical', 'red'),
        findings('high', 'orange'),
        findings('medium', 'yellow'),
        findings('low', 'blue'),
      ],
      thresholds: { base: 'green', steps: [{ value: 1, color: 'red' }] },
      noValue: 'no audit',
      size: { w: 9, h: 6 },
    },
    {
      id: 1103,
      title: 'Protected mode',
      description:
        'protected-mode, read on every scrape: a CONFIG SET protected-mode no (a common first step of an attack) shows within one scrape.',
      kind: 'stat',
      unit: 'none',
      targets: perInstance(sel('redis_security_config_value', 'param="protected-mode"')),
      mappings: [
        { value: 0, text: 'OFF', color: 'red' },
        { value: 1, text: 'on', color: 'green' },
      ],
      thresholds: HEALTHY_AT_1,
      noValue: 'CONFIG not readable',
      size: { w: 5, h: 6 },
    },
    {
      id: 1104,
      title: 'Checks not observed',
      description:
        "Checks the audit could not decide because the exporter's user may not see the setting (CONFIG or ACL denied). Give the exporter the auditor's permissions for the full picture.",
      kind: 'stat',
      unit: 'short',
      targets: perInstance(`count by (instance) (${sel('redis_security_check_status')} == -1)`),
      thresholds: { base: 'green', steps: [{ value: 1, color: 'yellow' }] },
      noValue: '0',
      size: { w: 5, h: 6 },
    },
    {
      id: 1105,
      title: 'Authentication failures per minute',
      description:
        'Failed AUTH attempts (errorstat WRONGPASS): a steady rate from one client is a misconfigured password, a burst is someone guessing.',
      kind: 'timeseries',
      unit: 'opm',
      min: 0,
      targets: [
        { expr: `60 * sum by (instance) (${rate('redis_security_auth_failures_total')})`, legend: '{{instance}}' },
      ],
      size: { w: 10, h: 8 },
    },
    {
      id: 1106,
      title: 'Failing checks',
      description: 'Each failing security check; `redoubt audit` shows its evidence and the remediation.',
      kind: 'table',
      unit: 'none',
      targets: [{ expr: `${sel('redis_security_check_status')} == 1`, legend: '' }],
      columns: [
        { label: 'instance', title: 'Instance' },
        { label: 'check', title: 'Check' },
        { label: 'severity', title: 'Severity', mappings: SEVERITY_COLORS },
        { label: 'category', title: 'Category' },
      ],
      size: { w: 14, h: 8 },
    },
  ],
};

/** The Redis dashboard. */
export const REDIS_DASHBOARD: DashboardSpec = {
  uid: 'redis-overview',
  title: 'Redis',
  description:
    'Redis health, performance, replication, persistence and security posture from redoubt exporter (or redis_exporter). Generated by `redoubt stack` from src/catalog/panels.ts: change the catalogue, not this file.',
  tags: ['redis', 'redoubt'],
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  variables: [
    { name: 'job', label: 'Job', query: 'label_values(redis_up, job)' },
    { name: 'instance', label: 'Instance', query: 'label_values(redis_up{job=~"$job"}, instance)' },
  ],
  rows: [OVERVIEW, MEMORY, THROUGHPUT, CACHE, CLIENTS, PERFORMANCE, SLOW, REPLICATION, PERSISTENCE, KEYSPACE, SECURITY],
};

/** Every panel of the dashboard in order, with its row. */
export function allPanels(dashboard: DashboardSpec = REDIS_DASHBOARD): Array<{ row: RowSpec; panel: PanelSpec }> {
  return dashboard.rows.flatMap((row) => row.panels.map((panel) => ({ row, panel })));
}
