import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  ALERT_GROUPS,
  type Alert,
  buildAlerts,
  DEFAULT_ALERT_THRESHOLDS,
  MEMORY_USAGE_TIERS,
  resolveAlertThresholds,
} from '../../src/catalog/alerts.ts';
import { renderAlertRules, renderRulesObject } from '../../src/catalog/render-rules.ts';
import { ALERT_CASES, type AlertCase } from '../catalog/alert-cases.ts';
import { caseTitle, renderPromtoolTests, runPromtool } from '../catalog/promtool-tests.ts';
import { redoubtTestRules } from '../support/rules-test-runs.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/golden/catalog');

/** Compares text with test/fixtures/golden/catalog/NAME; REDOUBT_UPDATE_GOLDEN=1 rewrites the file instead. */
function assertGoldenText(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.REDOUBT_UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) assert.fail(`${path} is missing; run the test with REDOUBT_UPDATE_GOLDEN=1 to create it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file`);
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes rules + promtool tests for `cases` into a fresh directory; returns the directory. */
function writeSuite(alerts: Alert[], cases: readonly AlertCase[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-alert-rules-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'alert.rules'), renderAlertRules(alerts));
  writeFileSync(join(dir, 'alert.test.yml'), renderPromtoolTests(cases, { ruleFile: 'alert.rules', alerts }));
  return dir;
}

const ALERTS = buildAlerts();
const byName = new Map(ALERTS.map((a) => [a.name, a]));

/** The checks of every case that concern `alert`. */
function checksOf(alert: string) {
  return ALERT_CASES.flatMap((c) =>
    c.checks.filter((ch) => (ch.alert ?? c.alert) === alert).map((check) => ({ case: c, check })),
  );
}

