import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAlerts } from '../../src/catalog/alerts.ts';
import { promqlMetricNames, promqlSelectors } from '../../src/catalog/promql-names.ts';

describe('promqlMetricNames', () => {
  const cases: Array<[string, string[]]> = [
    ['redis_up', ['redis_up']],
    ['redis_up == 0 or on (job, instance) up{job=~"redis.*"} == 0', ['redis_up', 'up']],
    ['absent(up{job=~"redis.*"})', ['up']],
    ['sum by (job, instance) (rate(redis_commands_total{cmd="get"}[5m]))', ['redis_commands_total']],
    ['sum(rate(redis_commands_total[1m])) by (cmd) / ignoring(cmd) group_left sum(x)', ['redis_commands_total', 'x']],
    ['a / on (instance) group_left (role, maxmemory_policy) redis_instance_info', ['a', 'redis_instance_info']],
    ['histogram_quantile(0.99, sum by (le) (rate(foo_bucket[5m])))', ['foo_bucket']],
    ['topk(10, sum without (instance) (bar)) > bool 1e3', ['bar']],
    ['quantile(0.5, x) + count_values("v", y) - count(z) * avg(w) unless group(v)', ['v', 'w', 'x', 'y', 'z']],
    ['max_over_time(x[1h:5m]) offset 1h30m', ['x']],
    ['x @ start() + y @ 1609746000', ['x', 'y']],
    ['label_replace(up, "dst", "$1", "src", "(.*)")', ['up']],
    ['{__name__="redis_memory_used_bytes", instance="a"}', ['redis_memory_used_bytes']],
    ['{"redis.memory.used", job="r"}', ['redis.memory.used']],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variables, not JS placeholders
      'redis_up{job=~"$job",instance=~"$instance"} + rate(c_total[$__rate_interval]) + d[${__interval}] * ${k} + e[[v]]',
      ['c_total', 'd', 'e', 'redis_up'],
    ],
    ['vector(0) + time() - Inf + NaN + .5 + 0x1f', []],
    ['SUM BY (job) (x) AND ON(job) y', ['x', 'y']],
    ['job:redis_ops:rate5m > 1 # a comment mentioning not_a_metric\n and z', ['job:redis_ops:rate5m', 'z']],
    ['x{a="b\\"c}", d!~\'e\'}', ['x']],
  ];
  for (const [expr, names] of cases) test(expr, () => assert.deepEqual(promqlMetricNames(expr), names));

  test('matchers come with their selector, __name__ excluded', () => {
    assert.deepEqual(promqlSelectors('redis_errors_total{err="OOM"} unless {__name__="b", c!="d"}'), [
      { metric: 'redis_errors_total', matchers: [{ label: 'err', op: '=', value: 'OOM' }] },
      { metric: 'b', matchers: [{ label: 'c', op: '!=', value: 'd' }] },
    ]);
  });

  test('unbalanced input is an error, not a silent empty result', () => {
    assert.throws(() => promqlMetricNames('rate(x[5m)'), /unbalanced/);
    assert.throws(() => promqlMetricNames('x{a="b}'), /unterminated/);
  });

  test('every catalogue expression yields names and no keyword or function', () => {
    for (const a of buildAlerts()) {
      const names = promqlMetricNames(a.expr);
      assert.ok(names.length > 0, a.name);
      for (const n of names) assert.match(n, /^(redis_|redoubt_backup_|up$)/, `${a.name}: ${n}`);
    }
  });
});
