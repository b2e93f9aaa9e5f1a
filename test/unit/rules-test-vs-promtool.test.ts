/**
 * `redoubt rules test` against `promtool test rules` (Debian's Prometheus 2.42) on the same files, one promtool test
 * group per file: the catalogue's own cases (all pass), the naive rules public rule sets use (they fail the trap
 * cases), expectations broken on purpose (every one fails), and hand-written groups over the notation and the
 * format's corners. Both tools must give every file the same verdict; for the broken expectations the failure
 * output must be the same text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { type Alert, buildAlerts } from '../../src/catalog/alerts.ts';
import { renderAlertRules } from '../../src/catalog/render-rules.ts';
import { ALERT_CASES, type AlertCase } from '../catalog/alert-cases.ts';
import { renderPromtoolTests } from '../catalog/promtool-tests.ts';
import { promtoolTestRules, redoubtTestRules } from '../support/rules-test-runs.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'redoubt-rules-vs-promtool-'));
  dirs.push(d);
  return d;
}

/** One test file per case; returns the files (absolute). */
function writeCaseFiles(alerts: Alert[], cases: readonly AlertCase[]): string[] {
  const dir = freshDir();
  writeFileSync(join(dir, 'alert.rules'), renderAlertRules(alerts));
  return cases.map((c, i) => {
    const file = join(dir, `case-${String(i).padStart(3, '0')}.yml`);
    writeFileSync(file, renderPromtoolTests([c], { ruleFile: 'alert.rules', alerts }));
    return file;
  });
}

/** Runs both tools; asserts the same verdict per file; returns both runs. */
async function compare(files: string[]) {
  const [prom, ours] = await Promise.all([promtoolTestRules(files), redoubtTestRules(files)]);
  const disagree = files.filter((f) => prom.passed.get(f) !== ours.passed.get(f));
  assert.deepEqual(
    disagree,
    [],
    `verdicts differ:\npromtool:\n${prom.stdout}${prom.stderr}\nredoubt:\n${ours.stdout}${ours.stderr}`,
  );
  assert.equal(ours.code, prom.code, 'exit codes');
  return { prom, ours };
}

const ALERTS = buildAlerts();

