import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildAlerts } from '../../src/catalog/alerts.ts';
import { PROMETHEUS_GENERATED_METRICS, promqlMetricNames } from '../../src/catalog/promql-names.ts';
import { collectLiveSamples, deadReferences, type LiveSamples } from '../catalog/metric-coverage.ts';

let live: LiveSamples;
before(async () => {
  live = await collectLiveSamples();
});
after(async () => {
  await live?.stop();
});

test('no dead rules: every metric and label an alert queries is emitted by redoubt exporter (or Prometheus)', () => {
  const alerts = buildAlerts();
  const problems = deadReferences(
    alerts.map((a) => ({ where: a.name, expr: a.expr })),
    live.samples,
  );
  assert.deepEqual(problems, []);
  // The check is not vacuous: it saw the replica-, cluster-, error- and posture-only series.
  const used = new Set(alerts.flatMap((a) => promqlMetricNames(a.expr)));
  for (const name of [
    'redis_master_link_up',
    'redis_connected_slave_lag_seconds',
    'redis_cluster_state',
    'redis_errors_total',
    'redis_security_check_status',
    'redis_security_config_value',
  ])
    assert.ok(used.has(name) && live.samples.has(name), name);
  assert.ok(
    [...used].some((n) => PROMETHEUS_GENERATED_METRICS.includes(n)),
    'up is allowed as Prometheus-made',
  );
});

test('the check catches a dead name, a wrong label and a value that never occurs', () => {
  const problems = deadReferences(
    [
      { where: 'mixin', expr: 'redis_memory_fragmentation_ratio > 1.5' },
      { where: 'label', expr: 'redis_connected_slave_lag_seconds{state="online"} > 10' },
      { where: 'value', expr: 'increase(redis_errors_total{err="OOMKILL"}[5m]) > 0' },
    ],
    live.samples,
  );
  assert.deepEqual(problems, [
    'mixin: redis_memory_fragmentation_ratio is not emitted by redoubt exporter',
    'label: redis_connected_slave_lag_seconds has no label state',
    'value: redis_errors_total{err="OOMKILL"} never occurs',
  ]);
});
