import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAlerts } from '../../src/catalog/alerts.ts';
import { renderAlertRules } from '../../src/catalog/render-rules.ts';
import { checkPromqlExpression as checkExpression } from '../../src/monitor/alerting/expression-check.ts';
import { parseRuleFile, RuleFileError } from '../../src/monitor/alerting/rule-file.ts';

describe('rule files', () => {
  test("the catalogue's rule file loads: every alert, its for, labels and annotations", () => {
    const alerts = buildAlerts();
    const groups = parseRuleFile(renderAlertRules(alerts), 'alert.rules', checkExpression);
    const rules = groups.flatMap((g) => g.rules);
    assert.equal(rules.length, alerts.length);
    const down = rules.find((r) => r.name === 'RedisDown');
    assert.ok(down && down.kind === 'alert');
    assert.equal(down.forMs, 60e3);
    assert.deepEqual(down.labels, { severity: 'critical' });
    assert.equal(down.annotations.summary, 'Redis {{ $labels.instance }} is down');
    assert.equal(groups[0].file, 'alert.rules');
  });

  test('recording rules, intervals, limits and keep_firing_for', () => {
    const [g] = parseRuleFile(
      `groups:
  - name: g
    interval: 30s
    limit: 10
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: { source: redoubt }
      - alert: A
        expr: up == 0
        for: 1h30m
        keep_firing_for: 5m
`,
      'r.yml',
    );
    assert.equal(g.intervalMs, 30e3);
    assert.equal(g.limit, 10);
    assert.deepEqual(g.rules[0], {
      kind: 'record',
      name: 'job:up:sum',
      expr: 'sum by (job) (up)',
      labels: { source: 'redoubt' },
      line: 6,
    });
    assert.equal(g.rules[1].kind === 'alert' && g.rules[1].forMs, 5400e3);
    assert.equal(g.rules[1].kind === 'alert' && g.rules[1].keepFiringForMs, 300e3);
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      'an unknown key',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        fro: 5m\n',
      /^r\.yml:6: groups\[0\]\.rules\[0\]\.fro: unknown key/,
    ],
    [
      'a bad duration',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5 minutes\n',
      /^r\.yml:6: groups\[0\]\.rules\[0\]\.for: "5 minutes" is not a duration/,
    ],
    [
      'both record and alert',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        record: b\n        expr: up\n',
      /r\.yml:4: groups\[0\]\.rules\[0\]: a rule needs exactly one of record or alert/,
    ],
    ['no expr', 'groups:\n  - name: g\n    rules:\n      - alert: A\n', /r\.yml:4: .*expr is required/],
    [
      'a bad expression',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n',
      /r\.yml:5: groups\[0\]\.rules\[0\]\.expr: could not parse expression/,
    ],
    [
      'a repeated group',
      'groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n',
      /r\.yml:4: groups\[1\]\.name: group "g" is repeated/,
    ],
    [
      'a bad template',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          s: "{{ if true }}x{{ end }}"\n',
      /r\.yml:7: .*annotations: s: template: __alert_A:1: \{\{if\}\} is not supported/,
    ],
    [
      'a bad record name',
      'groups:\n  - name: g\n    rules:\n      - record: "a-b"\n        expr: up\n',
      /r\.yml:4: .*invalid recording rule name "a-b"/,
    ],
    [
      'for on a recording rule',
      'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n        for: 1m\n',
      /r\.yml:6: .*invalid field 'for' in recording rule/,
    ],
    ['broken YAML', 'groups:\n  - name: [\n', /^r\.yml:\d+: not valid YAML/],
  ];
  for (const [what, text, message] of bad)
    test(`${what} is refused naming the line and key`, () => {
      assert.throws(
        () => parseRuleFile(text, 'r.yml', checkExpression),
        (e: unknown) => e instanceof RuleFileError && message.test(e.message),
      );
    });
});
