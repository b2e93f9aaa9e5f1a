import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultDashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_UID } from '../../src/catalog/datasource.ts';
import { allPanels, REDIS_DASHBOARD } from '../../src/catalog/panels.ts';
import { promqlSelectors, scanPromql } from '../../src/catalog/promql-names.ts';
import { DASHBOARD_SCHEMA_VERSION, GRID_COLUMNS, renderDashboardJson } from '../../src/catalog/render-dashboard.ts';
import { IMAGES } from '../../src/stack/compose.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/golden/dashboard/redis-dashboard.json');

// biome-ignore lint/suspicious/noExplicitAny: the parsed JSON is walked generically
type Json = any;

const json = renderDashboardJson();
const dashboard: Json = JSON.parse(json);
/** Every panel, rows included, with panels nested in collapsed rows flattened out. */
const panels: Json[] = dashboard.panels.flatMap((p: Json) => [p, ...(p.panels ?? [])]);
const rows = panels.filter((p) => p.type === 'row');
const visual = panels.filter((p) => p.type !== 'row');

/**
 * The newest dashboard schemaVersion each Grafana release line knows (DASHBOARD_SCHEMA_VERSION in its
 * DashboardMigrator). 11.6: the foundation SDK's Grafana 11.6 build (11.6.0-cogv0.0.x) emits 41. A Grafana
 * loading a lower version runs the missing migrations; bump the compose pin only together with this table.
 */
const GRAFANA_SCHEMA_VERSIONS: Record<string, number> = { '11.6': 41 };

function walk(value: Json, visit: (key: string, v: Json, parent: Json) => void): void {
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, value);
      walk(v, visit);
    }
}

