import type { Labels } from '../../src/promql/types.ts';

/**
 * Deterministic series for the PromQL differential test: every metric the catalogue's rules and panels select,
 * for three instances, plus a classic histogram and a gauge with NaNs. Counters grow with resets, 0/1 gauges
 * flip, one instance stops after two hours (its series end), one starts late, one scrapes with jitter.
 * Timestamps are whole seconds so that OpenMetrics' float seconds convert to the same milliseconds.
 */

export interface GeneratedSeries {
  labels: Labels;
  t: number[];
  v: number[];
}

/** An hour boundary in November 2023: the data is old on purpose (retention is set to cover it). */
export const DATA_START = 1_699_999_200_000;
export const DATA_HOURS = 3;
export const DATA_END = DATA_START + DATA_HOURS * 3_600_000;
export const SCRAPE_MS = 15_000;
export const JOB = 'redis';
export const INSTANCES = ['r1:6379', 'r2:6379', 'r3:6379'] as const;

/** mulberry32: a small seeded PRNG so every run generates the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'counter' | 'gauge' | 'bool' | 'tristate' | 'timestamp';

const COUNTERS = /(_total|_last_id|_uptime_in_seconds|_resyncs_full|_repl_offset|_offset_bytes)$/;
const BOOLS = /(_up|_status|_state|_enabled|info)$/;

function kindOf(name: string): Kind {
  if (name === 'redis_rdb_last_save_timestamp_seconds') return 'timestamp';
  if (name === 'redis_security_check_status') return 'tristate'; // 1 fail, 0 pass, -1 unknown
  if (name === 'up' || name === 'redis_security_config_value') return 'bool';
  if (COUNTERS.test(name)) return 'counter';
  if (BOOLS.test(name)) return 'bool';
  return 'gauge';
}

/** Extra label sets per metric (besides job and instance), as the exporter emits them. */
const DIMENSIONS: Record<string, Labels[]> = {
  redis_commands_total: [{ cmd: 'get' }, { cmd: 'set' }, { cmd: 'hgetall' }],
  redis_commands_duration_seconds_total: [{ cmd: 'get' }, { cmd: 'set' }, { cmd: 'hgetall' }],
  redis_errors_total: [{ err: 'OOM' }, { err: 'ERR' }],
  redis_db_keys: [{ db: 'db0' }, { db: 'db1' }],
  redis_db_keys_expiring: [{ db: 'db0' }, { db: 'db1' }],
  redis_connected_slave_lag_seconds: [
    { slave_ip: '10.0.0.2', slave_port: '6380', slave_state: 'online' },
    { slave_ip: '10.0.0.3', slave_port: '6380', slave_state: 'wait_bgsave' },
  ],
  redis_connected_slave_offset_bytes: [
    { slave_ip: '10.0.0.2', slave_port: '6380' },
    { slave_ip: '10.0.0.3', slave_port: '6380' },
  ],
  redis_latency_percentiles_usec: [
    { cmd: 'get', quantile: '50' },
    { cmd: 'get', quantile: '99' },
    { cmd: 'set', quantile: '99' },
  ],
  redis_security_config_value: [{ param: 'protected-mode' }, { param: 'maxclients' }],
  redis_security_check_status: [
    { check: 'auth', severity: 'critical' },
    { check: 'tls', severity: 'high' },
  ],
  redis_security_findings: [
    { severity: 'critical' },
    { severity: 'high' },
    { severity: 'medium' },
    { severity: 'low' },
  ],
};

function instanceInfo(i: number): Labels {
  return [
    { role: 'master', maxmemory_policy: 'allkeys-lru' },
    { role: 'master', maxmemory_policy: 'noeviction' },
    { role: 'slave', maxmemory_policy: 'noeviction' },
  ][i] as Labels;
}

/** Sample times of one instance: r1 on the grid, r2 with a phase and jitter, r3 stopping after two hours. */
function timesOf(instance: number, rand: () => number, lateStart: boolean): number[] {
  const out: number[] = [];
  const start = DATA_START + (lateStart ? 30 * 60_000 : 0);
  const end = instance === 2 ? DATA_START + 2 * 3_600_000 : DATA_END;
  for (let t = start; t <= end; t += SCRAPE_MS) {
    if (instance === 1) out.push(t + 7000 + Math.floor(rand() * 3) * 1000);
    else out.push(t);
  }
  return out;
}

