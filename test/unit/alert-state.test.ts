/**
 * The alert state machine with a fake clock: AlertingRule alone over given results, then rule groups and the rule
 * manager on redoubt's engine over in-memory series (ALERTS, ALERTS_FOR_STATE, staleness, restore after a restart).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotifiableAlert } from '../../src/monitor/alerting/alert.ts';
import { AlertingRule, RESOLVED_RETENTION_MS } from '../../src/monitor/alerting/alerting-rule.ts';
import type { AlertingRuleSpec, RuleGroupSpec } from '../../src/monitor/alerting/rule-file.ts';
import { RuleManager } from '../../src/monitor/alerting/rule-manager.ts';
import { TestSeriesStore } from '../../src/monitor/rules-test/test-series-store.ts';
import { promqlEngine } from '../../src/promql/engine.ts';
import { isStaleNaN, type Labels } from '../../src/promql/types.ts';

const MIN = 60e3;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);

function spec(over: Partial<AlertingRuleSpec> = {}): AlertingRuleSpec {
  return {
    kind: 'alert',
    name: 'Down',
    expr: 'up == 0',
    forMs: 2 * MIN,
    keepFiringForMs: 0,
    labels: { severity: 'critical', who: '{{ $labels.instance }}' },
    annotations: { summary: '{{ $labels.instance }} is {{ $value }}' },
    line: 1,
    ...over,
  };
}

const ctx = { externalLabels: { env: 'test' }, externalURL: 'http://redoubt' };
const sample = (instance: string, v = 0) => ({ labels: { __name__: 'up', instance, job: 'redis' }, t: 0, v });

describe('alerting rule state machine', () => {
  test('inactive → pending → firing after `for` → resolved, kept 15 minutes, then gone', () => {
    const rule = new AlertingRule(spec(), ctx);
    rule.restored = true;
    let out = rule.evaluate([sample('a')], T0);
    const [a] = rule.alerts();
    assert.equal(a.state, 'pending');
    assert.equal(a.activeAt, T0);
    assert.deepEqual(a.labels, { alertname: 'Down', instance: 'a', job: 'redis', severity: 'critical', who: 'a' });
    assert.deepEqual(a.annotations, { summary: 'a is 0' });
    assert.deepEqual(
      out.map((s) => [s.labels.__name__, s.labels.alertstate, s.v]),
      [
        ['ALERTS', 'pending', 1],
        ['ALERTS_FOR_STATE', undefined, T0 / 1000],
      ],
    );
    rule.evaluate([sample('a')], T0 + MIN);
    assert.equal(rule.alerts()[0].state, 'pending');
    out = rule.evaluate([sample('a', 0)], T0 + 2 * MIN);
    assert.equal(rule.alerts()[0].state, 'firing');
    assert.equal(rule.alerts()[0].firedAt, T0 + 2 * MIN);
    assert.equal(out[0].labels.alertstate, 'firing');
    out = rule.evaluate([], T0 + 3 * MIN);
    assert.deepEqual(out, [], 'no ALERTS once resolved (the group writes staleness markers)');
    const [resolved] = rule.alerts(['inactive']);
    assert.equal(resolved.resolvedAt, T0 + 3 * MIN);
    rule.evaluate([], T0 + 3 * MIN + RESOLVED_RETENTION_MS);
    assert.equal(rule.active.size, 1, 'kept for 15 minutes');
    rule.evaluate([], T0 + 3 * MIN + RESOLVED_RETENTION_MS + MIN);
    assert.equal(rule.active.size, 0);
  });

  test('a pending alert that goes away is forgotten at once; one that comes back starts over', () => {
    const rule = new AlertingRule(spec(), ctx);
    rule.evaluate([sample('a')], T0);
    rule.evaluate([], T0 + MIN);
    assert.equal(rule.active.size, 0);
    rule.evaluate([sample('a')], T0 + 2 * MIN);
    assert.equal(rule.alerts()[0].activeAt, T0 + 2 * MIN);
  });

  test('notifications: on firing, every resendDelay, and once on resolution; never while pending', () => {
    const rule = new AlertingRule(spec({ forMs: MIN }), ctx);
    const send = (t: number) => rule.alertsToSend(t, MIN, MIN, 'http://redoubt/graph');
    rule.evaluate([sample('a')], T0);
    assert.deepEqual(send(T0), []);
    rule.evaluate([sample('a')], T0 + MIN);
    const [first] = send(T0 + MIN);
    assert.equal(first.startsAt, T0 + MIN);
    assert.equal(first.endsAt, T0 + MIN + 4 * MIN, 'valid for 4 × max(resend delay, interval)');
    rule.evaluate([sample('a')], T0 + 2 * MIN);
    assert.deepEqual(send(T0 + 2 * MIN), [], 'not again within the resend delay');
    rule.evaluate([sample('a')], T0 + 3 * MIN);
    assert.equal(send(T0 + 3 * MIN).length, 1);
    rule.evaluate([], T0 + 4 * MIN);
    const [res] = send(T0 + 4 * MIN);
    assert.equal(res.endsAt, T0 + 4 * MIN, 'a resolved alert ends when it resolved');
  });

  test('a restored-less rule writes no ALERTS (Prometheus waits for the for-state restore)', () => {
    const rule = new AlertingRule(spec(), ctx);
    assert.deepEqual(rule.evaluate([sample('a')], T0), []);
  });

  test('keep_firing_for keeps a firing alert firing after its condition goes', () => {
    const rule = new AlertingRule(spec({ forMs: 0, keepFiringForMs: 2 * MIN }), ctx);
    rule.evaluate([sample('a')], T0);
    assert.equal(rule.alerts()[0].state, 'firing');
    rule.evaluate([], T0 + MIN);
    assert.equal(rule.alerts()[0]?.state, 'firing');
    rule.evaluate([], T0 + 2 * MIN);
    assert.equal(rule.alerts()[0]?.state, 'firing', 'gone for 1 minute of 2');
    rule.evaluate([], T0 + 3 * MIN);
    assert.equal(rule.alerts().length, 0);
    assert.equal(rule.alerts(['inactive'])[0].resolvedAt, T0 + 3 * MIN);
  });

  test('label sets that collide after the rule labels are an error; so is passing the limit', () => {
    const rule = new AlertingRule(spec({ labels: { instance: 'same' } }), ctx);
    assert.throws(() => rule.evaluate([sample('a'), sample('b')], T0), /same labelset after applying alert labels/);
    const limited = new AlertingRule(spec(), ctx);
    assert.throws(() => limited.evaluate([sample('a'), sample('b')], T0, 1), /exceeded limit of 1 with 2 alerts/);
    assert.equal(limited.active.size, 0);
  });
});

const GROUP: RuleGroupSpec = {
  name: 'g',
  file: 'test.rules',
  limit: 0,
  rules: [
    { kind: 'record', name: 'instance:up:min', expr: 'min by (instance) (up)', labels: {}, line: 1 },
    { ...spec({ expr: 'instance:up:min == 0', forMs: 20 * MIN }) },
  ],
};

function series(store: TestSeriesStore, matcher: Labels) {
  const ms = Object.entries(matcher).map(([name, value]) => ({ name, type: '=' as const, value }));
  return [...store.select(ms, { start: 0, end: Number.MAX_SAFE_INTEGER })];
}

/** A fake clock driving a rule manager over `store`; `up` of instance a is written every minute. */
function harness(store: TestSeriesStore, notified: NotifiableAlert[] = [], restore = {}) {
  const manager = new RuleManager([GROUP], {
    engine: promqlEngine,
    queryable: store,
    appendable: store,
    context: ctx,
    evaluationIntervalMs: MIN,
    restore,
    notify: (alerts) => notified.push(...alerts),
  });
  const at = (t: number, up: number) => {
    store.append({ __name__: 'up', instance: 'a', job: 'redis' }, t, up);
    manager.tick(t);
  };
  return { manager, at };
}

