import type { LoadSummary } from './load.ts';
import type { CommandCost, Encoding, PhaseResult, Subject } from './scrape-bench.ts';
import { median, ratio } from './stats.ts';
import type { ThroughputResult } from './throughput.ts';

/** Medians over rounds of one subject × encoding. */
export interface PhaseSummary {
  rounds: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  cpuMsPerScrape: number;
  clientCpuMsPerScrape: number;
  redisCpuMsPerScrape: number;
  redisCpuMsPerScrapeNet: number;
  redisCallsPerScrape: number;
  /** From the last round. */
  redisCommandsPerScrape: Record<string, number>;
  redisConnectionsPerScrape: number;
  bodyBytes: number;
  /** Median over the rounds' processes (VmHWM after the identity and gzip phases); NaN for the floor. */
  peakRssMb: number;
}

export interface ThroughputSummary {
  rounds: number;
  seconds: number;
  scrapes: number;
  errors: number;
  /** Total scrapes / total seconds over the rounds. */
  scrapesPerSec: number;
  cpuMsPerScrape: number;
  redisCpuMsPerScrape: number;
  redisCallsPerScrape: number;
  redisConnectionsPerScrape: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
}

export interface Target {
  id: string;
  description: string;
  limit: string;
  value: number;
  unit: string;
  met: boolean;
}

export interface Results {
  generatedAt: string;
  machine: Record<string, string | number>;
  settings: Record<string, string | number | boolean>;
  dataset?: LoadSummary;
  redisIdleCpuMsPerSec?: number;
  scrape?: Partial<Record<Encoding, Partial<Record<Subject, PhaseSummary>>>>;
  scrapeRatios?: Partial<Record<Encoding, Record<string, number>>>;
  throughput?: {
    servers: number;
    concurrency: number;
    redoubt?: ThroughputSummary;
    redis_exporter?: ThroughputSummary;
    ratios?: Record<string, number>;
  };
  /** Redis CPU of each command on its own, measured once after the rounds. */
  commandCosts?: CommandCost[];
  /** Largest VmHWM of any process of each exporter in the whole run (scrape and throughput parts). */
  maxPeakRssMb?: Partial<Record<string, number>>;
  targets?: Target[];
  raw: {
    scrape: PhaseResult[];
    rss: Array<{ subject: Subject; round: number; peakRssMb: number; rssMb: number }>;
    throughput: ThroughputResult[];
  };
}

const NUMERIC: Array<keyof PhaseSummary & keyof PhaseResult> = [
  'p50Ms',
  'p99Ms',
  'meanMs',
  'cpuMsPerScrape',
  'clientCpuMsPerScrape',
  'redisCpuMsPerScrape',
  'redisCpuMsPerScrapeNet',
  'redisCallsPerScrape',
  'redisConnectionsPerScrape',
  'bodyBytes',
];

export function summarizePhases(phases: PhaseResult[], rss: Results['raw']['rss']): Results['scrape'] {
  const out: NonNullable<Results['scrape']> = {};
  for (const p of phases) {
    const byEnc = out[p.encoding] ?? {};
    out[p.encoding] = byEnc;
    if (byEnc[p.subject]) continue;
    const same = phases.filter((q) => q.subject === p.subject && q.encoding === p.encoding);
    const s = {
      rounds: same.length,
      redisCommandsPerScrape: same[same.length - 1].redisCommandsPerScrape,
      peakRssMb: median(rss.filter((r) => r.subject === p.subject).map((r) => r.peakRssMb)),
    } as PhaseSummary;
    for (const k of NUMERIC) (s[k] as number) = median(same.map((q) => (q[k] as number | undefined) ?? Number.NaN));
    byEnc[p.subject] = s;
  }
  return out;
}

export function summarizeThroughput(runs: ThroughputResult[]): ThroughputSummary | undefined {
  if (runs.length === 0) return undefined;
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const scrapes = runs.reduce((a, r) => a + r.scrapes, 0);
  const weighted = (
    k: 'cpuMsPerScrape' | 'redisCpuMsPerScrape' | 'redisCallsPerScrape' | 'redisConnectionsPerScrape',
  ) => runs.reduce((a, r) => a + r[k] * r.scrapes, 0) / scrapes;
  return {
    rounds: runs.length,
    seconds,
    scrapes,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    scrapesPerSec: scrapes / seconds,
    cpuMsPerScrape: weighted('cpuMsPerScrape'),
    redisCpuMsPerScrape: weighted('redisCpuMsPerScrape'),
    redisCallsPerScrape: weighted('redisCallsPerScrape'),
    redisConnectionsPerScrape: weighted('redisConnectionsPerScrape'),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  };
}