function values(kind: Kind, n: number, rand: () => number, scale: number, withNaN: boolean): number[] {
  const out: number[] = [];
  let v = kind === 'counter' ? Math.floor(rand() * 1000 * scale) : Math.round(rand() * 100 * scale);
  for (let i = 0; i < n; i++) {
    if (kind === 'counter') {
      v = rand() < 0.01 ? Math.floor(rand() * 10 * scale) : v + Math.floor(rand() * 20 * scale);
    } else if (kind === 'bool') {
      if (rand() < 0.03) v = v === 1 ? 0 : 1;
      if (i === 0) v = rand() < 0.7 ? 1 : 0;
    } else if (kind === 'tristate') {
      if (i === 0 || rand() < 0.03) v = Math.floor(rand() * 3) - 1;
    } else if (kind === 'timestamp') {
      v = Math.floor(DATA_START / 1000) + Math.floor(i / 40) * 600;
    } else {
      v = Math.max(0, v + (rand() - 0.5) * 10 * scale);
      v = Math.round(v * 1000) / 1000;
    }
    out.push(withNaN && rand() < 0.05 ? Number.NaN : v);
  }
  return out;
}

/** Every series of the differential test. `names` are the catalogue's metric names. */
export function generateSeries(names: readonly string[]): GeneratedSeries[] {
  const rand = prng(20231114);
  const out: GeneratedSeries[] = [];
  const add = (name: string, kind: Kind, scale: number, extra: Labels, withNaN = false) => {
    INSTANCES.forEach((instance, i) => {
      if (name === 'redis_cluster_state' && i === 0) return; // not every instance is in a cluster
      const info = name === 'redis_instance_info' ? instanceInfo(i) : {};
      const lateStart = name === 'redis_memory_max_bytes' && i === 0;
      const t = timesOf(i, rand, lateStart);
      const labels = { __name__: name, job: JOB, instance, ...info, ...extra };
      out.push({ labels, t, v: values(kind, t.length, rand, scale, withNaN) });
    });
  };
  for (const name of names) {
    // RSS well above used memory on some samples, so the fragmentation rule has something to find.
    const scale = name === 'redis_memory_used_rss_bytes' ? 3e6 : name.includes('bytes') ? 1e6 : 1;
    for (const extra of DIMENSIONS[name] ?? [{}]) add(name, kindOf(name), scale, extra);
  }
  // The series of the hand-written expressions draw from their own sequence: a catalogue metric added or removed
  // above does not change their data (a tie that Prometheus breaks in its own order could otherwise appear).
  const fixed = prng(20231115);
  const addFixed = (name: string, kind: Kind, scale: number, extra: Labels, withNaN = false) => {
    INSTANCES.forEach((instance, i) => {
      const t = timesOf(i, fixed, false);
      out.push({
        labels: { __name__: name, job: JOB, instance, ...extra },
        t,
        v: values(kind, t.length, fixed, scale, withNaN),
      });
    });
  };
  addFixed('test_nan_gauge', 'gauge', 1, {}, true);
  addHistogram(out, fixed);
  return out;
}

const BUCKETS = ['0.005', '0.01', '0.1', '1', '10', '+Inf'];

function addHistogram(out: GeneratedSeries[], rand: () => number): void {
  for (const [i, instance] of INSTANCES.entries()) {
    const t = timesOf(i, rand, false);
    const counts = BUCKETS.map(() => [] as number[]);
    const sums: number[] = [];
    const cumulative = BUCKETS.map(() => 0);
    let sum = 0;
    for (let k = 0; k < t.length; k++) {
      const observations = Math.floor(rand() * 20);
      for (let o = 0; o < observations; o++) {
        const x = 10 ** (rand() * 4 - 3);
        sum += x;
        BUCKETS.forEach((le, b) => {
          if (x <= Number(le === '+Inf' ? Number.POSITIVE_INFINITY : le)) cumulative[b] = (cumulative[b] as number) + 1;
        });
      }
      for (let b = 0; b < BUCKETS.length; b++) counts[b]?.push(cumulative[b] as number);
      sums.push(Math.round(sum * 1e6) / 1e6);
    }
    const base = { job: JOB, instance };
    BUCKETS.forEach((le, b) => {
      out.push({
        labels: { __name__: 'test_request_duration_seconds_bucket', ...base, le },
        t,
        v: counts[b] as number[],
      });
    });
    out.push({ labels: { __name__: 'test_request_duration_seconds_sum', ...base }, t, v: sums });
    out.push({
      labels: { __name__: 'test_request_duration_seconds_count', ...base },
      t,
      v: [...(counts[5] as number[])],
    });
  }
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: series grouped by metric name. */
export function toOpenMetrics(series: readonly GeneratedSeries[]): string {
  const byName = new Map<string, GeneratedSeries[]>();
  for (const s of series) {
    const name = s.labels.__name__ as string;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, group] of byName) {
    for (const s of group) {
      const labels = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      for (let i = 0; i < s.t.length; i++) {
        lines.push(`${name}{${labels}} ${formatValue(s.v[i] as number)} ${(s.t[i] as number) / 1000}`);
      }
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
