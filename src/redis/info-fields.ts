/**
 * Parsers for the structured INFO values (`a=1,b=2` lists): keyspace, commandstats, latencystats, errorstats,
 * connected replicas and Sentinel masters. Pure; each returns undefined for a malformed line, which the caller
 * then drops — redis_exporter's rule too, except where it produced garbage (noted below).
 */
import { parseGoFloat } from '../text/go-format.ts';

/** `a=1,b=2` → Map; a part that is not exactly `key=value` is recorded under `bad`. */
function kvList(value: string): { kv: Map<string, string>; bad: number } {
  const kv = new Map<string, string>();
  let bad = 0;
  for (const part of value.split(',')) {
    const bits = part.split('=');
    if (bits.length !== 2) bad++;
    else if (!kv.has(bits[0])) kv.set(bits[0], bits[1]);
  }
  return { kv, bad };
}

function num(kv: Map<string, string>, key: string): number | undefined {
  const v = kv.get(key);
  return v === undefined ? undefined : parseGoFloat(v);
}

export interface KeyspaceLine {
  keys: number;
  expires: number;
  avgTtlSeconds?: number;
  cachedKeys?: number;
}

/**
 * `db0:keys=1,expires=0,avg_ttl=0[,cached_keys=0]` (cached_keys: KeyDB). Read by key: upstream reads the 4th
 * item positionally, so on Redis 7.4+ it reports `subexpiry` as db_keys_cached; we only use `cached_keys`.
 */
export function parseKeyspace(key: string, value: string): KeyspaceLine | undefined {
  if (!key.startsWith('db')) return undefined;
  const { kv } = kvList(value);
  const keys = num(kv, 'keys');
  const expires = num(kv, 'expires');
  if (keys === undefined || expires === undefined) return undefined;
  const line: KeyspaceLine = { keys, expires };
  if (kv.has('avg_ttl')) {
    const ttl = num(kv, 'avg_ttl');
    if (ttl === undefined) return undefined;
    line.avgTtlSeconds = ttl / 1000;
  }
  if (kv.has('cached_keys')) {
    const cached = num(kv, 'cached_keys');
    if (cached === undefined) return undefined;
    line.cachedKeys = cached;
  }
  return line;
}

export interface CommandStat {
  cmd: string;
  calls: number;
  usec: number;
  /** rejected_calls / failed_calls, Redis 6.2+. */
  rejected?: number;
  failed?: number;
}

/** `cmdstat_get:calls=21,usec=175,usec_per_call=8.33[,rejected_calls=0,failed_calls=0]`. */
export function parseCommandStat(key: string, value: string): CommandStat | undefined {
  if (!key.startsWith('cmdstat_')) return undefined;
  const fast = commandStatShape(key.slice('cmdstat_'.length), value);
  if (fast) return fast;
  const { kv } = kvList(value);
  const calls = num(kv, 'calls');
  const usec = num(kv, 'usec');
  if (calls === undefined || usec === undefined) return undefined;
  const stat: CommandStat = { cmd: key.slice('cmdstat_'.length), calls, usec };
  const rejected = num(kv, 'rejected_calls');
  const failed = num(kv, 'failed_calls');
  if (rejected !== undefined && failed !== undefined) {
    stat.rejected = rejected;
    stat.failed = failed;
  }
  return stat;
}

export interface LatencyStat {
  cmd: string;
  /** [percentile, usec], ascending by percentile (the order client_golang writes quantiles in). */
  quantiles: Array<[number, number]>;
}

/**
 * `latency_percentiles_usec_get:p50=1.003,p99=1.003,p99.9=3.007`. Any malformed item drops the line: an empty
 * key (`=1`) panicked redis_exporter (#1115, fixed by #1119), and an item without `=` made it emit quantile 0.
 */
export function parseLatencyStat(key: string, value: string): LatencyStat | undefined {
  const prefix = 'latency_percentiles_usec_';
  if (!key.startsWith(prefix)) return undefined;
  const fast = latencyStatShape(key.slice(prefix.length), value);
  if (fast) return fast;
  const quantiles: Array<[number, number]> = [];
  for (const part of value.split(',')) {
    const bits = part.split('=');
    if (bits.length !== 2 || bits[0].length < 2) return undefined;
    const p = parseGoFloat(bits[0].slice(1)); // drop the leading "p"
    const v = parseGoFloat(bits[1]);
    if (p === undefined || v === undefined) return undefined;
    quantiles.push([p, v]);
  }
  quantiles.sort((a, b) => a[0] - b[0]);
  return { cmd: key.slice(prefix.length), quantiles };
}

// Scanners for the exact shapes Redis writes, read in place (no regular expression match arrays): commandstats and
// latencystats are the bulk of INFO ALL. Anything else falls through to the general path.

