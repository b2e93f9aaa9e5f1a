/**
 * The console's instance page over 24 hours, in Debian's chromium, with `redoubt up` watching 20 redis-servers:
 * how long until every panel of the catalogue has drawn (time to interactive). Not a test (nothing asserts on time).
 *
 *   node --import tsx bench/console-page.ts [--targets 20] [--hours 24] [--runs 3] [--out FILE]
 *
 * History: one real scrape of every target (through a first `redoubt up`) gives the series; they are written into
 * a fresh data directory every 30 s over the last H hours (counters rising, gauges wandering), then `redoubt up`
 * starts on it and keeps scraping every 10 s. Each run opens the page in a new browser context (cold cache) and
 * waits, in the page, for every panel to hold its data and the main thread to go idle. Reported beside it: the
 * same page over the last hour, the query_range requests the page made, and their bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { allPanels } from '../src/catalog/panels.ts';
import { openHistory } from '../src/monitor/history.ts';
import { launchChromium, signIn } from '../test/support/console-browser.ts';
import { httpGet } from '../test/support/http.ts';
import { type RedisServer, startRedis } from '../test/support/redis-server.ts';
import { type RunningUp, startUp } from '../test/support/redoubt-up.ts';
import { rateIntervalSeconds, substitutePanelExpr } from '../web/lib/panel-query.ts';
import { resolveRange } from '../web/lib/time-range.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '20' },
    hours: { type: 'string', default: '24' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const TARGETS = Number(values.targets);
const HOURS = Number(values.hours);
const RUNS = Number(values.runs);
const BACKFILL_STEP_MS = 30_000;
const TOKEN = 'console-bench-token-0123456789';
const PASSWORD = 'console bench admin password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Shape {
  labels: Record<string, string>;
  value: number;
  counter: boolean;
}

async function api<T>(up: RunningUp, path: string): Promise<T> {
  const r = await httpGet(`${up.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` }, timeoutMs: 60_000 });
  return (JSON.parse(r.body) as { data: T }).data;
}

/** Every series of one real scrape of each target, and whether it counts up. */
async function captureShapes(servers: RedisServer[]): Promise<Shape[]> {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-bench-shape-'));
  const up = await startUp(
    [...servers.flatMap((s) => ['--redis', s.url]), '--data-dir', dir, '--scrape-interval', '1s'],
    { REDOUBT_API_TOKEN: TOKEN, REDOUBT_ADMIN_PASSWORD: PASSWORD },
    60_000,
  );
  try {
    for (let i = 0; i < 240; i++) {
      const r = await api<{ result: Array<{ value: [number, string] }> }>(
        up,
        '/api/v1/query?query=count(redis_up%3D%3D1)',
      );
      if (Number(r.result[0]?.value[1]) === servers.length) break;
      await sleep(500);
    }
    await sleep(3000);
    const meta = await api<Record<string, Array<{ type: string }>>>(up, '/api/v1/metadata');
    const all = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
      up,
      `/api/v1/query?query=${encodeURIComponent('{job="redis"}')}`,
    );
    return all.result.map((s) => {
      const name = s.metric.__name__;
      const type = meta[name]?.[0]?.type ?? (name.endsWith('_total') ? 'counter' : 'gauge');
      return { labels: s.metric, value: Number(s.value[1]), counter: type === 'counter' };
    });
  } finally {
    await up.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function backfill(dataDir: string, shapes: Shape[], endMs: number): Promise<number> {
  const history = await openHistory(dataDir, { retentionMs: (HOURS + 24) * 3600e3, warn: () => {} });
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const state = shapes.map((s) => ({ ...s, v: s.counter ? 0 : s.value, rate: rand() * 20 }));
  let samples = 0;
  let step = 0;
  for (let t = endMs - HOURS * 3600e3; t < endMs; t += BACKFILL_STEP_MS, step++) {
    for (const s of state) {
      let v = s.v;
      if (s.counter) s.v += Math.floor(s.rate * (BACKFILL_STEP_MS / 1000) * (0.5 + rand()));
      else if (Number.isFinite(s.value) && s.value > 1)
        v = Math.max(0, s.value * (1 + 0.1 * Math.sin(t / 3.6e6 + s.rate)));
      history.append(s.labels, t, s.counter ? s.v : v);
      samples++;
    }
    if (step % 60 === 59) await history.flush();
  }
  await history.close();
  return samples;
}

interface PageRun {
  ttiMs: number;
  dataDoneMs: number;
  requests: number;
  transferKb: number;
  panels: number;
}

/**
 * Runs in the page (a string: the bench is typed without the DOM's types): resolves once every panel holds its
 * data (data-points / data-values set, none busy) and the main thread is idle, with the times since navigation.
 */
const PAGE_PROBE = `new Promise((resolve, reject) => {
  const limit = setTimeout(() => reject(new Error('the page did not finish within 5 minutes')), 300000);
  const check = () => {
    const panels = [...document.querySelectorAll('figure.panel')];
    const done = panels.length > 0 && panels.every((f) =>
      f.querySelector('[data-points],[data-values]') && !f.querySelector('[aria-busy="true"]'));
    if (!done) return void setTimeout(check, 20);
    requestIdleCallback(() => {
      clearTimeout(limit);
      const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/'));
      resolve({
        ttiMs: performance.now(),
        dataDoneMs: Math.max(...api.map((e) => e.responseEnd)),
        requests: api.length,
        transferKb: api.reduce((n, e) => n + e.transferSize, 0) / 1024,
        panels: panels.length,
      });
    });
  };
  check();
})`;

/** Opens the instance page in a fresh context and waits, in the page, for every panel to draw and the page to idle. */
async function timePage(browser: Browser, up: RunningUp, instance: string, rangeS: number): Promise<PageRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await signIn(page, up.url, 'admin', PASSWORD);
    await page.waitForURL(`${up.url}/`);
    await page.goto(`${up.url}/instances/${encodeURIComponent(instance)}?range=${rangeS}`);
    return (await page.evaluate(PAGE_PROBE)) as PageRun;
  } finally {
    await context.close();
  }
}