export function scrapeRatios(a: PhaseSummary | undefined, b: PhaseSummary | undefined): Record<string, number> {
  if (!a || !b) return {};
  return {
    p50Ms: ratio(a.p50Ms, b.p50Ms),
    p99Ms: ratio(a.p99Ms, b.p99Ms),
    cpuMsPerScrape: ratio(a.cpuMsPerScrape, b.cpuMsPerScrape),
    redisCpuMsPerScrape: ratio(a.redisCpuMsPerScrape, b.redisCpuMsPerScrape),
    redisCpuMsPerScrapeNet: ratio(a.redisCpuMsPerScrapeNet, b.redisCpuMsPerScrapeNet),
    redisCallsPerScrape: ratio(a.redisCallsPerScrape, b.redisCallsPerScrape),
    peakRssMb: ratio(a.peakRssMb, b.peakRssMb),
    bodyBytes: ratio(a.bodyBytes, b.bodyBytes),
  };
}

/** The brief's targets, on the identity /metrics medians and the largest redoubt RSS of the run. */
export function evaluateTargets(r: Results): Target[] {
  const out: Target[] = [];
  const ratios = r.scrapeRatios?.identity;
  const add = (id: string, description: string, limit: number, value: number | undefined, unit: string) => {
    if (value === undefined || !Number.isFinite(value)) return;
    out.push({ id, description, limit: `≤ ${limit}${unit}`, value, unit, met: value <= limit });
  };
  if (ratios) {
    add('scrape-p50', "scrape p50 vs redis_exporter's (/metrics, identity)", 0.3, ratios.p50Ms, '×');
    add('redis-cpu', 'Redis CPU per scrape vs redis_exporter', 0.5, ratios.redisCpuMsPerScrape, '×');
    add('exporter-cpu', 'exporter CPU per scrape vs redis_exporter', 1, ratios.cpuMsPerScrape, '×');
  }
  // The brief's RSS target is set on the one-server /metrics bench; the /scrape part (20 targets at concurrency 20)
  // is held to the same 80 MB as a stricter, extra target.
  const metricsRss = r.raw.rss.filter((x) => x.subject === 'redoubt').map((x) => x.peakRssMb);
  if (metricsRss.length)
    add('rss', 'redoubt peak RSS, /metrics of one server (largest VmHWM)', 80, Math.max(...metricsRss), ' MB');
  add('rss-scrape', 'redoubt peak RSS, /scrape of 20 servers (extra)', 80, r.throughput?.redoubt?.peakRssMb, ' MB');
  return out;
}

// ---- text table ----

function fmt(x: number | undefined, digits = 2): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}

