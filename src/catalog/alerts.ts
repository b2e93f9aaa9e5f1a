/**
 * The alert catalogue: every Redis alert once, as data. Rendered to a Prometheus rule file by render-rules.ts
 * (`monitoring/prometheus/alert.rules`) and, later, evaluated by the embedded monitor. Each rule is written to
 * stay right in the known traps of public Redis rule sets (../shared/research/alerts-dashboards.md §3):
 *
 * - maxmemory 0 (the default): `(redis_memory_max_bytes > 0)` drops the series before the division, so there
 *   is never a +Inf; RedisMaxmemoryNotSet keeps that blind spot visible.
 * - CONFIG blocked (managed Redis): no rule needs `redis_config_*`; memory uses INFO's
 *   `redis_memory_max_bytes`, clients fall back from `redis_config_maxclients` to INFO's `redis_max_clients`.
 * - a scrape that times out or an exporter that is down: `redis_up` goes stale while `up` is 0, so RedisDown
 *   also fires on `up == 0`; in /scrape multi-target mode `up` stays 1 and `redis_up == 0` fires.
 * - idle and low-traffic instances: the miss ratio needs a minimum lookup rate.
 * - a tiny instance with a huge fragmentation ratio: RSS must also exceed used memory by a floor of bytes.
 * - the slowlog length is capped at slowlog-max-len and never falls: ExpensiveCommands counts new slowlog ids.
 * - masters versus replicas: link alerts read replica-only metrics, replica-count alerts apply to masters only.
 *
 * The three memory usage tiers overlap on purpose (at 97% all three fire) and carry a `tier` label, so
 * Alertmanager inhibits the lower ones (see MEMORY_USAGE_TIERS). Exclusive bands would leave gaps while a
 * fast-growing instance waits out the higher tier's `for`.
 */

export type AlertSeverity = 'critical' | 'warning' | 'info';

/** Rule groups, in the order they are rendered. */
export const ALERT_GROUPS = [
  'redis-availability',
  'redis-memory',
  'redis-performance',
  'redis-clients',
  'redis-replication',
  'redis-persistence',
  'redis-cluster',
  'redis-security',
] as const;
export type AlertGroup = (typeof ALERT_GROUPS)[number];

/** Situations where naive Redis rules misfire or stay silent; each rule lists those it handles (test cases too). */
export type AlertTrap =
  | 'maxmemory-0'
  | 'config-blocked'
  | 'scrape-timeout'
  | 'multi-target-up'
  | 'target-down'
  | 'idle'
  | 'low-traffic'
  | 'tiny-instance'
  | 'capped-slowlog'
  | 'slowlog-reset'
  | 'master'
  | 'replica'
  | 'standalone'
  | 'initial-sync'
  | 'counter-reset'
  | 'new-series'
  | 'allkeys-policy'
  | 'not-cluster'
  | 'no-persistence'
  | 'scrape-gap'
  | 'unknown-check'
  | 'configured-off'
  | 'no-schedule';

export interface Alert {
  /** The alertname; unique in the catalogue. */
  name: string;
  group: AlertGroup;
  /** PromQL, built from the thresholds. */
  expr: string;
  /** Prometheus duration the condition must hold before firing ('0m' = at once). */
  for: string;
  severity: AlertSeverity;
  /** Go-template annotation (may use $labels and $value). */
  summary: string;
  /** Go-template annotation (may use $labels and $value). */
  description: string;
  /** What to do, in a sentence or three; static text, no template. */
  runbook: string;
  /** Extra rule labels besides `severity` (e.g. `tier` on the memory ladder). */
  labels?: Readonly<Record<string, string>>;
  /** The traps this rule is written to handle; the promtool cases cover each. */
  guards: readonly AlertTrap[];
}

