/**
 * `redoubt up` against Debian's Prometheus 2.42 scraping the same redis-servers through one `redoubt exporter`,
 * one after the other in one run, with the same scrape interval and duration. Not a test (nothing asserts on time).
 *
 *   node --import tsx bench/up-vs-prometheus.ts [--targets 20] [--interval 10] [--minutes 2.5] [--out FILE]
 *
 * For each: CPU of all threads (schedstat) per scrape interval and per sample, RSS at the end, bytes on disk per
 * sample, and the median of 3 `query_range` latencies of every dashboard panel over the whole collected range.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allPanels } from '../src/catalog/panels.ts';
import { httpGet } from '../test/support/http.ts';
import { substituteGrafana } from '../test/support/promql-expressions.ts';
import { type RedisServer, startRedis } from '../test/support/redis-server.ts';
import { processMemory } from './proc-stats.ts';
import { readThreads, type ThreadCpu } from './schedstat.ts';
import { duBytes, type Subject, startPrometheusStack, startRedoubtUp } from './up-subjects.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '20' },
    interval: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '2.5' },
    out: { type: 'string' },
  },
});
const TARGETS = Number(values.targets);
const INTERVAL_S = Number(values.interval);
const DURATION_MS = Number(values.minutes) * 60_000;
const STEP_S = 15;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function instantScalar(url: string, expr: string, at: number): Promise<number> {
  const r = await httpGet(`${url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${at}`, { timeoutMs: 60_000 });
  const body = JSON.parse(r.body) as { data?: { result?: Array<{ value: [number, string] }> } };
  return Number(body.data?.result?.[0]?.value?.[1] ?? Number.NaN);
}

/** Samples appended in the `seconds` before `at`: the targets' own plus the 5 series Prometheus adds per scrape. */
async function samplesIn(url: string, at: number, seconds: number): Promise<number> {
  const r = `[${Math.ceil(seconds)}s]`;
  return instantScalar(url, `sum(sum_over_time(scrape_samples_scraped${r})) + 5 * sum(count_over_time(up${r}))`, at);
}

function panelQueries(): Array<{ panel: string; expr: string }> {
  return allPanels().flatMap(({ panel }) =>
    panel.targets.map((t, i) => ({
      panel: `${panel.title}${panel.targets.length > 1 ? ` #${i + 1}` : ''}`,
      expr: substituteGrafana(t.expr),
    })),
  );
}

/** Median of 3 wall times (ms) of one query_range; the answer's series count and whether it succeeded. */
async function timeRange(url: string, expr: string, start: number, end: number) {
  const q = `${url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${STEP_S}`;
  const times: number[] = [];
  let series = 0;
  let status = '';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await httpGet(q, { timeoutMs: 120_000 });
    times.push(performance.now() - t0);
    const body = JSON.parse(r.body) as { status?: string; error?: string; data?: { result?: unknown[] } };
    status = body.status === 'success' ? 'success' : `${r.status} ${body.error ?? ''}`.slice(0, 200);
    series = body.data?.result?.length ?? 0;
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[1] ?? Number.NaN, series, status };
}

function cpuNs(pid: number, before: ThreadCpu[], after: ThreadCpu[]): number {
  const start = new Map(before.map((t) => [t.tid, t.ns]));
  let sum = 0;
  for (const t of after) sum += t.ns - (start.get(t.tid) ?? 0);
  return pid ? sum : 0;
}

async function measure(subject: Subject) {
  const startedAt = Date.now() / 1000;
  // Warm-up: two scrape intervals, so the first scrape and start-up are not in the window.
  await sleep(2 * INTERVAL_S * 1000);
  const before = Object.fromEntries(Object.entries(subject.pids).map(([k, pid]) => [k, readThreads(pid)]));
  const w0 = Date.now();
  await sleep(DURATION_MS);
  const windowS = (Date.now() - w0) / 1000;
  const cpuS: Record<string, number> = {};
  const rssMb: Record<string, number> = {};
  for (const [role, pid] of Object.entries(subject.pids)) {
    cpuS[role] = cpuNs(pid, before[role] ?? [], readThreads(pid)) / 1e9;
    rssMb[role] = processMemory(pid).rssMb;
  }
  const end = Date.now() / 1000;
  const windowSamples = await samplesIn(subject.url, end, windowS);
  const cpuTotal = Object.values(cpuS).reduce((a, b) => a + b, 0);
  const intervals = windowS / INTERVAL_S;
  const queries = [];
  for (const { panel, expr } of panelQueries()) {
    queries.push({ panel, expr, ...(await timeRange(subject.url, expr, Math.floor(startedAt), Math.floor(end))) });
  }
  const lifetimeSamples = await samplesIn(subject.url, Date.now() / 1000, Date.now() / 1000 - startedAt + 1);
  await subject.stop();
  const bytes = duBytes(subject.dataDir);
  subject.remove();
  return {
    name: subject.name,
    windowS,
    windowSamples,
    cpuS,
    cpuMsPerInterval: Object.fromEntries(Object.entries(cpuS).map(([k, v]) => [k, (v * 1000) / intervals])),
    cpuMsPerIntervalTotal: (cpuTotal * 1000) / intervals,
    cpuUsPerSample: (cpuTotal * 1e6) / windowSamples,
    rssMb,
    rssMbTotal: Object.values(rssMb).reduce((a, b) => a + b, 0),
    bytesOnDisk: bytes,
    lifetimeSamples,
    bytesPerSample: bytes / lifetimeSamples,
    queryRangeS: Math.floor(end) - Math.floor(startedAt),
    queries,
    queryMsTotal: queries.reduce((a, q) => a + q.medianMs, 0),
  };
}

async function main(): Promise<void> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < TARGETS; i++) servers.push(await startRedis());
    const targets = servers.map((s) => s.url);
    process.stderr.write(`${TARGETS} redis-servers up; measuring redoubt up\n`);
    const up = await measure(await startRedoubtUp(targets, INTERVAL_S));
    process.stderr.write('measuring prometheus + exporter\n');
    const prom = await measure(await startPrometheusStack(targets, INTERVAL_S));
    const result = {
      targets: TARGETS,
      intervalS: INTERVAL_S,
      minutes: Number(values.minutes),
      stepS: STEP_S,
      at: new Date().toISOString(),
      node: process.version,
      machine: 'shared and loaded (2 cores, other sessions running builds and tests)',
      up,
      prometheus: prom,
      ratios: {
        cpuPerSample: up.cpuUsPerSample / prom.cpuUsPerSample,
        cpuPerInterval: up.cpuMsPerIntervalTotal / prom.cpuMsPerIntervalTotal,
        rss: up.rssMbTotal / prom.rssMbTotal,
        rssVsPrometheusAlone: up.rssMbTotal / (prom.rssMb.prometheus ?? Number.NaN),
        bytesPerSample: up.bytesPerSample / prom.bytesPerSample,
        queryMsTotal: up.queryMsTotal / prom.queryMsTotal,
      },
    };
    const json = JSON.stringify(result, null, 2);
    if (values.out) writeFileSync(values.out, `${json}\n`);
    process.stdout.write(`${json}\n`);
  } finally {
    for (const s of servers) await s.stop();
  }
}

await main();
