import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAlerts } from '../../../src/catalog/alerts.ts';
import { allPanels } from '../../../src/catalog/panels.ts';
import { renderAlertRules } from '../../../src/catalog/render-rules.ts';
import { DEFAULT_STACK_CONFIG } from '../../../src/config/redoubt-yml.ts';
import { renderPrometheusConfig } from '../../../src/stack/prometheus.ts';
import { httpGet } from '../../support/http.ts';
import { type Daemon, startPrometheus, waitFor } from '../../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../../support/redis-server.ts';
import { type RunningExporter, startExporter } from '../../support/redoubt.ts';
import { type RunningUp, startUp } from '../../support/redoubt-up.ts';

/**
 * `redoubt up` next to the compose stack's way of watching the same Redis: Debian's Prometheus 2.42 with the
 * generated prometheus.yml scraping `redoubt exporter`'s /scrape. The series must carry the same names and labels
 * (so the committed rules and dashboard work on both), and the API must answer the same requests the same way.
 */
const root = mkdtempSync(join(tmpdir(), 'redoubt-up-vs-prom-'));
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
let exporter: RunningExporter;
let prom: Daemon;
let up: RunningUp;

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  exporter = await startExporter(['--redis.addr', '', '--scrape.allowed-targets', redis.url]);
  cleanups.push(() => exporter.stop());
  const yml = renderPrometheusConfig(
    { ...DEFAULT_STACK_CONFIG, redis: { ...DEFAULT_STACK_CONFIG.redis, targets: [redis.url] } },
    { exporter: `127.0.0.1:${exporter.port}`, alertmanager: '127.0.0.1:9' },
  )
    .replace(/scrape_interval: 15s/, 'scrape_interval: 2s')
    .replace(/scrape_timeout: 10s/, 'scrape_timeout: 2s')
    .replace(/evaluation_interval: 15s/, 'evaluation_interval: 2s');
  writeFileSync(join(root, 'prometheus.yml'), yml);
  writeFileSync(join(root, 'alert.rules'), renderAlertRules(buildAlerts()));
  prom = await startPrometheus([
    `--config.file=${join(root, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(root, 'tsdb')}`,
  ]);
  cleanups.push(() => prom.stop());
  up = await startUp(['--redis', redis.url, '--data-dir', join(root, 'up'), '--scrape-interval', '1s']);
  cleanups.push(() => up.stop('SIGKILL'));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(root, { recursive: true, force: true });
});

async function both(path: string, init?: { method: string; body: string }) {
  const opts = init ? { ...init, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : {};
  const [p, u] = await Promise.all([httpGet(`${prom.url}${path}`, opts), httpGet(`${up.url}${path}`, opts)]);
  return { prom: { status: p.status, body: JSON.parse(p.body) }, up: { status: u.status, body: JSON.parse(u.body) } };
}

type SeriesList = Array<Record<string, string>>;

/** metric name → the label names its series carry (all series of the name together). */
function labelNamesByMetric(series: SeriesList): Map<string, string> {
  const out = new Map<string, Set<string>>();
  for (const s of series) {
    const set = out.get(s.__name__) ?? new Set();
    for (const k of Object.keys(s)) set.add(k);
    out.set(s.__name__, set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort().join(',')]));
}