describe('rule groups and the rule manager on the engine', () => {
  test('a recording rule feeds the alert in the same evaluation; ALERTS and ALERTS_FOR_STATE are written, then marked stale', () => {
    const store = new TestSeriesStore();
    const notified: NotifiableAlert[] = [];
    const { manager, at } = harness(store, notified);
    for (let m = 0; m <= 20; m++) at(T0 + m * MIN, 0);
    const firing = manager.alerts(['firing']);
    assert.equal(firing.length, 1);
    assert.equal(firing[0].alert.activeAt, T0);
    assert.equal(notified.length, 1);
    assert.equal(notified[0].labels.env, 'test', 'external labels added for the notifiers');
    assert.match(
      notified[0].generatorURL,
      /^http:\/\/redoubt\/graph\?g0\.expr=instance%3Aup%3Amin\+%3D%3D\+0&g0\.tab=1$/,
    );
    at(T0 + 21 * MIN, 1);
    const alerts = series(store, { __name__: 'ALERTS', alertstate: 'firing' });
    assert.equal(alerts.length, 1);
    const v = alerts[0].v;
    assert.ok(isStaleNaN(v[v.length - 1]), 'the ALERTS series ends with a staleness marker');
    const forState = series(store, { __name__: 'ALERTS_FOR_STATE' })[0];
    assert.equal(forState.v[0], T0 / 1000);
    assert.equal(
      manager.groups[0].status.every((s) => s.health === 'ok'),
      true,
    );
  });

  test('a restart resumes a pending `for` timer from ALERTS_FOR_STATE, shifted by the downtime', () => {
    const store = new TestSeriesStore();
    const first = harness(store);
    for (let m = 0; m <= 5; m++) first.at(T0 + m * MIN, 0);
    assert.equal(first.manager.alerts(['pending'])[0].alert.activeAt, T0);
    // Down for 3 minutes (no evaluation, no scrape), then a new process over the same store.
    const second = harness(store);
    second.at(T0 + 9 * MIN, 0);
    const [pending] = second.manager.alerts(['pending']);
    assert.equal(
      pending.alert.activeAt,
      T0 + 4 * MIN,
      '5 minutes pending before, 3 minutes down: the clock moves on by 4',
    );
    for (let m = 10; m <= 23; m++) second.at(T0 + m * MIN, 0);
    assert.equal(second.manager.alerts(['firing']).length, 0, 'not yet: 20 minutes of pending are not over');
    second.at(T0 + 24 * MIN, 0);
    assert.equal(second.manager.alerts(['firing']).length, 1, 'fires after 20 minutes pending in total (5 + 15)');
  });

  test('without the saved state the timer starts over', () => {
    const store = new TestSeriesStore();
    const first = harness(store);
    for (let m = 0; m <= 5; m++) first.at(T0 + m * MIN, 0);
    const second = harness(new TestSeriesStore());
    second.at(T0 + 9 * MIN, 0);
    assert.equal(second.manager.alerts(['pending'])[0].alert.activeAt, T0 + 9 * MIN);
  });

  test('a rule whose for is under the grace period waits its for again, as in Prometheus; a shorter grace period restores it', () => {
    const short: RuleGroupSpec = { ...GROUP, rules: [{ ...spec({ expr: 'up == 0', forMs: 5 * MIN }) }] };
    const make = (store: TestSeriesStore, graceMs?: number) => {
      const manager = new RuleManager([short], {
        engine: promqlEngine,
        queryable: store,
        appendable: store,
        context: ctx,
        evaluationIntervalMs: MIN,
        restore: graceMs === undefined ? {} : { forGracePeriodMs: graceMs },
      });
      return (t: number) => {
        store.append({ __name__: 'up', instance: 'a', job: 'redis' }, t, 0);
        manager.tick(t);
        return manager;
      };
    };
    for (const [grace, expected] of [
      // Not restored: pending from the first evaluation after the restart.
      [undefined, T0 + 6 * MIN],
      // 3 minutes pending, 3 down: activeAt moves on by the downtime.
      [MIN, T0 + 3 * MIN],
    ] as const) {
      const store = new TestSeriesStore();
      const before = make(store, grace);
      for (let m = 0; m <= 3; m++) before(T0 + m * MIN);
      const after = make(store, grace)(T0 + 6 * MIN);
      assert.equal(after.alerts(['pending'])[0].alert.activeAt, expected, `grace ${grace}`);
    }
  });
});
