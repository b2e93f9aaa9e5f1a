import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertHistory, type AlertHistoryState, isAlertHistoryState } from '../../src/monitor/alerting/alert-history.ts';
import { MemorySink } from '../../src/monitor/alerting/notify/durable-json.ts';
import type { RuleGroupSpec } from '../../src/monitor/alerting/rule-file.ts';
import { RuleManager } from '../../src/monitor/alerting/rule-manager.ts';
import { TestSeriesStore } from '../../src/monitor/rules-test/test-series-store.ts';
import { promqlEngine } from '../../src/promql/engine.ts';

const MIN = 60e3;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);

const GROUP: RuleGroupSpec = {
  name: 'g',
  file: 'test.rules',
  limit: 0,
  rules: [
    {
      kind: 'alert',
      name: 'Down',
      expr: 'up == 0',
      forMs: 2 * MIN,
      keepFiringForMs: 0,
      labels: {},
      annotations: {},
      line: 1,
    },
  ],
};

function run(history: AlertHistory) {
  const store = new TestSeriesStore();
  const manager = new RuleManager([GROUP], {
    engine: promqlEngine,
    queryable: store,
    appendable: store,
    context: { externalLabels: {}, externalURL: 'http://redoubt' },
    evaluationIntervalMs: MIN,
    onEvaluated: (g, ts) => history.observe(g, ts),
  });
  return (t: number, up: Record<string, number>) => {
    for (const [instance, v] of Object.entries(up)) store.append({ __name__: 'up', instance, job: 'redis' }, t, v);
    manager.tick(t);
  };
}

test('the rule manager’s state changes: pending, firing, resolved, and a pending alert that went away', () => {
  const sink = new MemorySink<AlertHistoryState>();
  const history = new AlertHistory(sink);
  const at = run(history);
  at(T0, { a: 0, b: 1 });
  at(T0 + MIN, { a: 0, b: 0 });
  at(T0 + 2 * MIN, { a: 0, b: 1 });
  at(T0 + 3 * MIN, { a: 1, b: 1 });
  at(T0 + 4 * MIN, { a: 1, b: 1 });
  const events = history.recent(100).reverse();
  assert.deepEqual(
    events.map((e) => [e.at - T0, e.labels.instance, e.from, e.to]),
    [
      [0, 'a', 'inactive', 'pending'],
      [MIN, 'b', 'inactive', 'pending'],
      [2 * MIN, 'a', 'pending', 'firing'],
      [2 * MIN, 'b', 'pending', 'inactive'],
      [3 * MIN, 'a', 'firing', 'inactive'],
    ],
  );
  assert.ok(events.every((e) => e.name === 'Down' && e.labels.alertname === 'Down'));
  assert.equal(events[0].value, 0);
  assert.equal(sink.saves, 4, 'saved after each evaluation that changed something, not after the quiet one');
  assert.deepEqual(new AlertHistory(sink).recent(100), history.recent(100), 'read back after a restart');
  assert.equal(history.recent(2).length, 2);
  assert.equal(history.recent(2)[0].at, T0 + 3 * MIN, 'newest first');
});

test('the history is a bounded ring', () => {
  const history = new AlertHistory(undefined, 3);
  const at = run(history);
  for (let m = 0; m < 10; m++) at(T0 + m * MIN, { a: m % 2 });
  assert.equal(history.recent(100).length, 3);
});

test('a saved history of the wrong shape is not read back', () => {
  const sink = new MemorySink<AlertHistoryState>();
  sink.state = {
    version: 1,
    events: [{ at: 1, name: 'X', labels: { a: { nested: true } }, from: 'inactive', to: 'firing', value: 1 }],
  } as unknown as AlertHistoryState;
  assert.equal(isAlertHistoryState(sink.state), false);
  const good = {
    version: 1,
    events: [{ at: 1, name: 'X', labels: { a: 'b' }, from: 'inactive', to: 'firing', value: 1 }],
  };
  assert.equal(isAlertHistoryState(good), true);
});