describe('Redis dashboard JSON', () => {
  test('matches its golden file (REDOUBT_UPDATE_GOLDEN=1 rewrites it)', () => {
    if (process.env.REDOUBT_UPDATE_GOLDEN === '1') {
      mkdirSync(dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, json);
      return;
    }
    if (!existsSync(GOLDEN))
      assert.fail(`${GOLDEN} is missing; run the test with REDOUBT_UPDATE_GOLDEN=1 to create it`);
    assert.equal(json, readFileSync(GOLDEN, 'utf8'), 'the dashboard differs from its golden file');
  });

  test('is stable: the same bytes on every render, keys sorted', () => {
    assert.equal(renderDashboardJson(), json);
    assert.equal(renderDashboardJson(structuredClone(REDIS_DASHBOARD)), json);
    walk(dashboard, (_k, v) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const keys = Object.keys(v);
        assert.deepEqual(keys, [...keys].sort());
      }
    });
    assert.ok(json.endsWith('}\n'));
  });

  test('is a provisionable dashboard model: fixed uid, no import placeholders', () => {
    assert.equal(dashboard.uid, 'redis-overview');
    assert.ok(dashboard.uid.length <= 40, 'Grafana uids are at most 40 characters');
    assert.equal(dashboard.title, 'Redis');
    assert.ok(dashboard.tags.includes('redis'));
    assert.equal(dashboard.refresh, '30s');
    assert.deepEqual(dashboard.time, { from: 'now-6h', to: 'now' });
    assert.equal(dashboard.id ?? null, null, 'no instance-specific numeric id');
    assert.equal(dashboard.dashboard, undefined, 'the bare model, not the HTTP API wrapper');
    assert.equal(dashboard.__inputs, undefined);
    assert.equal(dashboard.__requires, undefined);
    assert.doesNotMatch(json, /\$\{DS_/, 'no DS_ placeholder: provisioning never fills them in');
    assert.doesNotMatch(json, /\$\{?datasource\b/, 'no datasource variable either: the uid is fixed');
  });

  test('has the job and instance variables, multi-value with "All" matching anything', () => {
    const vars = dashboard.templating.list;
    assert.deepEqual(
      vars.map((v: Json) => [v.name, v.type, v.query]),
      [
        ['job', 'query', 'label_values(redis_up, job)'],
        ['instance', 'query', 'label_values(redis_up{job=~"$job"}, instance)'],
      ],
    );
    for (const v of vars) {
      assert.deepEqual(v.datasource, { type: 'prometheus', uid: DATASOURCE_UID });
      assert.equal(v.multi, true);
      assert.equal(v.includeAll, true);
      assert.equal(v.allValue, '.+');
      assert.equal(v.refresh, 2, 'refreshed on time range change, so new instances appear');
    }
  });

  test('panel ids are unique and numbered within their row', () => {
    const ids = panels.map((p) => p.id);
    assert.ok(ids.every((id) => Number.isInteger(id) && id > 0));
    assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i)}`);
    for (const { row, panel } of allPanels())
      assert.ok(panel.id > row.id && panel.id < row.id + 100, `panel ${panel.id} is numbered outside row ${row.id}`);
  });

  test('panel titles are unique within their row, in the catalogue and in the JSON Grafana gets', () => {
    const duplicates = (titles: string[]) => titles.filter((t, i) => titles.indexOf(t) !== i);
    for (const row of REDIS_DASHBOARD.rows)
      assert.deepEqual(
        duplicates(row.panels.map((p) => p.title)),
        [],
        `row "${row.title}" has panels with the same title`,
      );
    // The rendered model: a row's panels are nested in it (collapsed) or follow it (expanded).
    const byRow = new Map<string, string[]>();
    let current = '';
    for (const p of dashboard.panels as Json[]) {
      if (p.type === 'row') {
        current = p.title;
        byRow.set(
          current,
          (p.panels ?? []).map((q: Json) => q.title),
        );
      } else byRow.get(current)?.push(p.title);
    }
    assert.equal(byRow.size, REDIS_DASHBOARD.rows.length);
    for (const [row, titles] of byRow) assert.deepEqual(duplicates(titles), [], `row "${row}" in the JSON`);
  });

  test('the grid: inside 24 columns, rows full width and one unit high, nothing overlaps', () => {
    for (const p of panels) {
      const g = p.gridPos;
      assert.ok(g, `panel ${p.id} has a gridPos`);
      for (const k of ['x', 'y', 'w', 'h']) assert.ok(Number.isInteger(g[k]) && g[k] >= 0, `panel ${p.id} ${k}`);
      assert.ok(g.w >= 1 && g.h >= 1 && g.x + g.w <= GRID_COLUMNS, `panel ${p.id} fits the grid: ${JSON.stringify(g)}`);
    }
    for (const r of rows) assert.deepEqual([r.gridPos.x, r.gridPos.w, r.gridPos.h], [0, GRID_COLUMNS, 1]);
    for (let i = 0; i < panels.length; i++)
      for (let j = i + 1; j < panels.length; j++) {
        const a = panels[i].gridPos;
        const b = panels[j].gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `panels ${panels[i].id} and ${panels[j].id} overlap`);
      }
    // Each panel sits below its row header and above the next one, so Grafana keeps it in that row.
    const top = dashboard.panels;
    for (let i = 0; i < top.length; i++) {
      if (top[i].type === 'row') continue;
      const row = top
        .slice(0, i)
        .reverse()
        .find((p: Json) => p.type === 'row');
      const next = top.slice(i + 1).find((p: Json) => p.type === 'row');
      assert.ok(row && top[i].gridPos.y > row.gridPos.y, `panel ${top[i].id} is below its row`);
      if (next)
        assert.ok(top[i].gridPos.y + top[i].gridPos.h <= next.gridPos.y, `panel ${top[i].id} ends above the next row`);
    }
  });

  test('every panel, query and variable uses the provisioned datasource uid', () => {
    for (const p of visual) {
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: DATASOURCE_UID }, `panel ${p.id}`);
      assert.ok(p.targets.length > 0, `panel ${p.id} has queries`);
      for (const t of p.targets) assert.deepEqual(t.datasource, { type: 'prometheus', uid: DATASOURCE_UID });
    }
    walk(dashboard, (k, v) => {
      if (k === 'datasource') assert.deepEqual(v, { type: 'prometheus', uid: DATASOURCE_UID });
    });
  });

  test('every query filters by $job and $instance and takes its rate ranges from $__rate_interval', () => {
    for (const p of visual) {
      const refIds = p.targets.map((t: Json) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `panel ${p.id} refIds are unique`);
      for (const t of p.targets) {
        assert.ok(typeof t.expr === 'string' && t.expr.trim() !== '', `panel ${p.id} ${t.refId} has an expression`);
        const selectors = promqlSelectors(t.expr);
        assert.ok(selectors.length > 0, `panel ${p.id} ${t.refId} reads a metric`);
        for (const s of selectors) {
          const has = (label: string) =>
            s.matchers.some((m) => m.label === label && m.op === '=~' && m.value === `$${label}`);
          assert.ok(s.metric, `panel ${p.id} ${t.refId}: every selector names its metric`);
          assert.ok(has('job'), `panel ${p.id} ${s.metric} filters by job=~"$job"`);
          assert.ok(has('instance'), `panel ${p.id} ${s.metric} filters by instance=~"$instance"`);
        }
        const q = scanPromql(t.expr);
        for (const r of q.ranges) assert.equal(r, '$__rate_interval', `panel ${p.id} ${t.refId}: range [${r}]`);
        const ranged = q.functions.filter((f) =>
          /^(rate|irate|increase|delta|idelta|deriv|resets|changes)$|_over_time$/.test(f),
        );
        assert.ok(q.ranges.length >= ranged.length, `panel ${p.id} ${t.refId}: ${ranged} without a range`);
        assert.ok(!q.functions.includes('irate'), `panel ${p.id}: rate(), not irate(), over $__rate_interval`);
      }
    }
  });

  test('stays right in the traps: maxmemory 0, idle instances, the capped slowlog', () => {
    const exprs = allPanels().flatMap(({ panel }) => panel.targets.map((t) => ({ id: panel.id, expr: t.expr })));
    for (const { id, expr } of exprs) {
      if (expr.includes('redis_memory_max_bytes'))
        assert.match(expr, /redis_memory_max_bytes\{[^}]*\} > 0/, `panel ${id} drops maxmemory 0 before using it`);
      // A division by something that can be 0 gives NaN (or +Inf): each denominator filters `> 0`.
      const division = /\/ (.*)$/.exec(expr);
      if (division) assert.match(division[1], /> 0\)?$/, `panel ${id} guards its denominator: ${expr}`);
      assert.ok(!/(rate|increase)\(redis_slowlog_length/.test(expr), `panel ${id}: the slowlog length is capped`);
    }
    const memory = REDIS_DASHBOARD.rows.find((r) => r.title === 'Memory')!.panels;
    assert.equal(memory.find((p) => p.kind === 'gauge')?.noValue, 'maxmemory not set');
  });

  test('has the seed panels and the replication, persistence, slow commands, keyspace and security rows', () => {
    const titles = allPanels().map(({ panel }) => panel.title);
    for (const t of [
      'Memory used vs maxmemory',
      'Fragmentation ratio',
      'Commands per second',
      'Network I/O',
      'Cache hit / miss ratio',
      'Client connections',
      'Average duration per command',
      'Uptime',
    ])
      assert.ok(titles.includes(t), `seed panel "${t}"`);
    assert.deepEqual(
      rows.map((r) => r.title),
      [
        'Overview',
        'Memory',
        'Throughput',
        'Cache',
        'Clients',
        'Command duration',
        'Slow commands',
        'Replication',
        'Persistence',
        'Keyspace',
        'Security',
      ],
    );
    const security = REDIS_DASHBOARD.rows.find((r) => r.title === 'Security')!.panels;
    const reads = (name: string) => security.some((p) => p.targets.some((t) => t.expr.includes(name)));
    for (const m of [
      'redis_security_score',
      'redis_security_findings',
      'redis_security_auth_failures_total',
      'redis_security_config_value',
    ])
      assert.ok(reads(m), `the security row shows ${m}`);
    const failing = security.find((p) => p.kind === 'table');
    assert.match(failing?.targets[0].expr ?? '', /^redis_security_check_status\{[^}]*\} == 1$/);
  });

  test('every panel is described, has a unit, and ascending thresholds', () => {
    for (const { panel } of allPanels()) {
      assert.ok(panel.description.length > 20, `panel ${panel.id} is described`);
      assert.ok(panel.unit, `panel ${panel.id} has a unit`);
      for (const t of [panel.thresholds, ...panel.targets.map((x) => x.thresholds)]) {
        const values = t?.steps.map((s) => s.value) ?? [];
        assert.deepEqual(
          values,
          [...values].sort((a, b) => a - b),
          `panel ${panel.id} thresholds ascend`,
        );
      }
      if (panel.kind === 'table') assert.ok(panel.columns?.length, `table ${panel.id} names its columns`);
    }
    for (const p of visual)
      assert.ok(p.fieldConfig.defaults.thresholds, `panel ${p.id} sets thresholds (Grafana's default is red from 80)`);
  });

  test(`is valid for the Grafana the stack pins (${IMAGES.grafana})`, () => {
    const pinned = /^grafana\/grafana:(\d+)\.(\d+)\.\d+$/.exec(IMAGES.grafana);
    assert.ok(pinned, 'an exact Grafana release is pinned');
    const known = GRAFANA_SCHEMA_VERSIONS[`${pinned[1]}.${pinned[2]}`];
    assert.ok(known, `add the schemaVersion Grafana ${pinned[1]}.${pinned[2]} knows to GRAFANA_SCHEMA_VERSIONS`);
    assert.equal(dashboard.schemaVersion, DASHBOARD_SCHEMA_VERSION);
    assert.ok(DASHBOARD_SCHEMA_VERSION <= known, 'Grafana knows the declared schema version');
    assert.ok(defaultDashboard().schemaVersion >= DASHBOARD_SCHEMA_VERSION, 'the SDK writes at least that schema');
    // What the migrations above the declared version (40–42) would rewrite is absent, so the JSON means the same
    // to Grafana 11.x and 12.x: a boolean refresh (40), timepicker.time_options (41), hideFrom.viz overrides (42).
    assert.equal(typeof dashboard.refresh, 'string');
    assert.equal(dashboard.timepicker?.time_options, undefined);
    walk(dashboard, (k, v) => assert.ok(!(k === 'id' && v === 'custom.hideFrom'), 'no hideFrom override'));
    // Core panel plugins of Grafana 11, no plugin to install.
    for (const p of panels) assert.ok(['row', 'timeseries', 'stat', 'gauge', 'table'].includes(p.type), p.type);
    for (const p of visual)
      for (const t of p.targets) {
        if (p.type === 'table') assert.deepEqual([t.instant, t.range, t.format], [true, false, 'table']);
        else assert.deepEqual([t.instant, t.range], [false, true]);
      }
  });
});