/** End of the run of ASCII digits (with `.` too when dot) at s[i…], or -1 when the run is empty. */
function runEnd(s: string, i: number, dot: boolean): number {
  let j = i;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if ((c < 0x30 || c > 0x39) && (!dot || c !== 0x2e)) break;
  }
  return j > i ? j : -1;
}

/** Number(s.slice(from, to)) for a run of ASCII digits; read in place while every step is exact (< 2^53). */
function digitsValue(s: string, from: number, to: number): number {
  if (to - from > 15) return Number(s.slice(from, to));
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - 0x30);
  return v;
}

/**
 * `calls=(\d+),usec=(\d+),usec_per_call=[0-9.]+(,rejected_calls=(\d+),failed_calls=(\d+))?`, the whole value;
 * undefined for any other shape.
 */
function commandStatShape(cmd: string, v: string): CommandStat | undefined {
  if (!v.startsWith('calls=')) return undefined;
  const calls = runEnd(v, 6, false);
  if (calls < 0 || !v.startsWith(',usec=', calls)) return undefined;
  const usec = runEnd(v, calls + 6, false);
  if (usec < 0 || !v.startsWith(',usec_per_call=', usec)) return undefined;
  const perCall = runEnd(v, usec + 15, true);
  if (perCall < 0) return undefined;
  const stat: CommandStat = { cmd, calls: digitsValue(v, 6, calls), usec: digitsValue(v, calls + 6, usec) };
  if (perCall === v.length) return stat;
  if (!v.startsWith(',rejected_calls=', perCall)) return undefined;
  const rejected = runEnd(v, perCall + 16, false);
  if (rejected < 0 || !v.startsWith(',failed_calls=', rejected)) return undefined;
  const failed = runEnd(v, rejected + 14, false);
  if (failed !== v.length) return undefined;
  stat.rejected = digitsValue(v, perCall + 16, rejected);
  stat.failed = digitsValue(v, rejected + 14, failed);
  return stat;
}

/** `p50=([0-9.]+),p99=([0-9.]+),p99.9=([0-9.]+)`, the whole value; undefined for any other shape. */
function latencyStatShape(cmd: string, v: string): LatencyStat | undefined {
  if (!v.startsWith('p50=')) return undefined;
  const p50 = runEnd(v, 4, true);
  if (p50 < 0 || !v.startsWith(',p99=', p50)) return undefined;
  const p99 = runEnd(v, p50 + 5, true);
  if (p99 < 0 || !v.startsWith(',p99.9=', p99)) return undefined;
  const p999 = runEnd(v, p99 + 7, true);
  if (p999 !== v.length) return undefined;
  // Number(), as ever: a run like `1.2.3` is NaN, which the exporter has always passed on.
  return {
    cmd,
    quantiles: [
      [50, Number(v.slice(4, p50))],
      [99, Number(v.slice(p50 + 5, p99))],
      [99.9, Number(v.slice(p99 + 7, p999))],
    ],
  };
}

/** `errorstat_ERR:count=4` → { err: 'ERR', count: 4 }. */
export function parseErrorStat(key: string, value: string): { err: string; count: number } | undefined {
  if (!key.startsWith('errorstat_')) return undefined;
  const { kv, bad } = kvList(value);
  const count = num(kv, 'count');
  if (bad > 0 || count === undefined) return undefined;
  return { err: key.slice('errorstat_'.length), count };
}

export interface ConnectedReplica {
  ip: string;
  port: string;
  state: string;
  offset: number;
  /** Absent before Redis 3.0. */
  lag?: number;
}

/** `slave0:ip=10.0.0.1,port=6379,state=online,offset=1751844676,lag=0` (on a master). */
export function parseConnectedReplica(key: string, value: string): ConnectedReplica | undefined {
  if (!/^slave\d+/.test(key)) return undefined;
  const { kv, bad } = kvList(value);
  if (bad > 0) return undefined;
  const offset = num(kv, 'offset');
  if (offset === undefined) return undefined;
  const replica: ConnectedReplica = {
    ip: kv.get('ip') ?? '',
    port: kv.get('port') ?? '',
    state: kv.get('state') ?? '',
    offset,
  };
  if (kv.has('lag')) {
    const lag = num(kv, 'lag');
    if (lag === undefined) return undefined;
    replica.lag = lag;
  }
  return replica;
}

export interface SentinelMaster {
  name: string;
  status: string;
  address: string;
  slaves: number;
  sentinels: number;
}

/** `master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=1,sentinels=3` (INFO on a Sentinel). */
export function parseSentinelMaster(key: string, value: string): SentinelMaster | undefined {
  if (!/^master\d+/.test(key)) return undefined;
  const { kv } = kvList(value); // upstream skips malformed items here rather than the whole line
  const slaves = num(kv, 'slaves');
  const sentinels = num(kv, 'sentinels');
  if (slaves === undefined || sentinels === undefined) return undefined;
  return {
    name: kv.get('name') ?? '',
    status: kv.get('status') ?? '',
    address: kv.get('address') ?? '',
    slaves,
    sentinels,
  };
}
