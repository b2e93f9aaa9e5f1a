import type { Segment } from './paced-segment.ts';
import { median, ratio } from './stats.ts';

/** Medians over the rounds of one subject at one pace. */
export interface PacedSummary {
  rounds: number;
  scrapes: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerScrape: number;
  redisCpuMsPerScrape: number;
  redisCommandMsPerScrape: number;
  warmupCpuMsPerScrape: number;
  redisCallsPerScrape: number;
  redisConnectionsPerScrape: number;
  rssMb: number;
  peakRssMb: number;
  /** CPU ms per scrape by thread group (main, V8 workers, libuv...). */
  cpuMsPerScrapeByThread: Record<string, number>;
  /** Per Redis command (commandstats name): calls and µs of Redis command time per scrape, medians of rounds. */
  redisPerCommand: Record<string, { calls: number; us: number }>;
}

const NUMERIC = [
  'p50Ms',
  'p99Ms',
  'cpuMsPerScrape',
  'redisCpuMsPerScrape',
  'redisCommandMsPerScrape',
  'warmupCpuMsPerScrape',
  'redisCallsPerScrape',
  'redisConnectionsPerScrape',
  'rssMb',
  'peakRssMb',
] as const;

/** Median of each measure over the rounds; scrapes and failures summed. */
export function summarize(segments: Segment[]): PacedSummary | undefined {
  if (segments.length === 0) return undefined;
  const groups = new Set(segments.flatMap((s) => Object.keys(s.cpuNsByThread)));
  const byThread: Record<string, number> = {};
  for (const g of groups) byThread[g] = median(segments.map((s) => (s.cpuNsByThread[g] ?? 0) / 1e6 / s.scrapes));
  const perCommand: Record<string, { calls: number; us: number }> = {};
  for (const c of new Set(segments.flatMap((s) => Object.keys(s.redisCalls ?? {}))))
    perCommand[c] = {
      calls: median(segments.map((s) => (s.redisCalls[c] ?? 0) / s.scrapes)),
      us: median(segments.map((s) => (s.redisUsec?.[c] ?? 0) / s.scrapes)),
    };
  const out = {
    rounds: segments.length,
    redisPerCommand: perCommand,
    scrapes: segments.reduce((a, s) => a + s.scrapes, 0),
    failed: segments.reduce((a, s) => a + s.failed, 0),
    cpuMsPerScrapeByThread: byThread,
  } as PacedSummary;
  for (const k of NUMERIC) out[k] = median(segments.map((s) => s[k]));
  return out;
}

/** Summaries per pace and subject. */
export function summarizeAll(segments: Segment[]): Record<number, Record<string, PacedSummary>> {
  const out: Record<number, Record<string, PacedSummary>> = {};
  for (const s of segments) {
    out[s.pace] ??= {};
    if (out[s.pace][s.subject]) continue;
    const same = segments.filter((x) => x.pace === s.pace && x.subject === s.subject);
    const summary = summarize(same);
    if (summary) out[s.pace][s.subject] = summary;
  }
  return out;
}

const fmt = (x: number | undefined, digits = 2): string =>
  x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
const fmtRatio = (a: number | undefined, b: number | undefined): string => {
  const r = ratio(a ?? Number.NaN, b ?? Number.NaN);
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
};

/** The main table of one pace: redoubt and redis_exporter side by side, the Node floor beside them. */
export function paceTable(pace: number, s: Record<string, PacedSummary>): string {
  const a = s.redoubt;
  const b = s.redis_exporter;
  const f = s.node_static;
  const rows: Array<[string, keyof PacedSummary, number]> = [
    ['`scrape_duration_seconds` p50 ms (Prometheus)', 'p50Ms', 2],
    ['p99 ms', 'p99Ms', 2],
    ['exporter CPU ms/scrape (schedstat, all threads)', 'cpuMsPerScrape', 2],
    ['exporter CPU ms/scrape over the warm-up (first scrapes of a fresh process)', 'warmupCpuMsPerScrape', 2],
    ['Redis CPU ms/scrape (idle rate subtracted)', 'redisCpuMsPerScrape', 3],
    ['Redis command time ms/scrape (commandstats usec)', 'redisCommandMsPerScrape', 3],
    ['Redis commands / connections per scrape', 'redisCallsPerScrape', 1],
    ['RSS MB at the end', 'rssMb', 1],
    ['peak RSS MB', 'peakRssMb', 1],
  ];
  const lines = [
    `at a ${pace} s pace (${a?.scrapes ?? 0} / ${b?.scrapes ?? 0} / ${f?.scrapes ?? 0} scrapes in ${a?.rounds ?? 0} rounds)`,
    '',
    '| | redoubt | redis_exporter 1.45 | redoubt / redis_exporter | Node static 64 KB |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [label, key, digits] of rows) {
    const v = (x?: PacedSummary) => x?.[key] as number | undefined;
    if (key === 'redisCallsPerScrape') {
      const both = (x?: PacedSummary) =>
        x ? `${fmt(x.redisCallsPerScrape, 1)} / ${fmt(x.redisConnectionsPerScrape, 1)}` : '—';
      lines.push(`| ${label} | ${both(a)} | ${both(b)} | | |`);
      continue;
    }
    const floor = key.startsWith('redis') ? '—' : fmt(v(f), digits);
    lines.push(`| ${label} | ${fmt(v(a), digits)} | ${fmt(v(b), digits)} | ${fmtRatio(v(a), v(b))} | ${floor} |`);
  }
  return lines.join('\n');
}

