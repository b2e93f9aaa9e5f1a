/**
 * Unit cases for every alert of src/catalog/alerts.ts (default thresholds), as data: input series in promtool's
 * expanding notation (`0+10x5`, `1x10`, `_` missing, `stale`), evaluation times, and the alerts expected to be
 * firing then, with their full label sets and their summary/description after templating. An empty `expect`
 * means silent (nothing firing; pending does not count). test/catalog/promtool-tests.ts renders them into a
 * promtool test file; the embedded engine runs the same cases.
 *
 * A case tagged with a trap shows the rule's right behaviour in that trap: silent for maxmemory 0, idle and
 * low-traffic instances, a tiny instance, a capped slowlog, a replica…; firing where the naive rule would go
 * silent (a scrape that times out, CONFIG blocked, an errorstat series that only appears with the first error).
 * Counters in firing cases grow linearly, so rate()/increase() give the same values under Prometheus 2.x
 * (closed range) and 3.x (left-open range).
 */
import type { AlertTrap } from '../../src/catalog/alerts.ts';

export interface SeriesInput {
  /** A series selector with every label, e.g. `redis_up{job="redis",instance="redis-1:6379"}`. */
  series: string;
  /** promtool expanding notation, one sample per interval starting at 0. */
  values: string;
}

export interface ExpectedAlert {
  /** Every label of the firing alert, rule labels (severity, tier) included. */
  labels: Record<string, string>;
  /** summary and description after templating; runbook(_url) is static and taken from the catalogue. */
  annotations: { summary: string; description: string };
}

export interface AlertCheck {
  /** Evaluation time, a duration from the start of the series, e.g. '10m'. */
  at: string;
  /** The alert to check; default: the case's alert. */
  alert?: string;
  /** The alerts firing at `at`; [] = silent. */
  expect: ExpectedAlert[];
}

export interface AlertCase {
  /** The alert the case is about. */
  alert: string;
  /** What the case shows, in a sentence. */
  name: string;
  /** The trap the case puts the rule in (see AlertTrap). */
  trap?: AlertTrap;
  /** Sample spacing, default '1m'. */
  interval?: string;
  series: SeriesInput[];
  checks: AlertCheck[];
}

export const JOB = 'redis';
export const INSTANCE = 'redis-1:6379';
const TARGET = { job: JOB, instance: INSTANCE };