describe('redoubt rules test agrees with promtool test rules', () => {
  test('the catalogue: every case passes on both', async () => {
    const files = writeCaseFiles(ALERTS, ALERT_CASES);
    const { ours } = await compare(files);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal([...ours.passed.values()].filter(Boolean).length, ALERT_CASES.length);
  });

  const NAIVE: Array<{ alert: string; expr: string }> = [
    { alert: 'RedisDown', expr: 'redis_up == 0' },
    { alert: 'RedisMemoryUsageWarning', expr: '100 * redis_memory_used_bytes / redis_memory_max_bytes > 80' },
    {
      alert: 'RedisCacheMissRateHigh',
      expr: 'rate(redis_keyspace_misses_total[5m]) / (rate(redis_keyspace_hits_total[5m]) + rate(redis_keyspace_misses_total[5m])) > 0.2',
    },
    { alert: 'RedisExpensiveCommands', expr: 'redis_slowlog_length > 0' },
    { alert: 'RedisOutOfMemoryErrors', expr: 'increase(redis_errors_total{err="OOM"}[5m]) > 0' },
    { alert: 'RedisReplicationLag', expr: 'redis_connected_slave_lag_seconds > 10' },
    { alert: 'RedisProtectedModeDisabled', expr: 'redis_security_config_value{param="protected-mode"} == 0' },
  ];
  test('naive rules: the same cases fail on both, and each naive rule fails at least one', async () => {
    const files: string[] = [];
    const byAlert = new Map<string, string[]>();
    for (const naive of NAIVE) {
      const alerts = ALERTS.map((a) => (a.name === naive.alert ? { ...a, expr: naive.expr } : a));
      const mine = writeCaseFiles(
        alerts,
        ALERT_CASES.filter((c) => c.alert === naive.alert),
      );
      byAlert.set(naive.alert, mine);
      files.push(...mine);
    }
    const { ours } = await compare(files);
    assert.equal(ours.code, 1);
    for (const [alert, mine] of byAlert)
      assert.ok(
        mine.some((f) => ours.passed.get(f) === false),
        `the naive ${alert} passed all its cases`,
      );
  });

  test('broken expectations: every file fails on both, with the same failure text', async () => {
    const broken: AlertCase[] = [];
    const early: AlertCase[] = [];
    for (const c of ALERT_CASES) {
      const firing = c.checks.find((ch) => ch.expect.length > 0);
      if (!firing) continue;
      // A wrong summary and a missing alert always fail; the alert expected at 0m fails unless it fires at once.
      broken.push({
        ...c,
        checks: [
          {
            ...firing,
            expect: firing.expect.map((e) => ({ ...e, annotations: { ...e.annotations, summary: 'wrong' } })),
          },
        ],
      });
      broken.push({ ...c, checks: [{ ...firing, expect: [] }] });
      early.push({ ...c, checks: [{ at: '0m', alert: firing.alert, expect: firing.expect }] });
    }
    const earlyFiles = writeCaseFiles(ALERTS, early);
    const earlyRuns = await compare(earlyFiles);
    assert.ok([...earlyRuns.ours.passed.values()].filter((p) => !p).length > early.length / 2);
    assert.equal(earlyRuns.ours.stderr, earlyRuns.prom.stderr);
    const files = writeCaseFiles(ALERTS, broken);
    const { prom, ours } = await compare(files);
    assert.ok(
      [...ours.passed.values()].every((p) => !p),
      'every broken expectation fails',
    );
    assert.equal(ours.stdout, prom.stdout);
    assert.equal(ours.stderr, prom.stderr);
  });

  test('hand-written groups: notation, recording rules, group order, external labels, promql_expr_test', async () => {
    const dir = freshDir();
    writeFileSync(
      join(dir, 'rules.yml'),
      stringify({
        groups: [
          {
            name: 'second',
            rules: [
              { alert: 'RatioHigh', expr: 'job:req:ratio > 0.5', for: '2m', labels: { team: '{{ $labels.job }}' } },
            ],
          },
          {
            name: 'first',
            rules: [
              { record: 'job:req:ratio', expr: 'sum by (job) (errors) / sum by (job) (requests)' },
              {
                alert: 'Stale',
                expr: 'absent(heartbeat)',
                annotations: { env: '{{ $externalLabels.env }}', v: '{{ $value | humanize }}' },
              },
            ],
          },
        ],
      }),
    );
    const group = (name: string, extra: Record<string, unknown>) => ({
      name,
      interval: '1m',
      external_labels: { env: 'prod' },
      input_series: [
        { series: 'errors{job="api",instance="a"}', values: '0+1x5 6+10x10' },
        { series: 'requests{job="api",instance="a"}', values: '10x15' },
        { series: 'heartbeat{job="api"}', values: '1x3 stale _x2 1 _ 1x3' },
      ],
      ...extra,
    });
    const files: Record<string, unknown> = {
      'pass.yml': {
        rule_files: ['rules.yml'],
        evaluation_interval: '1m',
        group_eval_order: ['first', 'second'],
        tests: [
          group('ratio fires after for', {
            alert_rule_test: [
              { eval_time: '5m', alertname: 'RatioHigh', exp_alerts: [] },
              { eval_time: '10m', alertname: 'RatioHigh', exp_alerts: [{ exp_labels: { job: 'api', team: 'api' } }] },
              {
                eval_time: '5m',
                alertname: 'Stale',
                exp_alerts: [{ exp_labels: {}, exp_annotations: { env: 'prod', v: '1' } }],
              },
            ],
            promql_expr_test: [
              {
                expr: 'job:req:ratio',
                eval_time: '4m',
                exp_samples: [{ labels: 'job:req:ratio{job="api"}', value: 0.4 }],
              },
              { expr: 'heartbeat', eval_time: '5m', exp_samples: [] },
              {
                expr: 'count_over_time(heartbeat[10m])',
                eval_time: '10m',
                exp_samples: [{ labels: '{job="api"}', value: 7 }],
              },
              { expr: '1 + 1', eval_time: '0m', exp_samples: [{ labels: '{}', value: 2 }] },
            ],
          }),
        ],
      },
      'fail-value.yml': {
        rule_files: ['rules.yml'],
        tests: [
          group('a wrong value', {
            promql_expr_test: [{ expr: 'sum(requests)', eval_time: '1m', exp_samples: [{ labels: '{}', value: 11 }] }],
          }),
        ],
      },
      'fail-order.yml': {
        rule_files: ['rules.yml'],
        group_eval_order: ['second', 'first'],
        tests: [
          group('a missed for: the ratio is recorded after the alert reads it', {
            alert_rule_test: [{ eval_time: '6m', alertname: 'RatioHigh', exp_alerts: [] }],
          }),
        ],
      },
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), stringify(body));
    const paths = Object.keys(files).map((f) => join(dir, f));
    const { ours } = await compare(paths);
    assert.equal(ours.passed.get(join(dir, 'pass.yml')), true, ours.stderr);
    assert.equal(ours.passed.get(join(dir, 'fail-value.yml')), false);
  });
});
