/**
 * No dead panels: every metric the dashboard reads is emitted by `redoubt exporter` against a real redis-server
 * (a master with maxmemory set and a replica, with the background security audit on), or made by Prometheus
 * itself; and Debian's Prometheus, scraping that exporter the way the stack does, answers every panel query.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allPanels, REDIS_DASHBOARD } from '../../src/catalog/panels.ts';
import { PROMETHEUS_GENERATED_METRICS, promqlMetricNames } from '../../src/catalog/promql-names.ts';
import { requireBinary } from '../support/binaries.ts';
import { parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningExporter, startExporter } from '../support/redoubt.ts';

/** Series Prometheus writes itself (`up` for the Up panel). */
const PROMETHEUS_MADE = new Set(PROMETHEUS_GENERATED_METRICS);

/** Panels whose query may rightly return nothing against this lab, and why. */
const MAY_BE_EMPTY: Record<number, string> = {
  1104: 'counts checks the audit could not observe; with full permissions there may be none (noValue shows 0)',
};

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

let master: RedisServer;
let replica: RedisServer;
let exporter: RunningExporter;
let traffic: NodeJS.Timeout | undefined;

/** Lookups that hit and miss, keys with and without a TTL, an error reply: every panel has something to draw. */
async function generateTraffic(): Promise<void> {
  await master.command('GET', 'dash:key-0');
  await master.command('GET', 'dash:absent');
  await master.command('INCR', 'dash:key-1').catch(() => undefined); // an error reply: not an integer
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The names of every family and sample in an exposition. */
function exposedNames(body: string): Set<string> {
  const names = new Set<string>();
  for (const f of parseExposition(body).values()) {
    names.add(f.name);
    for (const s of f.samples) names.add(s.name);
  }
  return names;
}

/** `label_values(SELECTOR, LABEL)`, Grafana's Prometheus variable query, split into its two arguments. */
function labelValues(query: string): { match: string; label: string } {
  const m = /^label_values\((.*), *(\w+)\)$/.exec(query);
  if (!m) throw new Error(`not a label_values() query: ${query}`);
  return { match: m[1], label: m[2] };
}

const scrapeUrl = (target: RedisServer) => `${exporter.url}/scrape?target=${encodeURIComponent(target.url)}`;

before(async () => {
  master = await startRedis({ config: ['maxmemory 64mb', 'slowlog-log-slower-than 0'] });
  cleanups.push(() => master.stop());
  replica = await startRedis({ replicaOf: master });
  cleanups.push(() => replica.stop());
  for (let i = 0; i < 20; i++) await master.command('SET', `dash:key-${i}`, `value-${i}`);
  for (let i = 0; i < 5; i++) await master.command('EXPIRE', `dash:key-${i}`, 3600);
  await master.command('SET', 'dash:short', 'x', 'PX', 1); // expires: expired_keys_total moves
  await master.command('AUTH', 'nobody', 'wrong').catch(() => undefined); // an authentication failure
  // last bgsave duration and status, a fork. The replica's initial sync may still be saving: retry until free.
  await until('a background save to start', async () =>
    master.command('BGSAVE').then(
      () => true,
      (err: Error) => {
        if (/already in progress/.test(err.message)) return undefined;
        throw err;
      },
    ),
  );
  await until('the background save', async () =>
    String(await master.command('INFO', 'persistence')).includes('rdb_bgsave_in_progress:0') ? true : undefined,
  );
  await generateTraffic();
  traffic = setInterval(() => void generateTraffic().catch(() => undefined), 200);
  cleanups.push(async () => clearInterval(traffic));
  exporter = await startExporter([
    '--redis.addr',
    master.url,
    '--scrape.allowed-targets',
    `${master.url},${replica.url}`,
    '--security-interval',
    '200ms',
  ]);
  cleanups.push(() => exporter.stop());
});

describe('the dashboard against a live exporter', () => {
  test('every metric a panel or variable reads is emitted by redoubt exporter or made by Prometheus', async () => {
    // The master through /metrics, the replica through /scrape, each once its first audit has run.
    const emitted = new Set<string>();
    for (const url of [`${exporter.url}/metrics`, scrapeUrl(replica)]) {
      const names = await until(`redis_security_score from ${url}`, async () => {
        const n = exposedNames((await httpGet(url)).body);
        return n.has('redis_security_score') ? n : undefined;
      });
      for (const n of names) emitted.add(n);
    }
    const missing: string[] = [];
    const check = (where: string, expr: string) => {
      const names = promqlMetricNames(expr);
      assert.ok(names.length > 0, `${where} reads a metric`);
      for (const n of names) if (!emitted.has(n) && !PROMETHEUS_MADE.has(n)) missing.push(`${where}: ${n}`);
    };
    for (const { panel } of allPanels())
      for (const t of panel.targets) check(`panel ${panel.id} "${panel.title}"`, t.expr);
    for (const v of REDIS_DASHBOARD.variables) check(`variable ${v.name}`, labelValues(v.query).match);
    assert.deepEqual(missing, [], 'dead panels: metrics no exporter emits');
  });

  test("Prometheus, scraping the exporter as the stack does, answers every panel's query with data", async () => {
    const prom = await startPrometheus(exporter.port, [master.url, replica.url]);
    cleanups.push(() => prom.stop());
    // Grafana's substitutions with "All" selected; $__rate_interval is four scrape intervals or more.
    const substitute = (expr: string) =>
      expr.replaceAll('$job', '.+').replaceAll('$instance', '.+').replaceAll('$__rate_interval', '10s');
    const query = async (expr: string): Promise<{ error?: string; series: number }> => {
      const res = await httpGet(`${prom.url}/api/v1/query?query=${encodeURIComponent(substitute(expr))}`);
      const body = JSON.parse(res.body);
      if (body.status !== 'success') return { error: `${body.errorType}: ${body.error}`, series: 0 };
      return { series: body.data.result.length };
    };
    // Wait for a few scrapes of both targets, so rates have two samples in their window.
    await until(
      'three scrapes of both targets',
      async () => {
        const r = await httpGet(
          `${prom.url}/api/v1/query?query=${encodeURIComponent('count_over_time(redis_up{job="redis"}[10s]) >= 3')}`,
        );
        return JSON.parse(r.body).data?.result?.length === 2 ? true : undefined;
      },
      30000,
    );
    const problems: string[] = [];
    for (const { panel } of allPanels())
      for (const t of panel.targets) {
        let r = await query(t.expr);
        // A series may need another scrape or two (an audit, a rate's second sample).
        for (let i = 0; i < 20 && !r.error && r.series === 0 && !(panel.id in MAY_BE_EMPTY); i++) {
          await new Promise((res) => setTimeout(res, 250));
          r = await query(t.expr);
        }
        if (r.error) problems.push(`panel ${panel.id} "${panel.title}" ${t.legend}: ${r.error}`);
        else if (r.series === 0 && !(panel.id in MAY_BE_EMPTY))
          problems.push(`panel ${panel.id} "${panel.title}" ${t.legend}: no data`);
      }
    for (const v of REDIS_DASHBOARD.variables) {
      const { match, label } = labelValues(v.query);
      const r = await httpGet(
        `${prom.url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(substitute(match))}`,
      );
      const values: string[] = JSON.parse(r.body).data ?? [];
      if (values.length === 0) problems.push(`variable ${v.name}: no values`);
    }
    assert.deepEqual(problems, []);
  });
});

interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * Debian's Prometheus with the stack's multi-target scrape of the exporter's /scrape (job `redis`, instance = the
 * Redis URL), every second, on a free loopback port.
 */
async function startPrometheus(exporterPort: number, targets: string[]): Promise<RunningPrometheus> {
  const bin = requireBinary('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-prometheus-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: redis',
    '    metrics_path: /scrape',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '    relabel_configs:',
    '      - source_labels: [__address__]',
    '        target_label: __param_target',
    '      - source_labels: [__param_target]',
    '        target_label: instance',
    '      - target_label: __address__',
    `        replacement: 127.0.0.1:${exporterPort}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let logs = '';
  child.stdout?.on('data', (d) => {
    logs += d;
  });
  child.stderr?.on('data', (d) => {
    logs += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', kill);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${logs}`);
        return (await httpGet(`${url}/-/ready`, { timeoutMs: 1000 })).status === 200 ? true : undefined;
      },
      20000,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
  return { url, stop };
}