describe('alert catalogue', () => {
  test('has every alert the issue and the seed name, once', () => {
    const required = [
      'RedisDown',
      'RedisMemoryUsageWarning',
      'RedisMemoryUsageHigh',
      'RedisMemoryUsageCritical',
      'RedisMemoryFragmentationHigh',
      'RedisCacheMissRateHigh',
      'RedisReplicationBroken',
      'RedisConnectedClientsHigh',
      'RedisExpensiveCommands',
      'RedisMasterLinkDown',
      'RedisReplicationLag',
      'RedisRejectedConnections',
      'RedisKeysEvicted',
      'RedisOutOfMemoryErrors',
      'RedisRdbSaveFailed',
      'RedisAofWriteFailed',
      'RedisMaxmemoryNotSet',
      'RedisInstanceRestarted',
      'RedisExporterTargetMissing',
      'RedisClusterStateNotOk',
      'RedisSecurityCriticalCheckFailing',
      'RedisAuthFailuresRising',
      'RedisProtectedModeDisabled',
      'RedisBackupStale',
      'RedisBackupFailed',
    ];
    for (const name of required) assert.ok(byName.has(name), `${name} is missing`);
    assert.equal(byName.size, ALERTS.length, 'alert names are unique');
  });

  test('every alert is complete: group, severity, annotations, a static runbook', () => {
    for (const a of ALERTS) {
      assert.ok((ALERT_GROUPS as readonly string[]).includes(a.group), `${a.name}: group ${a.group}`);
      assert.ok(['critical', 'warning', 'info'].includes(a.severity), a.name);
      assert.match(a.for, /^\d+[smh]$/, a.name);
      assert.ok(a.summary && a.description && a.runbook.length > 20, a.name);
      assert.ok(!a.runbook.includes('{{'), `${a.name}: the runbook is static text`);
      assert.ok(!a.expr.includes('undefined') && !a.expr.includes('NaN'), `${a.name}: ${a.expr}`);
    }
  });

  test('the memory tiers overlap and carry a tier label for Alertmanager inhibition', () => {
    const tiers = MEMORY_USAGE_TIERS.map((n) => byName.get(n)!);
    assert.deepEqual(
      tiers.map((a) => a.labels?.tier),
      ['warning', 'high', 'critical'],
    );
    assert.deepEqual(
      tiers.map((a) => a.severity),
      ['warning', 'warning', 'critical'],
    );
    for (const a of tiers) assert.match(a.expr, /\(redis_memory_max_bytes > 0\)/, 'maxmemory 0 never divides');
  });

  test('thresholds are parameters', () => {
    const custom = buildAlerts({ memoryWarningPercent: 70, missRatio: 0.5, redisJobRegex: 'cache' });
    const get = (n: string) => custom.find((a) => a.name === n)!;
    assert.match(get('RedisMemoryUsageWarning').expr, / > 70$/);
    assert.match(get('RedisMemoryUsageWarning').summary, /70%/);
    assert.match(get('RedisCacheMissRateHigh').expr, /> 0\.5\n/);
    assert.match(get('RedisDown').expr, /up\{job=~"cache"\} == 0/);
    assert.deepEqual(resolveAlertThresholds(), { ...DEFAULT_ALERT_THRESHOLDS });
    assert.match(get('RedisExporterTargetMissing').expr, /^absent\(up\{job=~"cache"\}\)$/);
  });

  test('a job regex is quoted as a PromQL string', () => {
    const [down] = buildAlerts({ redisJobRegex: 'a"b\\c' });
    assert.match(down.expr, /up\{job=~"a\\"b\\\\c"\}/);
  });

  test('invalid thresholds are refused with the reason', () => {
    assert.throws(() => buildAlerts({ memoryHighPercent: 99 }), /memory tiers must rise/);
    assert.throws(() => buildAlerts({ rateWindow: '5 minutes' }), /rateWindow must be a duration/);
    assert.throws(() => buildAlerts({ missRatio: 20 }), /missRatio is a ratio/);
    assert.throws(() => buildAlerts({ connectedClients: Number.NaN }), /connectedClients must be a non-negative/);
    assert.throws(() => buildAlerts({ redisJobRegex: '' }), /redisJobRegex/);
  });
});

describe('alert cases', () => {
  test('every case names a catalogue alert and every firing alert has its catalogue severity', () => {
    for (const c of ALERT_CASES)
      for (const ch of c.checks) {
        const a = byName.get(ch.alert ?? c.alert);
        assert.ok(a, `${caseTitle(c)}: unknown alert`);
        for (const e of ch.expect) {
          assert.equal(e.labels.severity, a.severity, caseTitle(c));
          for (const [k, v] of Object.entries(a.labels ?? {})) assert.equal(e.labels[k], v, caseTitle(c));
          assert.ok(e.annotations.summary && e.annotations.description, caseTitle(c));
        }
      }
  });

  for (const a of ALERTS)
    test(`${a.name}: fires in one case, is silent in another, and has a case for each trap it guards`, () => {
      const checks = checksOf(a.name);
      assert.ok(
        checks.some(({ check }) => check.expect.length > 0),
        `${a.name} never fires in its cases`,
      );
      assert.ok(
        checks.some(({ check }) => check.expect.length === 0),
        `${a.name} is never shown silent`,
      );
      for (const trap of a.guards)
        assert.ok(
          checks.some(({ case: c }) => c.trap === trap),
          `${a.name} guards against ${trap} but no case puts it in that trap`,
        );
    });
});

describe('rendered rule file', () => {
  test('golden: alert.rules with the default thresholds', () =>
    assertGoldenText('alert.rules', renderAlertRules(ALERTS)));

  test('stable: the same input renders the same bytes, groups in catalogue order', () => {
    assert.equal(renderAlertRules(buildAlerts()), renderAlertRules(buildAlerts()));
    const obj = renderRulesObject(ALERTS);
    assert.deepEqual(
      obj.groups.map((g) => g.name),
      ALERT_GROUPS.filter((g) => ALERTS.some((a) => a.group === g)),
    );
    assert.deepEqual(parse(renderAlertRules(ALERTS)), obj, 'the YAML is the object');
  });

  test('a zero `for` is left out; labels are severity first; runbook_url with a base URL', () => {
    const obj = renderRulesObject(ALERTS, { runbookBaseUrl: 'https://example.com/runbooks' });
    const rules = obj.groups.flatMap((g) => g.rules);
    const oom = rules.find((r) => r.alert === 'RedisOutOfMemoryErrors')!;
    assert.equal(oom.for, undefined);
    assert.equal(oom.annotations.runbook_url, 'https://example.com/runbooks#redisoutofmemoryerrors');
    const crit = rules.find((r) => r.alert === 'RedisMemoryUsageCritical')!;
    assert.deepEqual(Object.keys(crit.labels), ['severity', 'tier']);
    assert.deepEqual(Object.keys(crit), ['alert', 'expr', 'for', 'labels', 'annotations']);
  });

  test('duplicate alert names are refused', () => {
    assert.throws(() => renderAlertRules([ALERTS[0], ALERTS[0]]), /appears twice/);
  });
});

describe('promtool', () => {
  test('promtool check rules accepts the default and a custom catalogue', async () => {
    for (const alerts of [ALERTS, buildAlerts({ redisJobRegex: 'redis-(cache|store)', rateWindow: '10m' })]) {
      const dir = writeSuite(alerts, []);
      const r = await runPromtool(['check', 'rules', 'alert.rules'], dir);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`SUCCESS: ${alerts.length} rules found`));
    }
  });

  test('promtool test rules: every case passes', async () => {
    const dir = writeSuite(ALERTS, ALERT_CASES);
    const r = await runPromtool(['test', 'rules', 'alert.test.yml'], dir);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  test("redoubt rules test: every case passes on redoubt's own engine too", async () => {
    const dir = writeSuite(ALERTS, ALERT_CASES);
    const r = await redoubtTestRules([join(dir, 'alert.test.yml')]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  test('promtool test rules with a runbook base URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-alert-rules-'));
    dirs.push(dir);
    const base = 'https://example.com/redoubt#alerts';
    writeFileSync(join(dir, 'alert.rules'), renderAlertRules(ALERTS, { runbookBaseUrl: base }));
    const cases = ALERT_CASES.filter((c) => c.alert === 'RedisDown');
    writeFileSync(
      join(dir, 't.yml'),
      renderPromtoolTests(cases, { ruleFile: 'alert.rules', alerts: ALERTS, runbookBaseUrl: base }),
    );
    const r = await runPromtool(['test', 'rules', 't.yml'], dir);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  });

  /**
   * The cases really exercise the traps: the naive rule public rule sets use instead fails them. Each entry
   * replaces one alert's expression and runs only that alert's cases, expecting promtool to fail on the trap.
   */
  const NAIVE: Array<{ alert: string; expr: string; trap: string; for?: string }> = [
    { alert: 'RedisDown', expr: 'redis_up == 0', trap: 'scrape-timeout' },
    { alert: 'RedisDown', expr: 'up{job=~"redis.*"} == 0', trap: 'multi-target-up' },
    {
      alert: 'RedisMemoryUsageWarning',
      expr: '100 * redis_memory_used_bytes / redis_memory_max_bytes > 80',
      trap: 'maxmemory-0',
    },
    {
      alert: 'RedisMemoryUsageCritical',
      expr: '100 * redis_config_maxmemory / redis_memory_max_bytes > 95',
      trap: 'config-blocked',
    },
    {
      alert: 'RedisMemoryFragmentationHigh',
      expr: 'redis_mem_fragmentation_ratio > 1.5 or redis_memory_used_rss_bytes / redis_memory_used_bytes > 1.5',
      trap: 'tiny-instance',
    },
    {
      alert: 'RedisCacheMissRateHigh',
      expr: 'rate(redis_keyspace_misses_total[5m]) / (rate(redis_keyspace_hits_total[5m]) + rate(redis_keyspace_misses_total[5m])) > 0.2',
      trap: 'low-traffic',
    },
    { alert: 'RedisExpensiveCommands', expr: 'redis_slowlog_length > 0', trap: 'capped-slowlog' },
    // With `for` equal to the window the bogus 0 → 1974 jump lasts just under `for`; any shorter `for` (or a
    // longer rateWindow) fires on it.
    {
      alert: 'RedisExpensiveCommands',
      expr: 'increase(redis_slowlog_last_id[5m]) > 5',
      trap: 'slowlog-reset',
      for: '0m',
    },
    {
      alert: 'RedisConnectedClientsHigh',
      expr: 'redis_connected_clients > 1000 or redis_connected_clients > 0.85 * redis_config_maxclients',
      trap: 'config-blocked',
    },
    { alert: 'RedisOutOfMemoryErrors', expr: 'increase(redis_errors_total{err="OOM"}[5m]) > 0', trap: 'new-series' },
    { alert: 'RedisKeysEvicted', expr: 'increase(redis_evicted_keys_total[5m]) > 0', trap: 'allkeys-policy' },
    {
      alert: 'RedisReplicationBroken',
      expr: 'redis_connected_slaves < max_over_time(redis_connected_slaves[1h])',
      trap: 'replica',
    },
    { alert: 'RedisReplicationLag', expr: 'redis_connected_slave_lag_seconds > 10', trap: 'initial-sync' },
    {
      alert: 'RedisSecurityCriticalCheckFailing',
      expr: 'redis_security_check_status{severity="critical"} != 0',
      trap: 'unknown-check',
    },
    {
      alert: 'RedisProtectedModeDisabled',
      expr: 'redis_security_config_value{param="protected-mode"} == 0',
      trap: 'configured-off',
    },
    { alert: 'RedisInstanceRestarted', expr: 'redis_uptime_in_seconds < 900', trap: 'new instance' },
  ];
  for (const naive of NAIVE)
    test(`the naive ${naive.alert} (${naive.expr}) fails its ${naive.trap} case`, async () => {
      const alerts = ALERTS.map((a) =>
        a.name === naive.alert ? { ...a, expr: naive.expr, for: naive.for ?? a.for } : a,
      );
      const cases = ALERT_CASES.filter(
        (c) => c.alert === naive.alert && (c.trap === naive.trap || c.name.includes(naive.trap)),
      );
      assert.ok(cases.length > 0, `no ${naive.trap} case for ${naive.alert}`);
      const dir = writeSuite(alerts, cases);
      const r = await runPromtool(['test', 'rules', 'alert.test.yml'], dir);
      assert.notEqual(r.code, 0, `the naive rule passed the trap case:\n${r.stdout}`);
      assert.match(r.stdout + r.stderr, /FAILED/);
      const ours = await redoubtTestRules([join(dir, 'alert.test.yml')]);
      assert.equal(ours.code, 1, `the naive rule passed the trap case on redoubt rules test:\n${ours.stdout}`);
      assert.match(ours.stderr, /FAILED/);
    });
});

test('the slowlog guard, not `for`, keeps RedisExpensiveCommands silent after SLOWLOG RESET', async () => {
  const alerts = ALERTS.map((a) => (a.name === 'RedisExpensiveCommands' ? { ...a, for: '0m' } : a));
  const cases = ALERT_CASES.filter((c) => c.alert === 'RedisExpensiveCommands' && c.trap === 'slowlog-reset');
  const dir = writeSuite(alerts, cases);
  const r = await runPromtool(['test', 'rules', 'alert.test.yml'], dir);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
});