function fmtRatio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`;
}

function table(title: string, header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(r: Results): string {
  const parts: string[] = [];
  const m = r.machine;
  parts.push(
    `redoubt exporter bench — ${r.generatedAt}`,
    `machine: ${m.cpus} vCPU ${m.cpuModel}, ${m.memoryGb} GB, Linux ${m.kernel}, node ${m.node}, redis-server ${m.redisVersion}, redis_exporter ${m.redisExporterVersion}`,
  );
  if (r.dataset) {
    const d = r.dataset;
    const dbs = Object.entries(d.dbsize)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    parts.push(
      `data: ${d.keys} keys (${dbs}), ${d.commandsInCommandstats} commands in commandstats, slowlog ${d.slowlogLen} entries, latency events [${d.latencyEvents.join(', ')}], ${d.idleClients} idle clients`,
    );
  }
  const s = r.settings;
  parts.push(
    `method: ${s.scrapes} sequential keep-alive scrapes per phase after ${s.warmup} warm-up, ${s.rounds} rounds (order rotated), medians of rounds; Redis idle CPU ${fmt(r.redisIdleCpuMsPerSec, 3)} ms/s`,
    '',
  );
  const subjects: Subject[] = ['redoubt', 'redis_exporter', 'floor'];
  for (const enc of ['identity', 'gzip'] as const) {
    const sums = r.scrape?.[enc];
    if (!sums) continue;
    const present = subjects.filter((x) => sums[x]);
    const ratios = r.scrapeRatios?.[enc] ?? {};
    const rows: Array<[string, keyof PhaseSummary, string | undefined, number]> = [
      ['scrape p50 ms', 'p50Ms', 'p50Ms', 3],
      ['scrape p99 ms', 'p99Ms', 'p99Ms', 3],
      ['exporter CPU ms/scrape *', 'cpuMsPerScrape', 'cpuMsPerScrape', 3],
      ['Redis CPU ms/scrape', 'redisCpuMsPerScrape', 'redisCpuMsPerScrape', 3],
      ['  idle-corrected', 'redisCpuMsPerScrapeNet', 'redisCpuMsPerScrapeNet', 3],
      ['Redis commands/scrape', 'redisCallsPerScrape', 'redisCallsPerScrape', 1],
      ['Redis connections/scrape', 'redisConnectionsPerScrape', undefined, 2],
      ['peak RSS MB', 'peakRssMb', 'peakRssMb', 1],
      ['body bytes', 'bodyBytes', 'bodyBytes', 0],
    ];
    parts.push(
      table(
        `GET /metrics (${enc === 'gzip' ? 'Accept-Encoding: gzip' : 'no compression'})`,
        ['', ...present, 'redoubt/redis_exporter'],
        rows.map(([label, key, rk, digits]) => [
          label,
          ...present.map((x) => fmt(sums[x]?.[key] as number, digits)),
          fmtRatio(rk ? ratios[rk] : undefined),
        ]),
      ),
      '* floor: the bench process itself (encode + RESP reader); body bytes: RESP reply bytes',
      '',
    );
  }
  if (r.commandCosts?.length) {
    parts.push(
      table(
        'Redis cost of each command alone (sequential round trips on one connection)',
        ['command', 'Redis CPU ms/call', 'reply bytes', 'round trip p50 ms'],
        r.commandCosts.map((c) => [
          c.command.length > 44 ? `${c.command.slice(0, 41)}...` : c.command,
          fmt(c.redisCpuMsPerCall, 4),
          fmt(c.replyBytes, 0),
          fmt(c.roundTripP50Ms, 3),
        ]),
      ),
      '',
    );
  }
  const t = r.throughput;
  if (t && (t.redoubt || t.redis_exporter)) {
    const present = (['redoubt', 'redis_exporter'] as const).filter((x) => t[x]);
    const rows: Array<[string, keyof ThroughputSummary, number]> = [
      ['scrapes/s', 'scrapesPerSec', 1],
      ['exporter CPU ms/scrape', 'cpuMsPerScrape', 3],
      ['Redis CPU ms/scrape (sum)', 'redisCpuMsPerScrape', 3],
      ['Redis commands/scrape', 'redisCallsPerScrape', 1],
      ['Redis connections/scrape', 'redisConnectionsPerScrape', 2],
      ['latency p50 ms', 'p50Ms', 2],
      ['latency p99 ms', 'p99Ms', 2],
      ['peak RSS MB', 'peakRssMb', 1],
      ['scrapes', 'scrapes', 0],
      ['errors', 'errors', 0],
    ];
    parts.push(
      table(
        `/scrape?target= throughput: ${t.servers} redis-servers round-robin, concurrency ${t.concurrency}, ${fmt(t.redoubt?.seconds ?? t.redis_exporter?.seconds, 1)} s per exporter`,
        ['', ...present, 'redoubt/redis_exporter'],
        rows.map(([label, key, digits]) => [
          label,
          ...present.map((x) => fmt(t[x]?.[key] as number, digits)),
          fmtRatio(t.ratios?.[key]),
        ]),
      ),
      '',
    );
  }
  if (r.targets?.length) {
    parts.push('Targets (redoubt)');
    for (const g of r.targets)
      parts.push(
        `  ${g.met ? 'MET    ' : 'MISSED '} ${g.description}: ${g.unit === '×' ? fmtRatio(g.value) : `${fmt(g.value, 1)}${g.unit}`} (target ${g.limit})`,
      );
    parts.push('');
  }
  return parts.join('\n');
}

/** JSON with NaN/Infinity as null. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}