export interface AlertThresholds {
  /** Regex of the Prometheus job(s) scraping Redis through the exporter; used with `up`. */
  redisJobRegex: string;
  /** Window for rate()/increase() of Redis counters. */
  rateWindow: string;
  /** RedisDown's `for`. */
  downFor: string;
  memoryWarningPercent: number;
  memoryHighPercent: number;
  memoryCriticalPercent: number;
  /** used_memory_rss / used_memory above which memory counts as fragmented. */
  fragmentationRatio: number;
  /** …and RSS must exceed used memory by at least this many bytes (a tiny instance's ratio means nothing). */
  fragmentationMinExcessBytes: number;
  /** Miss ratio misses / (hits + misses), 0–1. */
  missRatio: number;
  /** Keyspace lookups per second below which the miss ratio is not judged. */
  missRatioMinLookupsPerSecond: number;
  /** New slowlog entries per rateWindow above which commands count as expensive. */
  slowlogEntries: number;
  /** Connected clients above this count… */
  connectedClients: number;
  /** …or above this percentage of maxclients. */
  connectedClientsPercentOfMax: number;
  /** Seconds since a replica's last ACK (INFO lag) above which it lags. */
  replicationLagSeconds: number;
  /** How far back RedisReplicationBroken looks for the replica count a master had. */
  replicaLookback: string;
  /** How long a vanished target is reported by RedisTargetDisappeared. */
  targetLookback: string;
  /** Failed AUTH attempts per rateWindow above which RedisAuthFailuresRising fires. */
  authFailures: number;
  /** How long after protected-mode was last seen on a switch-off is still reported. */
  protectedModeLookback: string;
  /** Hours without a kept backup after which RedisBackupStale fires when the schedule is unknown. */
  backupStaleDefaultHours: number;
  /** How long RedisBackupFailed keeps firing after a failed backup. */
  backupFailureWindow: string;
}

export const DEFAULT_ALERT_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({
  redisJobRegex: 'redis.*',
  rateWindow: '5m',
  downFor: '1m',
  memoryWarningPercent: 80,
  memoryHighPercent: 90,
  memoryCriticalPercent: 95,
  fragmentationRatio: 1.5,
  fragmentationMinExcessBytes: 100 * 1024 * 1024,
  missRatio: 0.2,
  missRatioMinLookupsPerSecond: 1,
  slowlogEntries: 5,
  connectedClients: 1000,
  connectedClientsPercentOfMax: 85,
  replicationLagSeconds: 10,
  replicaLookback: '1h',
  targetLookback: '1h',
  authFailures: 10,
  protectedModeLookback: '24h',
  backupStaleDefaultHours: 26,
  backupFailureWindow: '1h',
});

/** The memory usage ladder, lowest tier first: a higher tier firing inhibits the lower ones (equal job, instance). */
export const MEMORY_USAGE_TIERS = [
  'RedisMemoryUsageWarning',
  'RedisMemoryUsageHigh',
  'RedisMemoryUsageCritical',
] as const;

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

/** Thresholds with defaults filled in; throws on values that would render a broken or meaningless rule. */
export function resolveAlertThresholds(overrides: Partial<AlertThresholds> = {}): AlertThresholds {
  const t: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (t as unknown as Record<string, unknown>)[k] = v;
  const problems: string[] = [];
  for (const k of [
    'rateWindow',
    'downFor',
    'replicaLookback',
    'targetLookback',
    'protectedModeLookback',
    'backupFailureWindow',
  ] as const)
    if (typeof t[k] !== 'string' || !DURATION.test(t[k]))
      problems.push(`${k} must be a duration like 5m (got ${t[k]})`);
  for (const [k, v] of Object.entries(t))
    if (typeof DEFAULT_ALERT_THRESHOLDS[k as keyof AlertThresholds] === 'number' && !(Number.isFinite(v) && v >= 0))
      problems.push(`${k} must be a non-negative number (got ${v})`);
  if (!(t.memoryWarningPercent < t.memoryHighPercent && t.memoryHighPercent < t.memoryCriticalPercent))
    problems.push('memory tiers must rise: memoryWarningPercent < memoryHighPercent < memoryCriticalPercent');
  if (t.memoryCriticalPercent > 100) problems.push('memoryCriticalPercent must be at most 100');
  if (t.missRatio > 1) problems.push('missRatio is a ratio between 0 and 1');
  if (t.connectedClientsPercentOfMax > 100) problems.push('connectedClientsPercentOfMax must be at most 100');
  if (typeof t.redisJobRegex !== 'string' || t.redisJobRegex === '') problems.push('redisJobRegex must not be empty');
  if (problems.length > 0) throw new Error(`invalid alert thresholds: ${problems.join('; ')}`);
  return t;
}