/** `name{job="redis",instance="redis-1:6379",…}` with the extra labels after the target's. */
export function sel(
  name: string,
  labels: Record<string, string> = {},
  target: Record<string, string> = TARGET,
): string {
  const all = { ...target, ...labels };
  const inner = Object.entries(all)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}{${inner}}`;
}

function s(name: string, values: string, labels: Record<string, string> = {}): SeriesInput {
  return { series: sel(name, labels), values };
}

function fire(labels: Record<string, string>, summary: string, description: string): ExpectedAlert {
  return { labels: { ...TARGET, ...labels }, annotations: { summary, description } };
}

const silent: ExpectedAlert[] = [];

// ── availability ─────────────────────────────────────────────────────────────────────────────────────────
const redisDown: AlertCase[] = [
  {
    alert: 'RedisDown',
    name: 'fires when the exporter answers redis_up 0 while up stays 1 (/scrape multi-target mode)',
    trap: 'multi-target-up',
    series: [s('up', '1x10'), s('redis_up', '1 1 0x8')],
    checks: [
      { at: '2m', expect: silent },
      {
        at: '5m',
        expect: [
          fire(
            { severity: 'critical' },
            'Redis redis-1:6379 is down',
            'Redis at redis-1:6379 (job redis) is not reachable: the exporter reports redis_up 0, or Prometheus cannot scrape the exporter (exporter down or scrape timed out).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisDown',
    name: 'fires when the scrape times out or the exporter is down: up 0 and redis_up stale, not 0',
    trap: 'scrape-timeout',
    series: [s('up', '1 1 0x8'), s('redis_up', '1 1 stale')],
    checks: [
      {
        at: '5m',
        expect: [
          fire(
            { severity: 'critical' },
            'Redis redis-1:6379 is down',
            'Redis at redis-1:6379 (job redis) is not reachable: the exporter reports redis_up 0, or Prometheus cannot scrape the exporter (exporter down or scrape timed out).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisDown',
    name: 'silent while Redis and the exporter are up',
    series: [s('up', '1x10'), s('redis_up', '1x10')],
    checks: [{ at: '5m', expect: silent }],
  },
  {
    alert: 'RedisDown',
    name: 'silent when a target of another job is down',
    series: [
      s('up', '1x10'),
      s('redis_up', '1x10'),
      { series: 'up{job="node",instance="node-1:9100"}', values: '0x10' },
    ],
    checks: [{ at: '5m', expect: silent }],
  },
];

const targetMissing: AlertCase[] = [
  {
    alert: 'RedisExporterTargetMissing',
    name: 'fires when Prometheus has no Redis target at all',
    series: [{ series: 'up{job="node",instance="node-1:9100"}', values: '1x15' }],
    checks: [
      {
        at: '10m',
        expect: [
          {
            labels: { severity: 'critical' },
            annotations: {
              summary: 'No Redis exporter target is scraped',
              description:
                'Prometheus has no target with a job matching redis.*: nothing about Redis is monitored and no Redis alert can fire.',
            },
          },
        ],
      },
    ],
  },
  {
    alert: 'RedisExporterTargetMissing',
    name: 'silent when the target exists but is down (RedisDown covers it)',
    trap: 'target-down',
    series: [s('up', '0x15')],
    checks: [{ at: '10m', expect: silent }],
  },
];

const targetDisappeared: AlertCase[] = [
  {
    alert: 'RedisTargetDisappeared',
    name: 'fires when a scraped target vanishes from service discovery, and resolves after the lookback',
    series: [s('up', '1x10 stale'), { series: 'up{job="redis",instance="redis-2:6379"}', values: '1x80' }],
    checks: [
      { at: '10m', expect: silent },
      {
        at: '20m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis target redis-1:6379 is no longer scraped',
            'Prometheus scraped redis-1:6379 (job redis) within the last 1h but no longer has it as a target.',
          ),
        ],
      },
      { at: '75m', expect: silent },
    ],
  },
  {
    alert: 'RedisTargetDisappeared',
    name: 'silent while a target is still scraped but down (up 0 is RedisDown)',
    trap: 'target-down',
    series: [s('up', '1x5 0x15')],
    checks: [{ at: '20m', expect: silent }],
  },
];

const restarted: AlertCase[] = [
  {
    alert: 'RedisInstanceRestarted',
    name: 'fires when the uptime goes back, for the 15 minutes after',
    series: [s('redis_uptime_in_seconds', '100+60x10 30+60x30')],
    checks: [
      {
        at: '12m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 restarted',
            'The uptime of redis-1:6379 went back to zero in the last 15 minutes: the process restarted, and without persistence its data is gone.',
          ),
        ],
      },
      { at: '30m', expect: silent },
    ],
  },
  {
    alert: 'RedisInstanceRestarted',
    name: 'silent across a gap in scraping (uptime kept growing)',
    trap: 'scrape-gap',
    series: [s('redis_uptime_in_seconds', '100+60x5 _x3 580+60x5')],
    checks: [{ at: '12m', expect: silent }],
  },
  {
    alert: 'RedisInstanceRestarted',
    name: 'silent for a new instance seen for the first time',
    series: [s('redis_uptime_in_seconds', '_x5 10+60x10')],
    checks: [{ at: '12m', expect: silent }],
  },
];

// ── memory ───────────────────────────────────────────────────────────────────────────────────────────────
const TIERS = [
  { alert: 'RedisMemoryUsageWarning', tier: 'warning', pct: 80, severity: 'warning' },
  { alert: 'RedisMemoryUsageHigh', tier: 'high', pct: 90, severity: 'warning' },
  { alert: 'RedisMemoryUsageCritical', tier: 'critical', pct: 95, severity: 'critical' },
] as const;

function memoryFire(t: (typeof TIERS)[number], value: string): ExpectedAlert {
  return fire(
    { severity: t.severity, tier: t.tier },
    `Redis redis-1:6379 uses more than ${t.pct}% of maxmemory`,
    `Memory used on redis-1:6379 is ${value}% of maxmemory (${t.tier} tier: above ${t.pct}%).`,
  );
}

/** One case per situation, checking the whole ladder at once. */
function memoryCase(
  name: string,
  trap: AlertTrap | undefined,
  series: SeriesInput[],
  at: string,
  value: string,
  firing: number,
): AlertCase[] {
  return TIERS.map((t, i) => ({
    alert: t.alert,
    name,
    trap,
    series,
    checks: [{ at, expect: i < firing ? [memoryFire(t, value)] : silent }],
  }));
}

const memoryTiers: AlertCase[] = [
  ...memoryCase(
    'at 85.3% of maxmemory only the warning tier fires',
    undefined,
    [s('redis_memory_used_bytes', '853x10'), s('redis_memory_max_bytes', '1000x10')],
    '10m',
    '85.3',
    1,
  ),
  ...memoryCase(
    'at 92% the warning and high tiers fire (overlapping tiers, inhibited by `tier` in Alertmanager)',
    undefined,
    [s('redis_memory_used_bytes', '920x10'), s('redis_memory_max_bytes', '1000x10')],
    '10m',
    '92.0',
    2,
  ),
  ...memoryCase(
    'at 97% all three tiers fire, each with its tier label',
    undefined,
    [s('redis_memory_used_bytes', '970x10'), s('redis_memory_max_bytes', '1000x10')],
    '10m',
    '97.0',
    3,
  ),
  ...memoryCase(
    'maxmemory 0 (no limit): no +Inf, every tier silent',
    'maxmemory-0',
    [s('redis_memory_used_bytes', '5000000000x10'), s('redis_memory_max_bytes', '0x10')],
    '10m',
    '',
    0,
  ),
  ...memoryCase(
    'CONFIG blocked (no redis_config_maxmemory): INFO maxmemory still drives every tier',
    'config-blocked',
    [s('redis_memory_used_bytes', '960x10'), s('redis_memory_max_bytes', '1000x10'), s('redis_up', '1x10')],
    '10m',
    '96.0',
    3,
  ),
  ...memoryCase(
    'a short spike above 95% stays pending (inside `for`)',
    undefined,
    [s('redis_memory_used_bytes', '500x8 990 990'), s('redis_memory_max_bytes', '1000x10')],
    '10m',
    '',
    0,
  ),
];

const maxmemoryNotSet: AlertCase[] = [
  {
    alert: 'RedisMaxmemoryNotSet',
    name: 'fires after an hour without maxmemory, from INFO alone (CONFIG blocked)',
    trap: 'config-blocked',
    series: [s('redis_memory_max_bytes', '0x90'), s('redis_memory_used_bytes', '1000000x90')],
    checks: [
      { at: '30m', expect: silent },
      {
        at: '70m',
        expect: [
          fire(
            { severity: 'info' },
            'Redis redis-1:6379 has no maxmemory',
            'maxmemory is 0 on redis-1:6379: Redis can grow until the host or container runs out of memory, and the memory usage alerts cannot fire.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisMaxmemoryNotSet',
    name: 'silent with maxmemory set',
    series: [s('redis_memory_max_bytes', '1000000x90')],
    checks: [{ at: '70m', expect: silent }],
  },
];

const MiB = 1024 * 1024;
const fragmentation: AlertCase[] = [
  {
    alert: 'RedisMemoryFragmentationHigh',
    name: 'fires after 30m with RSS 1.8 times used memory on a 1 GiB instance',
    series: [
      s('redis_memory_used_bytes', `${1024 * MiB}x40`),
      s('redis_memory_used_rss_bytes', `${Math.round(1.8 * 1024 * MiB)}x40`),
    ],
    checks: [
      { at: '20m', expect: silent },
      {
        at: '35m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 memory is fragmented',
            'RSS is 1.80 times the memory Redis uses on redis-1:6379 (threshold 1.5), and more than 100 MiB of RSS is not data.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisMemoryFragmentationHigh',
    name: 'silent on a tiny instance with ratio 4.5 (2 MiB used, 9 MiB RSS)',
    trap: 'tiny-instance',
    series: [s('redis_memory_used_bytes', `${2 * MiB}x40`), s('redis_memory_used_rss_bytes', `${9 * MiB}x40`)],
    checks: [{ at: '35m', expect: silent }],
  },
  {
    alert: 'RedisMemoryFragmentationHigh',
    name: 'silent with ratio 1.3 even though 300 MiB are not data',
    series: [
      s('redis_memory_used_bytes', `${1024 * MiB}x40`),
      s('redis_memory_used_rss_bytes', `${Math.round(1.3 * 1024 * MiB)}x40`),
    ],
    checks: [{ at: '35m', expect: silent }],
  },
];

const oom: AlertCase[] = [
  {
    alert: 'RedisOutOfMemoryErrors',
    name: 'fires on the first OOM errors, when redis_errors_total{err="OOM"} first appears',
    trap: 'new-series',
    series: [s('redis_errors_total', '_x5 3x10', { err: 'OOM' }), s('redis_up', '1x15')],
    checks: [
      {
        at: '6m',
        expect: [
          fire(
            { err: 'OOM', severity: 'critical' },
            'Redis redis-1:6379 rejects writes with OOM',
            'Redis on redis-1:6379 answered commands with OOM errors in the last 5m (about 3): it is at maxmemory and cannot evict.',
          ),
        ],
      },
      { at: '12m', expect: silent },
    ],
  },
  {
    alert: 'RedisOutOfMemoryErrors',
    name: 'fires while OOM errors keep growing',
    series: [s('redis_errors_total', '0+2x10', { err: 'OOM' })],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { err: 'OOM', severity: 'critical' },
            'Redis redis-1:6379 rejects writes with OOM',
            'Redis on redis-1:6379 answered commands with OOM errors in the last 5m (about 10): it is at maxmemory and cannot evict.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisOutOfMemoryErrors',
    name: 'silent after a restart clears errorstats (the series goes away) without new errors',
    trap: 'counter-reset',
    series: [s('redis_errors_total', '50x5 stale', { err: 'OOM' }), s('redis_up', '1x15')],
    checks: [{ at: '8m', expect: silent }],
  },
  {
    alert: 'RedisOutOfMemoryErrors',
    name: 'silent for other error types',
    series: [s('redis_errors_total', '0+5x10', { err: 'ERR' }), s('redis_errors_total', '7x10', { err: 'OOM' })],
    checks: [{ at: '10m', expect: silent }],
  },
];

const INFO_MASTER = { role: 'master', maxmemory_policy: 'volatile-lru', redis_version: '7.0.15' };
const evicted: AlertCase[] = [
  {
    alert: 'RedisKeysEvicted',
    name: 'fires when keys are evicted under volatile-lru',
    series: [s('redis_evicted_keys_total', '0+10x15'), s('redis_instance_info', '1x15', INFO_MASTER)],
    checks: [
      {
        at: '12m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 is evicting keys',
            'Redis on redis-1:6379 evicted about 50 keys in the last 5m although its maxmemory-policy is not allkeys-*: keys with a TTL are being dropped early because memory is full.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisKeysEvicted',
    name: 'silent when the policy is allkeys-lru: a full cache evicting is working as designed',
    trap: 'allkeys-policy',
    series: [
      s('redis_evicted_keys_total', '0+10x15'),
      s('redis_instance_info', '1x15', { ...INFO_MASTER, maxmemory_policy: 'allkeys-lru' }),
    ],
    checks: [{ at: '12m', expect: silent }],
  },
];

// ── performance ──────────────────────────────────────────────────────────────────────────────────────────
const missRate: AlertCase[] = [
  {
    alert: 'RedisCacheMissRateHigh',
    name: 'fires after 15m at 40% misses and 10 lookups/s',
    series: [s('redis_keyspace_hits_total', '0+360x30'), s('redis_keyspace_misses_total', '0+240x30')],
    checks: [
      { at: '10m', expect: silent },
      {
        at: '20m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 cache miss rate is high',
            '40% of key lookups on redis-1:6379 miss (threshold 20%, judged only above 1 lookups per second).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisCacheMissRateHigh',
    name: 'silent on an idle instance (0/0 is NaN)',
    trap: 'idle',
    series: [s('redis_keyspace_hits_total', '0x30'), s('redis_keyspace_misses_total', '0x30')],
    checks: [{ at: '20m', expect: silent }],
  },
  {
    alert: 'RedisCacheMissRateHigh',
    name: 'silent at 80% misses on a low-traffic instance (0.5 lookups/s)',
    trap: 'low-traffic',
    series: [s('redis_keyspace_hits_total', '0+6x30'), s('redis_keyspace_misses_total', '0+24x30')],
    checks: [{ at: '20m', expect: silent }],
  },
  {
    alert: 'RedisCacheMissRateHigh',
    name: 'silent at 10% misses',
    series: [s('redis_keyspace_hits_total', '0+540x30'), s('redis_keyspace_misses_total', '0+60x30')],
    checks: [{ at: '20m', expect: silent }],
  },
];

const expensive: AlertCase[] = [
  {
    alert: 'RedisExpensiveCommands',
    name: 'fires while 10 slow commands a minute are logged',
    series: [s('redis_slowlog_last_id', '100+10x20'), s('redis_slowlog_length', '128x20')],
    checks: [
      {
        at: '15m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 is logging slow commands',
            'About 50 commands slower than slowlog-log-slower-than were logged on redis-1:6379 in the last 5m.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisExpensiveCommands',
    name: 'silent with a slowlog full at slowlog-max-len (128) that never falls, when no new entry is logged',
    trap: 'capped-slowlog',
    series: [s('redis_slowlog_last_id', '1973x20'), s('redis_slowlog_length', '128x20')],
    checks: [{ at: '15m', expect: silent }],
  },
  {
    alert: 'RedisExpensiveCommands',
    name: 'silent after SLOWLOG RESET (the exporter reports id 0 for an empty log, then the ids go on)',
    trap: 'slowlog-reset',
    series: [s('redis_slowlog_last_id', '1973x5 0 0 1974x13'), s('redis_slowlog_length', '128x5 0 0 1x13')],
    checks: ['8m', '10m', '12m', '14m'].map((at) => ({ at, expect: silent })),
  },
];

// ── clients ──────────────────────────────────────────────────────────────────────────────────────────────
const clientsHigh: AlertCase[] = [
  {
    alert: 'RedisConnectedClientsHigh',
    name: 'fires above the absolute threshold (1500 > 1000)',
    series: [
      s('redis_connected_clients', '1500x10'),
      s('redis_config_maxclients', '10000x10'),
      s('redis_max_clients', '10000x10'),
    ],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 has many client connections',
            '1500 clients are connected to redis-1:6379 (threshold: more than 1000, or 85% of maxclients).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisConnectedClientsHigh',
    name: 'CONFIG blocked: 900 of maxclients 1000 from INFO (redis_max_clients) fires',
    trap: 'config-blocked',
    series: [s('redis_connected_clients', '900x10'), s('redis_max_clients', '1000x10')],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis redis-1:6379 has many client connections',
            '900 clients are connected to redis-1:6379 (threshold: more than 1000, or 85% of maxclients).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisConnectedClientsHigh',
    name: 'silent at 900 clients of maxclients 10000',
    series: [
      s('redis_connected_clients', '900x10'),
      s('redis_config_maxclients', '10000x10'),
      s('redis_max_clients', '10000x10'),
    ],
    checks: [{ at: '10m', expect: silent }],
  },
];

const rejected: AlertCase[] = [
  {
    alert: 'RedisRejectedConnections',
    name: 'fires while connections are rejected',
    series: [s('redis_rejected_connections_total', '0+3x10')],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { severity: 'critical' },
            'Redis redis-1:6379 rejects connections',
            'Redis on redis-1:6379 rejected about 15 connections in the last 5m: maxclients is reached.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisRejectedConnections',
    name: 'silent when the counter resets with a restart',
    trap: 'counter-reset',
    series: [s('redis_rejected_connections_total', '40x5 0x5')],
    checks: [
      { at: '7m', expect: silent },
      { at: '10m', expect: silent },
    ],
  },
];

// ── replication ──────────────────────────────────────────────────────────────────────────────────────────
const LINK = { master_host: '10.0.0.1', master_port: '6379' };
const REPLICA = { job: JOB, instance: 'redis-2:6379' };
const masterLinkDown: AlertCase[] = [
  {
    alert: 'RedisMasterLinkDown',
    name: 'fires on a replica whose link has been down for 5m',
    series: [{ series: sel('redis_master_link_up', LINK, REPLICA), values: '1 1 0x10' }],
    checks: [
      { at: '5m', expect: silent },
      {
        at: '10m',
        expect: [
          {
            labels: { ...REPLICA, ...LINK, severity: 'critical' },
            annotations: {
              summary: 'Replica redis-2:6379 lost its master',
              description:
                'The replication link of redis-2:6379 to its master 10.0.0.1:6379 has been down for more than 5 minutes; the replica serves stale data.',
            },
          },
        ],
      },
    ],
  },
  {
    alert: 'RedisMasterLinkDown',
    name: 'silent during a short full resync',
    series: [{ series: sel('redis_master_link_up', LINK, REPLICA), values: '1 1 0 0 0 1x10' }],
    checks: [{ at: '10m', expect: silent }],
  },
  {
    alert: 'RedisMasterLinkDown',
    name: 'silent on a master (it has no master link)',
    trap: 'master',
    series: [s('redis_connected_slaves', '1x10'), s('redis_instance_info', '1x10', INFO_MASTER)],
    checks: [{ at: '10m', expect: silent }],
  },
  {
    alert: 'RedisMasterLinkDown',
    name: 'silent on a standalone instance',
    trap: 'standalone',
    series: [s('redis_connected_slaves', '0x10'), s('redis_instance_info', '1x10', INFO_MASTER)],
    checks: [{ at: '10m', expect: silent }],
  },
];

const replicationBroken: AlertCase[] = [
  {
    alert: 'RedisReplicationBroken',
    name: 'fires on a master that had 2 replicas and has 1',
    trap: 'master',
    series: [s('redis_connected_slaves', '2x10 1x10'), s('redis_instance_info', '1x20', INFO_MASTER)],
    checks: [
      { at: '12m', expect: silent },
      {
        at: '15m',
        expect: [
          fire(
            { severity: 'critical' },
            'Redis master redis-1:6379 lost a replica',
            'Master redis-1:6379 has 1 connected replicas, fewer than it had in the last 1h.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisReplicationBroken',
    name: 'silent on a demoted master that is a replica now (failover)',
    trap: 'replica',
    series: [
      s('redis_connected_slaves', '1x10 0x10'),
      s('redis_instance_info', '1x10 stale', INFO_MASTER),
      s('redis_instance_info', '_x11 1x9', { ...INFO_MASTER, role: 'slave' }),
    ],
    checks: [{ at: '15m', expect: silent }],
  },
  {
    alert: 'RedisReplicationBroken',
    name: 'silent on a standalone master that never had replicas',
    trap: 'standalone',
    series: [s('redis_connected_slaves', '0x20'), s('redis_instance_info', '1x20', INFO_MASTER)],
    checks: [{ at: '15m', expect: silent }],
  },
];

const ONLINE = { slave_ip: '10.0.0.2', slave_port: '6379', slave_state: 'online' };
const replicationLag: AlertCase[] = [
  {
    alert: 'RedisReplicationLag',
    name: 'fires when an online replica has not acknowledged for 30s, for 5m',
    series: [s('redis_connected_slave_lag_seconds', '30x10', ONLINE)],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { ...ONLINE, severity: 'warning' },
            'Replica 10.0.0.2:6379 of redis-1:6379 lags',
            'Replica 10.0.0.2:6379 of master redis-1:6379 last acknowledged 30s ago (threshold 10s): reads from it are stale.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisReplicationLag',
    name: 'silent while a replica is still in its initial sync',
    trap: 'initial-sync',
    series: [s('redis_connected_slave_lag_seconds', '120x10', { ...ONLINE, slave_state: 'wait_bgsave' })],
    checks: [{ at: '10m', expect: silent }],
  },
  {
    alert: 'RedisReplicationLag',
    name: 'silent with a healthy replica (lag 1s)',
    series: [s('redis_connected_slave_lag_seconds', '1x10', ONLINE)],
    checks: [{ at: '10m', expect: silent }],
  },
];

// ── persistence ──────────────────────────────────────────────────────────────────────────────────────────
function statusCases(
  alert: string,
  metric: string,
  severity: string,
  summary: string,
  description: string,
  noPersistence: SeriesInput[],
): AlertCase[] {
  return [
    {
      alert,
      name: `fires when ${metric} reports err`,
      series: [s(metric, '1 1 0x8')],
      checks: [{ at: '5m', expect: [fire({ severity }, summary, description)] }],
    },
    {
      alert,
      name: 'silent on a cache without persistence (status stays ok)',
      trap: 'no-persistence',
      series: [s(metric, '1x10'), ...noPersistence],
      checks: [{ at: '5m', expect: silent }],
    },
  ];
}

const persistence: AlertCase[] = [
  ...statusCases(
    'RedisRdbSaveFailed',
    'redis_rdb_last_bgsave_status',
    'critical',
    'Redis redis-1:6379 failed to write its RDB snapshot',
    'The last BGSAVE on redis-1:6379 failed: with stop-writes-on-bgsave-error (the default) Redis now refuses writes with MISCONF.',
    [s('redis_rdb_changes_since_last_save', '0+500x10'), s('redis_rdb_saves_total', '0x10')],
  ),
  ...statusCases(
    'RedisAofWriteFailed',
    'redis_aof_last_write_status',
    'critical',
    'Redis redis-1:6379 cannot write its AOF',
    'The last write to the append-only file on redis-1:6379 failed: Redis refuses writes until the AOF can be written again.',
    [s('redis_aof_enabled', '0x10')],
  ),
  ...statusCases(
    'RedisAofRewriteFailed',
    'redis_aof_last_bgrewrite_status',
    'warning',
    'Redis redis-1:6379 failed to rewrite its AOF',
    'The last AOF rewrite (BGREWRITEAOF) on redis-1:6379 failed: the AOF keeps growing and restarts get slower.',
    [s('redis_aof_enabled', '0x10')],
  ),
];

// ── cluster ──────────────────────────────────────────────────────────────────────────────────────────────
const STANDALONE = [
  s('redis_up', '1x10'),
  s('redis_instance_info', '1x10', { ...INFO_MASTER, redis_mode: 'standalone' }),
];
const cluster: AlertCase[] = [
  {
    alert: 'RedisClusterStateNotOk',
    name: 'fires when cluster_state has been fail for 5m',
    series: [s('redis_cluster_state', '1 1 0x10')],
    checks: [
      { at: '5m', expect: silent },
      {
        at: '10m',
        expect: [
          fire(
            { severity: 'critical' },
            'Redis Cluster state is fail on redis-1:6379',
            'CLUSTER INFO on redis-1:6379 reports cluster_state:fail: the node stops serving queries (slots uncovered or no quorum).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisClusterStateNotOk',
    name: 'silent on a standalone instance (no redis_cluster_* metrics)',
    trap: 'not-cluster',
    series: STANDALONE,
    checks: [{ at: '10m', expect: silent }],
  },
  {
    alert: 'RedisClusterSlotsFail',
    name: 'fires when slots have been failing for 5m',
    series: [s('redis_cluster_slots_fail', '0 0 16x10')],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { severity: 'warning' },
            'Redis Cluster has failed slots on redis-1:6379',
            '16 hash slots are in FAIL state as seen from redis-1:6379: keys in them cannot be served.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisClusterSlotsFail',
    name: 'silent on a standalone instance',
    trap: 'not-cluster',
    series: STANDALONE,
    checks: [{ at: '10m', expect: silent }],
  },
];

// ── security ─────────────────────────────────────────────────────────────────────────────────────────────
const RS001 = { check: 'RS001', severity: 'critical', category: 'authentication' };
const security: AlertCase[] = [
  {
    alert: 'RedisSecurityCriticalCheckFailing',
    name: 'fires when a critical check fails',
    series: [s('redis_security_check_status', '1x5', RS001)],
    checks: [
      {
        at: '2m',
        expect: [
          fire(
            RS001,
            'Critical security check RS001 fails on redis-1:6379',
            'The redoubt security audit of redis-1:6379 reports check RS001 (authentication) failing with severity critical.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisSecurityCriticalCheckFailing',
    name: 'silent when a critical check is unknown (-1: the exporter user may not see it)',
    trap: 'unknown-check',
    series: [s('redis_security_check_status', '-1x5', RS001)],
    checks: [{ at: '2m', expect: silent }],
  },
  {
    alert: 'RedisSecurityCriticalCheckFailing',
    name: 'silent when only a high check fails, or the critical one passes',
    series: [
      s('redis_security_check_status', '1x5', { check: 'RS009', severity: 'high', category: 'network' }),
      s('redis_security_check_status', '0x5', RS001),
    ],
    checks: [{ at: '2m', expect: silent }],
  },
  {
    alert: 'RedisAuthFailuresRising',
    name: 'fires at 25 failed AUTH attempts in 5m',
    series: [s('redis_security_auth_failures_total', '0+5x10')],
    checks: [
      {
        at: '10m',
        expect: [
          fire(
            { severity: 'warning' },
            'Failed Redis logins on redis-1:6379',
            'About 25 AUTH attempts failed on redis-1:6379 in the last 5m (threshold 10): a client with a wrong password, or someone guessing.',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisAuthFailuresRising',
    name: 'silent when the counter resets with a restart',
    trap: 'counter-reset',
    series: [s('redis_security_auth_failures_total', '300x5 0x5')],
    checks: [
      { at: '7m', expect: silent },
      { at: '10m', expect: silent },
    ],
  },
  {
    alert: 'RedisAuthFailuresRising',
    name: 'silent with an occasional typo (1 a minute)',
    trap: 'low-traffic',
    series: [s('redis_security_auth_failures_total', '0+1x10')],
    checks: [{ at: '10m', expect: silent }],
  },
  {
    alert: 'RedisProtectedModeDisabled',
    name: 'fires when protected-mode goes from on to off, until the lookback passes',
    interval: '1h',
    series: [s('redis_security_config_value', '1 1 0x30', { param: 'protected-mode' })],
    checks: [
      { at: '1h', expect: silent },
      {
        at: '3h',
        expect: [
          fire(
            { param: 'protected-mode', severity: 'critical' },
            'protected-mode was switched off on redis-1:6379',
            'protected-mode on redis-1:6379 was on within the last 24h and is off now: someone ran CONFIG SET protected-mode no or restarted Redis with it off.',
          ),
        ],
      },
      { at: '27h', expect: silent },
    ],
  },
  {
    alert: 'RedisProtectedModeDisabled',
    name: 'silent on an instance configured with protected-mode no from the start (an audit finding, not a change)',
    trap: 'configured-off',
    series: [s('redis_security_config_value', '0x20', { param: 'protected-mode' })],
    checks: [{ at: '15m', expect: silent }],
  },
  {
    alert: 'RedisProtectedModeDisabled',
    name: 'silent when CONFIG is blocked (no redis_security_config_value)',
    trap: 'config-blocked',
    series: [s('redis_up', '1x20'), s('redis_security_auth_failures_total', '0x20')],
    checks: [{ at: '15m', expect: silent }],
  },
];

// ── backups (by source: redoubt up's schedule, or a textfile collector's redoubt backup --metrics-file) ─────
const UP_SOURCE = { job: 'redoubt', source: 'redis://redis-1:6379' };
const TEXTFILE_SOURCE = { job: 'node', instance: 'backup-host:9100', source: 'redis://redis-1:6379' };

function backupSeries(name: string, values: string, source: Record<string, string> = UP_SOURCE): SeriesInput {
  return { series: sel(name, {}, source), values };
}

function backupAlert(source: Record<string, string>, summary: string, description: string): ExpectedAlert {
  return { labels: { ...source, severity: 'warning' }, annotations: { summary, description } };
}

const STALE_SUMMARY = 'No recent backup of redis://redis-1:6379';
// A function, not a shared object: the YAML renderer would write a shared one as an anchor and aliases.
const failed = (): ExpectedAlert =>
  backupAlert(
    UP_SOURCE,
    'A backup of redis://redis-1:6379 failed',
    'A backup of redis://redis-1:6379 failed within the last 1h; nothing was kept from it (older backups are untouched).',
  );

const backups: AlertCase[] = [
  {
    alert: 'RedisBackupStale',
    name: 'fires when the last success is older than twice the schedule up reports (1h)',
    interval: '10m',
    series: [
      backupSeries('redoubt_backup_last_success_timestamp_seconds', '0x30'),
      backupSeries('redoubt_backup_interval_seconds', '3600x30'),
    ],
    checks: [
      { at: '1h50m', expect: silent },
      {
        at: '2h10m',
        expect: [
          backupAlert(
            UP_SOURCE,
            STALE_SUMMARY,
            'The last backup of redis://redis-1:6379 was kept 2h 10m 0s ago: more than twice its schedule (26h when the schedule is not known).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisBackupStale',
    name: 'a textfile collector gives no schedule: fires after 26h',
    trap: 'no-schedule',
    interval: '1h',
    series: [backupSeries('redoubt_backup_last_success_timestamp_seconds', '0x30', TEXTFILE_SOURCE)],
    checks: [
      { at: '25h', expect: silent },
      {
        at: '27h',
        expect: [
          backupAlert(
            TEXTFILE_SOURCE,
            STALE_SUMMARY,
            'The last backup of redis://redis-1:6379 was kept 1d 3h 0m 0s ago: more than twice its schedule (26h when the schedule is not known).',
          ),
        ],
      },
    ],
  },
  {
    alert: 'RedisBackupStale',
    name: 'silent while every scheduled backup succeeds',
    interval: '10m',
    series: [
      backupSeries('redoubt_backup_last_success_timestamp_seconds', '0+600x30'),
      backupSeries('redoubt_backup_interval_seconds', '600x30'),
    ],
    checks: [{ at: '4h', expect: silent }],
  },
  {
    alert: 'RedisBackupFailed',
    name: 'fires when the failure counter grows, for the next hour',
    series: [backupSeries('redoubt_backup_failures_total', '0 0 0 1x100')],
    checks: [
      { at: '5m', expect: [failed()] },
      { at: '70m', expect: silent },
    ],
  },
  {
    alert: 'RedisBackupFailed',
    name: "fires when a cron job's first run fails (the series starts at 1)",
    trap: 'new-series',
    series: [backupSeries('redoubt_backup_failures_total', '_x5 1x100')],
    checks: [
      { at: '10m', expect: [failed()] },
      { at: '80m', expect: silent },
    ],
  },
  {
    alert: 'RedisBackupFailed',
    name: 'silent when redoubt up restarts (the counter resets)',
    trap: 'counter-reset',
    series: [backupSeries('redoubt_backup_failures_total', '2x70 0x30')],
    checks: [{ at: '80m', expect: silent }],
  },
];

/** Every case, grouped by alert in catalogue order. */
export const ALERT_CASES: readonly AlertCase[] = [
  ...redisDown,
  ...targetMissing,
  ...targetDisappeared,
  ...restarted,
  ...memoryTiers,
  ...maxmemoryNotSet,
  ...fragmentation,
  ...oom,
  ...evicted,
  ...missRate,
  ...expensive,
  ...clientsHigh,
  ...rejected,
  ...masterLinkDown,
  ...replicationBroken,
  ...replicationLag,
  ...persistence,
  ...backups,
  ...cluster,
  ...security,
];