/** CPU per scrape by thread group for every subject of a pace. */
export function threadTable(pace: number, s: Record<string, PacedSummary>): string {
  const lines = [`CPU ms per scrape by thread at ${pace} s`, '', '| subject | thread | ms/scrape |', '|---|---|---:|'];
  for (const [name, sum] of Object.entries(s)) {
    const entries = Object.entries(sum.cpuMsPerScrapeByThread).sort((x, y) => y[1] - x[1]);
    for (const [group, ms] of entries) if (ms >= 0.005) lines.push(`| ${name} | ${group} | ${fmt(ms, 3)} |`);
  }
  return lines.join('\n');
}

/** Other redoubt variants against plain redoubt at the same pace (flags, the audit off). */
export function variantTable(pace: number, s: Record<string, PacedSummary>): string {
  const base = s.redoubt;
  const variants = Object.keys(s).filter((n) => n.startsWith('redoubt_'));
  if (!base || variants.length === 0) return '';
  const lines = [
    `redoubt variants at ${pace} s (medians of rounds)`,
    '',
    '| subject | exporter CPU ms/scrape | Redis CPU ms/scrape | Redis command ms/scrape | Redis commands/scrape | p50 ms | RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of ['redoubt', ...variants]) {
    const x = s[n];
    lines.push(
      `| ${n} | ${fmt(x.cpuMsPerScrape)} | ${fmt(x.redisCpuMsPerScrape, 3)} | ${fmt(x.redisCommandMsPerScrape, 3)} | ${fmt(x.redisCallsPerScrape, 2)} | ${fmt(x.p50Ms)} | ${fmt(x.rssMb, 1)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The background security audit's cost at one pace: redoubt minus redoubt_no_audit (`--security-interval=0`),
 * per scrape interval, against what one scrape costs without it. '' when the pace has no redoubt_no_audit.
 */
export function auditTable(pace: number, s: Record<string, PacedSummary>): string {
  const a = s.redoubt;
  const z = s.redoubt_no_audit;
  if (!a || !z) return '';
  const row = (label: string, with_: number, without: number, digits: number) => {
    const extra = with_ - without;
    return `| ${label} | ${fmt(extra, digits)} | ${fmt(without, digits)} | ${fmtRatio(extra, without)} |`;
  };
  return [
    `the background security audit at ${pace} s (redoubt − redoubt --security-interval=0, per scrape interval)`,
    '',
    '| | the audit, per interval | one scrape without it | audit / scrape |',
    '|---|---:|---:|---:|',
    row('exporter CPU ms', a.cpuMsPerScrape, z.cpuMsPerScrape, 2),
    row('Redis commands', a.redisCallsPerScrape, z.redisCallsPerScrape, 2),
    row('Redis command time ms (commandstats usec)', a.redisCommandMsPerScrape, z.redisCommandMsPerScrape, 3),
  ].join('\n');
}

/**
 * Where Redis's command time per scrape goes, command by command (commandstats calls and usec over the window ÷
 * scrapes): redoubt beside redis_exporter. `info` includes the bench probe's own two INFO readings per window.
 */
export function commandTable(pace: number, s: Record<string, PacedSummary>): string {
  const a = s.redoubt?.redisPerCommand ?? {};
  const b = s.redis_exporter?.redisPerCommand ?? {};
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(
    (x, y) => Math.max(b[y]?.us ?? 0, a[y]?.us ?? 0) - Math.max(b[x]?.us ?? 0, a[x]?.us ?? 0),
  );
  if (names.length === 0) return '';
  const cell = (x?: { calls: number; us: number }) => (x ? `${fmt(x.calls, 2)} | ${fmt(x.us, 1)}` : '— | —');
  const lines = [
    `Redis command time per scrape at ${pace} s, by command (commandstats, medians of rounds)`,
    '',
    '| command | redoubt calls | redoubt µs | redis_exporter calls | redis_exporter µs |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const n of names) lines.push(`| \`${n}\` | ${cell(a[n])} | ${cell(b[n])} |`);
  const sum = (m: Record<string, { us: number }>) => Object.values(m).reduce((t, x) => t + x.us, 0);
  const ta = sum(a);
  const tb = sum(b);
  lines.push(`| all (redoubt / redis_exporter ${fmtRatio(ta, tb)}) | | ${fmt(ta, 1)} | | ${fmt(tb, 1)} |`);
  return lines.join('\n');
}
