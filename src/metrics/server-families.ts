/**
 * Families from the non-INFO commands of a scrape — CONFIG GET, SLOWLOG, LATENCY LATEST / HISTOGRAM — with
 * redis_exporter HEAD's names, types and labels (exporter/exporter.go extractConfigMetrics, slowlog.go,
 * latency.go). Each tolerates its snapshot part being absent (command blocked, renamed or unsupported).
 */
import type { Snapshot } from '../redis/snapshot.ts';
import { formatGoFloat, parseGoFloat } from '../text/go-format.ts';
import { type FamilyBuilder, NO_LABELS } from './family.ts';
import { forEachCommandStat, snapshotInfo } from './info.ts';

const HELP: Record<string, string> = {
  config_client_output_buffer_limit_bytes: 'The configured buffer limits per class',
  config_client_output_buffer_limit_overcome_seconds:
    'How long for buffer limits per class to be exceeded before replicas are dropped',
  slowlog_length: 'Total slowlog',
  slowlog_last_id: 'Last id of slowlog',
  last_slow_execution_duration_seconds: 'The amount of time needed for last slow execution, in seconds',
  latency_spike_last: 'When the latency spike last occurred',
  latency_spike_duration_seconds: 'Length of the last latency spike in seconds',
  commands_latencies_usec: 'A histogram of latencies per command',
};
const help = (name: string) => (Object.hasOwn(HELP, name) ? HELP[name] : `${name} metric`);

/**
 * CONFIG-derived gauges, config key → INFO field that holds the same setting. When CONFIG is blocked
 * (managed Redis, #905) upstream emits none of these; we fall back to INFO where INFO has the value.
 * `max_clients` itself comes from INFO (maxclients) via the INFO tables, as upstream.
 */
const CONFIG_GAUGES: Array<[configKey: string, infoField: string | undefined, name: string]> = (
  [
    ['maxmemory', 'maxmemory'],
    ['maxclients', 'maxclients'],
    ['io-threads', undefined], // INFO only has io_threads_active (a flag, not the count)
    ['repl-backlog-size', 'repl_backlog_size'], // config_repl_backlog_size: HEAD only, not in 1.45
  ] as const
).map(([key, field]) => [key, field, `config_${key.replaceAll('-', '_')}`]);

/** config_maxmemory, config_maxclients, config_io_threads, config_repl_backlog_size, client-output-buffer-limit. */
export function addConfigFamilies(b: FamilyBuilder, snapshot: Snapshot): void {
  const config = snapshot.config ?? {};
  const info = snapshotInfo(snapshot).fields;
  for (const [key, infoField, name] of CONFIG_GAUGES) {
    const raw = config[key] ?? (infoField ? info.get(infoField) : undefined);
    const v = raw === undefined ? undefined : parseGoFloat(raw);
    if (v !== undefined) b.add(name, 'gauge', v, NO_LABELS, help(name));
  }

  // "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60": class, hard, soft, soft seconds (HEAD only).
  const limits = config['client-output-buffer-limit'];
  if (limits === undefined) return;
  const parts = limits.split(' ');
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const cls = parts[i];
    const hard = parseGoFloat(parts[i + 1]);
    const soft = parseGoFloat(parts[i + 2]);
    const seconds = parseGoFloat(parts[i + 3]);
    const bytes = 'config_client_output_buffer_limit_bytes';
    const overcome = 'config_client_output_buffer_limit_overcome_seconds';
    if (hard !== undefined) b.add(bytes, 'gauge', hard, { class: cls, limit: 'hard' }, help(bytes));
    if (soft !== undefined) b.add(bytes, 'gauge', soft, { class: cls, limit: 'soft' }, help(bytes));
    if (seconds !== undefined) b.add(overcome, 'gauge', seconds, { class: cls, limit: 'soft' }, help(overcome));
  }
}

/**
 * slowlog_length (SLOWLOG LEN), slowlog_last_id and last_slow_execution_duration_seconds (SLOWLOG GET 1).
 * Like 1.45 and HEAD, an empty slowlog still yields last_id 0 and duration 0; we take "SLOWLOG answered" from
 * slowlogLength being present, since the snapshot leaves slowlogLast undefined both when empty and when blocked.
 */
export function addSlowlogFamilies(b: FamilyBuilder, snapshot: Snapshot): void {
  if (snapshot.slowlogLength !== undefined)
    b.add('slowlog_length', 'gauge', snapshot.slowlogLength, {}, help('slowlog_length'));
  const last = snapshot.slowlogLast;
  if (!last && snapshot.slowlogLength === undefined) return;
  b.add('slowlog_last_id', 'gauge', last?.id ?? 0, {}, help('slowlog_last_id'));
  const dur = 'last_slow_execution_duration_seconds';
  b.add(dur, 'gauge', (last?.durationMicros ?? 0) / 1e6, {}, help(dur));
}

/**
 * LATENCY LATEST → latency_spike_last{event_name} (unix time) and latency_spike_duration_seconds{event_name}
 * (the latest spike; the all-time max is not exported upstream). LATENCY HISTOGRAM (Redis 7+, HEAD only) →
 * commands_latencies_usec{cmd} histogram, `le` in µs, `_sum` in µs from Commandstats.
 */
export function addLatencyFamilies(b: FamilyBuilder, snapshot: Snapshot): void {
  for (const e of snapshot.latencyLatest ?? []) {
    b.add('latency_spike_last', 'gauge', e.timestamp, { event_name: e.event }, help('latency_spike_last'));
    const dur = 'latency_spike_duration_seconds';
    b.add(dur, 'gauge', e.latestMs / 1e3, { event_name: e.event }, help(dur));
  }

  const histograms = snapshot.latencyHistogram ?? [];
  if (histograms.length === 0) return;
  const usec = commandUsec(snapshot);
  const name = 'commands_latencies_usec';
  // Sorted by command, the order client_golang writes a family's series in.
  for (const h of [...histograms].sort((x, y) => (x.command < y.command ? -1 : x.command > y.command ? 1 : 0))) {
    const cmd = h.command;
    for (const [le, count] of [...h.buckets].sort((x, y) => x[0] - y[0]))
      b.add(name, 'histogram', count, { cmd, le: formatGoFloat(le) }, help(name), '_bucket');
    b.add(name, 'histogram', h.calls, { cmd, le: '+Inf' }, help(name), '_bucket');
    b.add(name, 'histogram', sumUsec(usec, cmd), { cmd }, help(name), '_sum');
    b.add(name, 'histogram', h.calls, { cmd }, help(name), '_count');
  }
}

function commandUsec(snapshot: Snapshot): Map<string, number> {
  const out = new Map<string, number>();
  forEachCommandStat(snapshot, (s) => {
    out.set(s.cmd, s.usec);
  });
  return out;
}

/**
 * Total µs for a histogram command: its own cmdstat plus its subcommands' (`config` ← `config|get`, …), as
 * upstream's extractTotalUsecForCommand; unlike upstream's regex ([a-zA-Z0-9|]+) it also matches names with
 * `-` or `_` (e.g. `client|no-evict`), which upstream reports with sum 0.
 */
function sumUsec(usec: Map<string, number>, cmd: string): number {
  let total = 0;
  for (const [name, us] of usec) if (name === cmd || name.startsWith(`${cmd}|`)) total += us;
  return total;
}