/**
 * The floor under the page: the same requests the page makes (every panel's queries, the same range, step and
 * rate interval), sent from Node over loopback six at a time (a browser's connections per host), no rendering.
 */
async function apiFloorMs(up: RunningUp, instance: string, rangeS: number, scrapeS: number): Promise<number> {
  const { startS, endS, stepS } = resolveRange({ live: true, seconds: rangeS }, Date.now() / 1000, scrapeS);
  const rate = rateIntervalSeconds(stepS, scrapeS);
  const paths = allPanels().flatMap(({ panel }) =>
    panel.targets.map((t) => {
      const query = substitutePanelExpr(t.expr, instance, rate);
      return panel.kind === 'timeseries'
        ? `/api/v1/query_range?${new URLSearchParams({ query, start: `${startS}`, end: `${endS}`, step: `${stepS}` })}`
        : `/api/v1/query?${new URLSearchParams({ query, time: `${endS}` })}`;
    }),
  );
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < paths.length) await api(up, paths[next++]);
    }),
  );
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const servers: RedisServer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'redoubt-console-bench-'));
  let up: RunningUp | undefined;
  let browser: Browser | undefined;
  try {
    for (let i = 0; i < TARGETS; i++) servers.push(await startRedis());
    for (const s of servers) for (let k = 0; k < 50; k++) await s.command('SET', `key:${k}`, 'x'.repeat(k * 10));
    const shapes = await captureShapes(servers);
    const t0 = performance.now();
    const samples = await backfill(dataDir, shapes, Date.now() - 60_000);
    const backfillS = (performance.now() - t0) / 1000;
    console.error(`backfilled ${samples} samples of ${shapes.length} series in ${backfillS.toFixed(1)} s`);
    up = await startUp(
      [...servers.flatMap((s) => ['--redis', s.url]), '--data-dir', dataDir, '--scrape-interval', '10s'],
      { REDOUBT_ADMIN_PASSWORD: PASSWORD, REDOUBT_API_TOKEN: TOKEN },
      120_000,
    );
    await sleep(25_000); // a few live scrapes on top of the history
    browser = await launchChromium();
    const instance = servers[0].url;
    const result: Record<string, PageRun[]> = {};
    const floors: Record<string, number[]> = {};
    for (const [label, rangeS] of [
      [`${HOURS} h`, HOURS * 3600],
      ['1 h', 3600],
    ] as const) {
      result[label] = [];
      floors[label] = [];
      for (let r = 0; r < RUNS; r++) {
        const run = await timePage(browser, up, instance, rangeS);
        result[label].push(run);
        const floor = await apiFloorMs(up, instance, rangeS, 10);
        floors[label].push(floor);
        console.error(`${label} run ${r + 1}: ${JSON.stringify(run)}, API floor ${Math.round(floor)} ms`);
      }
    }
    const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();
    const rows = Object.entries(result).map(([label, runs]) => ({
      range: label,
      ttiMsMedian: Math.round(median(runs.map((x) => x.ttiMs))),
      ttiMsRuns: runs.map((x) => Math.round(x.ttiMs)),
      dataDoneMsMedian: Math.round(median(runs.map((x) => x.dataDoneMs))),
      apiFloorMsMedian: Math.round(median(floors[label])),
      requests: runs[0].requests,
      transferKb: Math.round(median(runs.map((x) => x.transferKb))),
      panels: runs[0].panels,
    }));
    const summary = { targets: TARGETS, hours: HOURS, series: shapes.length, samples, loadavg: load, rows };
    console.log(
      '| range | panels | API requests | JSON transferred | same requests from Node | data done in the page | time to interactive | TTI runs |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows)
      console.log(
        `| ${r.range} | ${r.panels} | ${r.requests} | ${r.transferKb} KB | ${r.apiFloorMsMedian} ms | ${r.dataDoneMsMedian} ms | ${r.ttiMsMedian} ms | ${r.ttiMsRuns.join(', ')} ms |`,
      );
    console.log(JSON.stringify(summary));
    if (values.out) writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await browser?.close();
    await up?.stop('SIGKILL');
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