/** A PromQL double-quoted string literal. */
function promString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** A number as PromQL and humans read it (no exponent for the values thresholds take). */
function num(n: number): string {
  return String(n);
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 10000) / 100}%`;
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Every alert, thresholds applied, in catalogue (= rendering) order. */
export function buildAlerts(overrides: Partial<AlertThresholds> = {}): Alert[] {
  const t = resolveAlertThresholds(overrides);
  const w = t.rateWindow;
  const up = `up{job=~${promString(t.redisJobRegex)}}`;
  const usage = '100 * redis_memory_used_bytes / (redis_memory_max_bytes > 0)';
  const lookups = `(rate(redis_keyspace_hits_total[${w}]) + rate(redis_keyspace_misses_total[${w}]))`;
  const maxclients = '((redis_config_maxclients > 0) or (redis_max_clients > 0))';
  const inst = '{{ $labels.instance }}';

  const memoryTier = (
    name: (typeof MEMORY_USAGE_TIERS)[number],
    tier: string,
    pct: number,
    forDuration: string,
    severity: AlertSeverity,
    runbook: string,
  ): Alert => ({
    name,
    group: 'redis-memory',
    expr: `${usage} > ${num(pct)}`,
    for: forDuration,
    severity,
    labels: { tier },
    summary: `Redis ${inst} uses more than ${num(pct)}% of maxmemory`,
    description: `Memory used on ${inst} is {{ printf "%.1f" $value }}% of maxmemory (${tier} tier: above ${num(pct)}%).`,
    runbook,
    guards: ['maxmemory-0', 'config-blocked'],
  });

  return [
    // ── availability ────────────────────────────────────────────────────────────────────────────────────
    {
      name: 'RedisDown',
      group: 'redis-availability',
      // redis_up == 0: the exporter answered but could not reach Redis (in /scrape mode `up` stays 1).
      // up == 0: the exporter itself is down, or the scrape timed out; then redis_up is stale, not 0.
      expr: `redis_up == 0\nor on (job, instance)\n${up} == 0`,
      for: t.downFor,
      severity: 'critical',
      summary: `Redis ${inst} is down`,
      description: `Redis at ${inst} (job {{ $labels.job }}) is not reachable: the exporter reports redis_up 0, or Prometheus cannot scrape the exporter (exporter down or scrape timed out).`,
      runbook:
        'Check that redis-server runs and listens (redis-cli -h HOST -p PORT PING), then the exporter logs for the scrape error (auth, TLS, timeout). If the scrape times out, keep the exporter --connection-timeout below the Prometheus scrape_timeout.',
      guards: ['scrape-timeout', 'multi-target-up'],
    },
    {
      name: 'RedisExporterTargetMissing',
      group: 'redis-availability',
      expr: `absent(${up})`,
      for: '5m',
      severity: 'critical',
      summary: 'No Redis exporter target is scraped',
      description: `Prometheus has no target with a job matching ${t.redisJobRegex}: nothing about Redis is monitored and no Redis alert can fire.`,
      runbook:
        'Open Prometheus /targets: check the scrape job name and its service discovery or static targets in prometheus.yml, then reload Prometheus.',
      guards: ['target-down'],
    },
    {
      name: 'RedisTargetDisappeared',
      group: 'redis-availability',
      // A target Prometheus scraped in the lookback is gone from service discovery: `up` is stale, not 0.
      expr: `max_over_time(${up}[${t.targetLookback}])\nunless on (job, instance)\n${up}`,
      for: '5m',
      severity: 'warning',
      summary: `Redis target ${inst} is no longer scraped`,
      description: `Prometheus scraped ${inst} (job {{ $labels.job }}) within the last ${t.targetLookback} but no longer has it as a target.`,
      runbook:
        'If the instance was decommissioned, nothing to do: this resolves by itself. Otherwise check service discovery (DNS, Kubernetes endpoints, file_sd) and the relabelling in prometheus.yml.',
      guards: ['target-down'],
    },
    {
      name: 'RedisInstanceRestarted',
      group: 'redis-availability',
      expr: 'resets(redis_uptime_in_seconds[15m]) > 0',
      for: '0m',
      severity: 'warning',
      summary: `Redis ${inst} restarted`,
      description: `The uptime of ${inst} went back to zero in the last 15 minutes: the process restarted, and without persistence its data is gone.`,
      runbook:
        'Look at the Redis log and the host (OOM killer in dmesg, systemd or container restarts). Check that replicas resynced and that clients reconnected.',
      guards: ['scrape-gap'],
    },

    // ── memory ──────────────────────────────────────────────────────────────────────────────────────────
    memoryTier(
      'RedisMemoryUsageWarning',
      'warning',
      t.memoryWarningPercent,
      '5m',
      'warning',
      'Plan capacity: find the biggest keys (redis-cli --bigkeys / --memkeys), check TTLs on cache keys, and raise maxmemory or scale out before writes start failing.',
    ),
    memoryTier(
      'RedisMemoryUsageHigh',
      'high',
      t.memoryHighPercent,
      '5m',
      'warning',
      'Act soon: with noeviction, writes fail with OOM at 100%; with an eviction policy, keys are evicted. Free memory (expire or delete stale keys) or raise maxmemory.',
    ),
    memoryTier(
      'RedisMemoryUsageCritical',
      'critical',
      t.memoryCriticalPercent,
      '2m',
      'critical',
      'Act now: raise maxmemory (CONFIG SET maxmemory, then persist it), delete or expire keys, or move load away. Check RedisOutOfMemoryErrors and RedisKeysEvicted.',
    ),
    {
      name: 'RedisMaxmemoryNotSet',
      group: 'redis-memory',
      expr: 'redis_memory_max_bytes == 0',
      for: '1h',
      severity: 'info',
      summary: `Redis ${inst} has no maxmemory`,
      description: `maxmemory is 0 on ${inst}: Redis can grow until the host or container runs out of memory, and the memory usage alerts cannot fire.`,
      runbook:
        'Set maxmemory (and a maxmemory-policy) to what the host or container can spare, e.g. with redoubt harden --maxmemory; replicas need it too for after a failover.',
      guards: ['config-blocked'],
    },
    {
      name: 'RedisMemoryFragmentationHigh',
      group: 'redis-memory',
      expr: `redis_memory_used_rss_bytes / (redis_memory_used_bytes > 0) > ${num(t.fragmentationRatio)}\nand\n(redis_memory_used_rss_bytes - redis_memory_used_bytes) > ${num(t.fragmentationMinExcessBytes)}`,
      for: '30m',
      severity: 'warning',
      summary: `Redis ${inst} memory is fragmented`,
      description: `RSS is {{ printf "%.2f" $value }} times the memory Redis uses on ${inst} (threshold ${num(t.fragmentationRatio)}), and more than ${mib(t.fragmentationMinExcessBytes)} of RSS is not data.`,
      runbook:
        'Enable active defragmentation (CONFIG SET activedefrag yes, jemalloc builds) or restart the instance during a quiet period (fail over first on a replicated setup). MEMORY DOCTOR explains the numbers.',
      guards: ['tiny-instance'],
    },
    {
      name: 'RedisOutOfMemoryErrors',
      group: 'redis-memory',
      // errorstat_OOM appears only with the first OOM error: a new series counts as an increase.
      expr: `increase(redis_errors_total{err="OOM"}[${w}]) > 0\nor\n(redis_errors_total{err="OOM"} unless redis_errors_total{err="OOM"} offset ${w})`,
      for: '0m',
      severity: 'critical',
      summary: `Redis ${inst} rejects writes with OOM`,
      description: `Redis on ${inst} answered commands with OOM errors in the last ${w} (about {{ printf "%.0f" $value }}): it is at maxmemory and cannot evict.`,
      runbook:
        'Writes are failing now. Raise maxmemory, delete or expire keys, or switch a pure cache to an allkeys-* eviction policy. INFO errorstats shows the count.',
      guards: ['new-series', 'counter-reset'],
    },
    {
      name: 'RedisKeysEvicted',
      group: 'redis-memory',
      // Under allkeys-* eviction is how the cache works; elsewhere (volatile-*) it means memory pressure.
      expr: `increase(redis_evicted_keys_total[${w}]) > 0\nunless on (job, instance)\nredis_instance_info{maxmemory_policy=~"allkeys-.*"}`,
      for: '5m',
      severity: 'warning',
      summary: `Redis ${inst} is evicting keys`,
      description: `Redis on ${inst} evicted about {{ printf "%.0f" $value }} keys in the last ${w} although its maxmemory-policy is not allkeys-*: keys with a TTL are being dropped early because memory is full.`,
      runbook:
        'Memory is at maxmemory. Raise maxmemory or reduce the data; if the instance is a pure cache, use maxmemory-policy allkeys-lru (or allkeys-lfu) and this alert stays silent.',
      guards: ['allkeys-policy'],
    },

    // ── performance ─────────────────────────────────────────────────────────────────────────────────────
    {
      name: 'RedisCacheMissRateHigh',
      group: 'redis-performance',
      expr: `rate(redis_keyspace_misses_total[${w}]) / ${lookups} > ${num(t.missRatio)}\nand\n${lookups} > ${num(t.missRatioMinLookupsPerSecond)}`,
      for: '15m',
      severity: 'warning',
      summary: `Redis ${inst} cache miss rate is high`,
      description: `{{ $value | humanizePercentage }} of key lookups on ${inst} miss (threshold ${percent(t.missRatio)}, judged only above ${num(t.missRatioMinLookupsPerSecond)} lookups per second).`,
      runbook:
        'Check whether keys expire too early (TTLs), were evicted (RedisKeysEvicted), or whether the application reads keys it never writes. Lookups of absent keys for locks or EXISTS also count as misses.',
      guards: ['idle', 'low-traffic'],
    },
    {
      name: 'RedisExpensiveCommands',
      group: 'redis-performance',
      // slowlog_length is capped at slowlog-max-len and never falls; the id of the newest entry keeps rising
      // (increase() also handles its restart at 0 after a restart). An empty log reads as id 0: after SLOWLOG
      // RESET the ids go on (0 → 1974 is one entry, not 1974), so windows that saw a 0 are not judged.
      expr: `increase(redis_slowlog_last_id[${w}]) > ${num(t.slowlogEntries)}\nunless on (job, instance)\nmin_over_time(redis_slowlog_last_id[${w}]) == 0`,
      for: '5m',
      severity: 'warning',
      summary: `Redis ${inst} is logging slow commands`,
      description: `About {{ printf "%.0f" $value }} commands slower than slowlog-log-slower-than were logged on ${inst} in the last ${w}.`,
      runbook:
        'Run SLOWLOG GET 20 to see the commands: replace KEYS with SCAN, split big HGETALL/SMEMBERS/LRANGE reads, delete big keys with UNLINK, and move long Lua scripts off the hot path.',
      guards: ['capped-slowlog', 'slowlog-reset'],
    },

    // ── clients ─────────────────────────────────────────────────────────────────────────────────────────
    {
      name: 'RedisConnectedClientsHigh',
      group: 'redis-clients',
      expr: `redis_connected_clients > ${num(t.connectedClients)}\nor on (job, instance)\nredis_connected_clients > ${num(t.connectedClientsPercentOfMax / 100)} * ${maxclients}`,
      for: '5m',
      severity: 'warning',
      summary: `Redis ${inst} has many client connections`,
      description: `{{ $value }} clients are connected to ${inst} (threshold: more than ${num(t.connectedClients)}, or ${num(t.connectedClientsPercentOfMax)}% of maxclients).`,
      runbook:
        'Look for connection leaks (CLIENT LIST: many idle connections from one address) and size connection pools; set a client timeout. Raise maxclients only if the file descriptor limit allows.',
      guards: ['config-blocked'],
    },
    {
      name: 'RedisRejectedConnections',
      group: 'redis-clients',
      expr: `increase(redis_rejected_connections_total[${w}]) > 0`,
      for: '0m',
      severity: 'critical',
      summary: `Redis ${inst} rejects connections`,
      description: `Redis on ${inst} rejected about {{ printf "%.0f" $value }} connections in the last ${w}: maxclients is reached.`,
      runbook:
        'Clients cannot connect now. Find who holds the connections (CLIENT LIST), fix pool sizes or leaks, and raise maxclients if the file descriptor limit allows.',
      guards: ['counter-reset'],
    },

    // ── replication ─────────────────────────────────────────────────────────────────────────────────────
    {
      name: 'RedisMasterLinkDown',
      group: 'redis-replication',
      // redis_master_link_up exists on replicas only: masters and standalone instances never match.
      expr: 'redis_master_link_up == 0',
      for: '5m',
      severity: 'critical',
      summary: `Replica ${inst} lost its master`,
      description: `The replication link of ${inst} to its master {{ $labels.master_host }}:{{ $labels.master_port }} has been down for more than 5 minutes; the replica serves stale data.`,
      runbook:
        'Check that the master is up and reachable from the replica, masterauth / the replication user, and the replica log. A full resync that keeps restarting needs a bigger client-output-buffer-limit replica or repl-timeout.',
      guards: ['master', 'standalone'],
    },
    {
      name: 'RedisReplicationBroken',
      group: 'redis-replication',
      // Masters only: after a failover the demoted master (now a replica) has no replicas of its own.
      expr: `redis_connected_slaves < max_over_time(redis_connected_slaves[${t.replicaLookback}])\nand on (job, instance)\nredis_instance_info{role="master"}`,
      for: '2m',
      severity: 'critical',
      summary: `Redis master ${inst} lost a replica`,
      description: `Master ${inst} has {{ $value }} connected replicas, fewer than it had in the last ${t.replicaLookback}.`,
      runbook:
        'Find the missing replica (INFO replication on the master lists the connected ones) and check RedisMasterLinkDown on it. Removed on purpose? This resolves by itself after the lookback.',
      guards: ['replica', 'standalone'],
    },
    {
      name: 'RedisReplicationLag',
      group: 'redis-replication',
      // Online replicas only: during the initial sync `lag` counts from before the transfer.
      expr: `redis_connected_slave_lag_seconds{slave_state="online"} > ${num(t.replicationLagSeconds)}`,
      for: '5m',
      severity: 'warning',
      summary: `Replica {{ $labels.slave_ip }}:{{ $labels.slave_port }} of ${inst} lags`,
      description: `Replica {{ $labels.slave_ip }}:{{ $labels.slave_port }} of master ${inst} last acknowledged {{ $value }}s ago (threshold ${num(t.replicationLagSeconds)}s): reads from it are stale.`,
      runbook:
        'Check the network between master and replica and the load on the replica (slow disk with AOF, big keys, long commands). Reads that need fresh data must go to the master meanwhile.',
      guards: ['initial-sync'],
    },

    // ── persistence ─────────────────────────────────────────────────────────────────────────────────────
    {
      name: 'RedisRdbSaveFailed',
      group: 'redis-persistence',
      expr: 'redis_rdb_last_bgsave_status == 0',
      for: '0m',
      severity: 'critical',
      summary: `Redis ${inst} failed to write its RDB snapshot`,
      description: `The last BGSAVE on ${inst} failed: with stop-writes-on-bgsave-error (the default) Redis now refuses writes with MISCONF.`,
      runbook:
        'Read the Redis log for the reason: disk full, permissions on dir, or fork failing (vm.overcommit_memory=1, memory). Fix it and run BGSAVE; writes resume after a successful save.',
      guards: ['no-persistence'],
    },
    {
      name: 'RedisAofWriteFailed',
      group: 'redis-persistence',
      expr: 'redis_aof_last_write_status == 0',
      for: '0m',
      severity: 'critical',
      summary: `Redis ${inst} cannot write its AOF`,
      description: `The last write to the append-only file on ${inst} failed: Redis refuses writes until the AOF can be written again.`,
      runbook: 'Check the disk (space, I/O errors, permissions on dir / appenddirname) and the Redis log.',
      guards: ['no-persistence'],
    },
    {
      name: 'RedisAofRewriteFailed',
      group: 'redis-persistence',
      expr: 'redis_aof_last_bgrewrite_status == 0',
      for: '0m',
      severity: 'warning',
      summary: `Redis ${inst} failed to rewrite its AOF`,
      description: `The last AOF rewrite (BGREWRITEAOF) on ${inst} failed: the AOF keeps growing and restarts get slower.`,
      runbook:
        'Read the Redis log: disk space for the rewritten file, or fork failing (vm.overcommit_memory=1). Then run BGREWRITEAOF.',
      guards: ['no-persistence'],
    },

    // Backups (redoubt backup --metrics-file through a textfile collector, or redoubt up's schedule): by source.
    {
      name: 'RedisBackupStale',
      group: 'redis-persistence',
      // Twice the schedule redoubt up reports (redoubt_backup_interval_seconds); a source without one (a cron job
      // writing --metrics-file) gets the default, a day and some slack.
      expr: `time() - redoubt_backup_last_success_timestamp_seconds\n> on (job, instance, source)\n(\n  2 * redoubt_backup_interval_seconds\n  or on (job, instance, source)\n  0 * redoubt_backup_last_success_timestamp_seconds + ${num(t.backupStaleDefaultHours * 3600)}\n)`,
      for: '0m',
      severity: 'warning',
      summary: 'No recent backup of {{ $labels.source }}',
      description: `The last backup of {{ $labels.source }} was kept {{ $value | humanizeDuration }} ago: more than twice its schedule (${num(t.backupStaleDefaultHours)}h when the schedule is not known).`,
      runbook:
        'Look at the backup log (redoubt up prints each run; a cron job its own output) and run the backup by hand: redoubt backup --redis URL --out DIR --recipient age1… says what fails (login, PSYNC refused, a transfer cut by client-output-buffer-limit, the disk).',
      guards: ['no-schedule'],
    },
    {
      name: 'RedisBackupFailed',
      group: 'redis-persistence',
      // A series that starts at 1 (the first run of a cron job failed) has no increase: it counts while it is new.
      expr: `increase(redoubt_backup_failures_total[${t.backupFailureWindow}]) > 0\nor\n(redoubt_backup_failures_total > 0 unless redoubt_backup_failures_total offset ${t.backupFailureWindow})`,
      for: '0m',
      severity: 'warning',
      summary: 'A backup of {{ $labels.source }} failed',
      description: `A backup of {{ $labels.source }} failed within the last ${t.backupFailureWindow}; nothing was kept from it (older backups are untouched).`,
      runbook:
        'Read why in the backup log, then run redoubt backup --redis URL by hand. Common causes: a wrong password or a user without PSYNC/REPLCONF (redoubt falls back to a logical backup), a transfer cut by client-output-buffer-limit replica (raise it), a full disk.',
      guards: ['new-series', 'counter-reset'],
    },

    // ── cluster ─────────────────────────────────────────────────────────────────────────────────────────
    {
      name: 'RedisClusterStateNotOk',
      group: 'redis-cluster',
      // redis_cluster_* exist only with cluster-enabled yes: standalone instances never match.
      expr: 'redis_cluster_state == 0',
      for: '5m',
      severity: 'critical',
      summary: `Redis Cluster state is fail on ${inst}`,
      description: `CLUSTER INFO on ${inst} reports cluster_state:fail: the node stops serving queries (slots uncovered or no quorum).`,
      runbook:
        'Run CLUSTER INFO and CLUSTER NODES: look for failed masters without a replica to promote and uncovered slots; restore the failed node or fix slot coverage (redis-cli --cluster fix).',
      guards: ['not-cluster'],
    },
    {
      name: 'RedisClusterSlotsFail',
      group: 'redis-cluster',
      expr: 'redis_cluster_slots_fail > 0',
      for: '5m',
      severity: 'warning',
      summary: `Redis Cluster has failed slots on ${inst}`,
      description: `{{ $value }} hash slots are in FAIL state as seen from ${inst}: keys in them cannot be served.`,
      runbook:
        'Run CLUSTER NODES to find the failed master serving those slots; bring it back or fail over to its replica (CLUSTER FAILOVER on the replica).',
      guards: ['not-cluster'],
    },

    // ── security (posture metrics from redoubt exporter) ───────────────────────────────────────────────
    {
      name: 'RedisSecurityCriticalCheckFailing',
      group: 'redis-security',
      expr: 'redis_security_check_status{severity="critical"} == 1',
      for: '0m',
      severity: 'critical',
      summary: `Critical security check {{ $labels.check }} fails on ${inst}`,
      description: `The redoubt security audit of ${inst} reports check {{ $labels.check }} ({{ $labels.category }}) failing with severity critical.`,
      runbook:
        'Run redoubt audit --redis against the instance for the finding and its fix, or redoubt harden --redis to see the changes; then the check passes on the next audit.',
      guards: ['unknown-check'],
    },
    {
      name: 'RedisAuthFailuresRising',
      group: 'redis-security',
      expr: `increase(redis_security_auth_failures_total[${w}]) > ${num(t.authFailures)}`,
      for: '0m',
      severity: 'warning',
      summary: `Failed Redis logins on ${inst}`,
      description: `About {{ printf "%.0f" $value }} AUTH attempts failed on ${inst} in the last ${w} (threshold ${num(t.authFailures)}): a client with a wrong password, or someone guessing.`,
      runbook:
        'Find the source (CLIENT LIST, ACL LOG shows the user and address of each failure). A deployed client with a stale password: update it. Unknown addresses: block them and check bind / protected-mode.',
      guards: ['counter-reset', 'low-traffic'],
    },
    {
      name: 'RedisProtectedModeDisabled',
      group: 'redis-security',
      // A switch-off (CONFIG SET protected-mode no, as attackers do): on before, off now. An instance
      // configured with protected-mode no from the start is the audit's finding, not a change.
      expr: `redis_security_config_value{param="protected-mode"} == 0\nand on (job, instance)\nmax_over_time(redis_security_config_value{param="protected-mode"}[${t.protectedModeLookback}]) == 1`,
      for: '0m',
      severity: 'critical',
      summary: `protected-mode was switched off on ${inst}`,
      description: `protected-mode on ${inst} was on within the last ${t.protectedModeLookback} and is off now: someone ran CONFIG SET protected-mode no or restarted Redis with it off.`,
      runbook:
        'If nobody on the team did it, treat it as an intrusion: CONFIG SET protected-mode yes, check ACL LOG, CLIENT LIST and the keys and config for changes (CONFIG GET dir / dbfilename), and rotate passwords.',
      guards: ['configured-off', 'config-blocked'],
    },
  ];
}