describe('redoubt up and Prometheus 2.42 (compose stack) on the same Redis', () => {
  test('the same series names and label names for job="redis"', async () => {
    const path = `/api/v1/series?match[]=${encodeURIComponent('{job="redis"}')}`;
    const ready = (s: SeriesList) => s.some((x) => x.__name__ === 'redis_connected_clients');
    const { prom: p, up: u } = await waitFor(
      'both scraped the Redis',
      async () => {
        const r = await both(path);
        return ready(r.prom.body.data) && ready(r.up.body.data) ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // The posture arrives on its own schedule in each (60 s), and ALERTS when each has evaluated its rules:
    // compared elsewhere, not here.
    const stable = (s: SeriesList) => s.filter((x) => !/^(redis_security_|ALERTS)/.test(x.__name__));
    const promNames = labelNamesByMetric(stable(p.body.data));
    const upNames = labelNamesByMetric(stable(u.body.data));
    const onlyProm = [...promNames.keys()].filter((n) => !upNames.has(n));
    const onlyUp = [...upNames.keys()].filter((n) => !promNames.has(n));
    assert.deepEqual({ onlyProm, onlyUp }, { onlyProm: [], onlyUp: [] });
    for (const [name, labels] of promNames) assert.equal(upNames.get(name), labels, name);
    // Every series carries the instance exactly as the stack's relabelling gives it.
    for (const s of u.body.data as SeriesList) assert.equal(s.instance, redis.url);
  });

  test('the same answers to the same requests, errors included', async () => {
    const cases = [
      '/api/v1/query?query=vector(1)&time=100',
      '/api/v1/query?query=1.5e21&time=100.5',
      '/api/v1/query?query=up{job="nosuchjob"}',
      '/api/v1/query_range?query=vector(2)&start=0&end=60&step=15',
      '/api/v1/query_range?query=vector(2)&start=1970-01-01T00:00:00Z&end=1970-01-01T00:01:00.5Z&step=15s',
      '/api/v1/query?query=up&time=abc',
      '/api/v1/query?query=up&timeout=x',
      '/api/v1/query_range?query=up&end=10&step=1',
      '/api/v1/query_range?query=up&start=10&end=0&step=1',
      '/api/v1/query_range?query=up&start=0&end=10&step=0',
      '/api/v1/query_range?query=up&start=0&end=10&step=abc',
      '/api/v1/query_range?query=up&start=0&end=11001&step=1',
      '/api/v1/query_range?query=up&start=0&end=11000&step=1',
      '/api/v1/series',
      '/api/v1/series?match[]=nosuchmetric',
      '/api/v1/labels?match[]=nosuchmetric',
      '/api/v1/label/job/values?match[]=nosuchmetric',
      '/api/v1/label/in-valid/values',
      '/api/v1/label/job/values?match[]=up{job="redis"}',
      `/api/v1/labels?match[]=redis_up`,
    ];
    const differ: unknown[] = [];
    for (const path of cases) {
      const r = await both(path);
      if (r.up.status !== r.prom.status || JSON.stringify(r.up.body) !== JSON.stringify(r.prom.body))
        differ.push({ path, up: r.up, prom: r.prom });
    }
    assert.deepEqual(differ, []);
    // Errors of the query text: the engines word them differently, the type and status are the same.
    for (const query of ['sum(', 'up[5m', 'rate(up)', 'foo{']) {
      const r = await both(`/api/v1/query?query=${encodeURIComponent(query)}`);
      assert.equal(r.up.status, 400, query);
      assert.equal(r.prom.status, 400, query);
      assert.equal(r.up.body.errorType, 'bad_data');
      assert.match(r.up.body.error, /^invalid parameter "query": /);
      assert.match(r.prom.body.error, /^invalid parameter "query": /);
    }
    // POST, form-encoded, as Grafana sends queries.
    const post = await both('/api/v1/query', { method: 'POST', body: 'query=vector(3)&time=50' });
    assert.deepEqual(post.up, post.prom);
    const live = await both(`/api/v1/query?query=${encodeURIComponent('up{job="redis"}')}`);
    assert.deepEqual(
      live.up.body.data.result.map((r: { metric: unknown }) => r.metric),
      live.prom.body.data.result.map((r: { metric: unknown }) => r.metric),
    );
    // Federation: the same families and series (values and timestamps are each one's own scrape).
    const fed = `/federate?match[]=${encodeURIComponent('{job="redis",__name__=~"redis_up|redis_connected_clients|up"}')}`;
    const [pf, uf] = await Promise.all([httpGet(`${prom.url}${fed}`), httpGet(`${up.url}${fed}`)]);
    const shape = (text: string) =>
      text
        .replace(/ \S+ \d+$/gm, '')
        .split('\n')
        .sort();
    assert.equal(uf.status, 200);
    assert.deepEqual(shape(uf.body), shape(pf.body));
    assert.match(uf.body, /^# TYPE redis_up untyped$/m);
    const info = await both('/api/v1/status/buildinfo');
    assert.equal(info.up.status, 200);
    assert.deepEqual(Object.keys(info.up.body.data).sort(), Object.keys(info.prom.body.data).sort());
  });

  test('the catalogue rules and their alerts, as Prometheus lists them', async () => {
    type Rule = {
      name: string;
      lastEvaluation: string;
      type: string;
      duration?: number;
      labels: object;
      annotations?: object;
      health: string;
      state?: string;
      alerts?: Array<{ labels: Record<string, string>; state: string; value: string; activeAt: string }>;
    };
    type Group = { name: string; file: string; rules: Rule[] };
    const evaluated = (groups: Group[]) =>
      groups.length > 0 && groups.every((g) => g.rules.every((r) => r.lastEvaluation !== '0001-01-01T00:00:00Z'));
    const { prom: p, up: u } = await waitFor(
      'both evaluated every rule',
      async () => {
        const r = await both('/api/v1/rules');
        return evaluated(r.prom.body.data.groups) && evaluated(r.up.body.data.groups) ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const health = (groups: Group[]) => groups.flatMap((g) => g.rules.map((r) => `${r.name} ${r.health}`));
    assert.deepEqual(health(u.body.data.groups), health(p.body.data.groups));
    const summary = (groups: Group[]) =>
      groups.map((g) => ({
        name: g.name,
        file: g.file.split('/').pop(),
        rules: g.rules.map((r) => ({
          name: r.name,
          type: r.type,
          duration: r.duration,
          labels: r.labels,
          annotations: r.annotations,
        })),
      }));
    assert.deepEqual(summary(u.body.data.groups), summary(p.body.data.groups));
    // The same keys on a group, a rule and an alert (values are each one's own evaluation).
    const keys = (o: object) => Object.keys(o).sort();
    const [pg, ug] = [p.body.data.groups[0], u.body.data.groups[0]];
    assert.deepEqual(keys(ug), keys(pg));
    assert.deepEqual(keys(ug.rules[0]), keys(pg.rules[0]));
    // This Redis has no maxmemory: the same alert is active in both, with the same labels.
    const active = await waitFor(
      'RedisMaxmemoryNotSet active in both',
      async () => {
        const r = await both('/api/v1/alerts');
        const find = (b: { data: { alerts: Array<{ labels: Record<string, string> }> } }) =>
          b.data.alerts.find((a) => a.labels.alertname === 'RedisMaxmemoryNotSet');
        const [pa, ua] = [find(r.prom.body), find(r.up.body)];
        return pa && ua ? { pa, ua } : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.deepEqual(active.ua.labels, active.pa.labels);
    assert.deepEqual(keys(active.ua), keys(active.pa));
  });

  test("every dashboard panel's query, with Grafana's substitutions, returns the same series from both", async () => {
    // "All" for $job and $instance; $__rate_interval of four of Prometheus's scrape intervals here.
    const substitute = (expr: string) =>
      expr.replaceAll('$job', '.+').replaceAll('$instance', '.+').replaceAll('$__rate_interval', '10s');
    const seriesOf = (body: { status: string; errorType?: string; data?: { result: Array<{ metric: object }> } }) =>
      body.status !== 'success'
        ? `error ${body.errorType}`
        : JSON.stringify(
            (body.data?.result ?? [])
              .map((r) => r.metric)
              .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
          );
    const problems: string[] = [];
    const queries = allPanels().flatMap(({ panel }) =>
      panel.targets.map((t) => ({ where: `panel ${panel.id} "${panel.title}" ${t.legend}`, expr: substitute(t.expr) })),
    );
    for (const q of queries) {
      const path = `/api/v1/query?query=${encodeURIComponent(q.expr)}`;
      // A series may need another scrape or audit in one of them (a rate's second sample, the 60 s posture).
      // topk picks among the rates of what each of them saw: the number of series and their label names agree.
      const shape = q.expr.startsWith('topk(')
        ? (body: Parameters<typeof seriesOf>[0]) =>
            body.status !== 'success'
              ? `error ${body.errorType}`
              : JSON.stringify((body.data?.result ?? []).map((r) => Object.keys(r.metric).sort()))
        : seriesOf;
      let last = '';
      for (let i = 0; i < 120; i++) {
        const r = await both(path);
        const [p, u] = [shape(r.prom.body), shape(r.up.body)];
        last = p === u ? '' : `prometheus ${p}\n  redoubt up ${u}`;
        if (!last) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      if (last) problems.push(`${q.where}: ${q.expr}\n  ${last}`);
    }
    assert.deepEqual(problems, []);
  });
});
