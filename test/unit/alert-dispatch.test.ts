/**
 * The embedded dispatcher, silences and outbox with a fake clock: Alertmanager's grouping, group_wait,
 * group_interval, repeat_interval, resolved notifications, silences with expiry, inhibition, and a restart from a
 * snapshot that neither loses nor repeats a notification.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotifiableAlert } from '../../src/monitor/alerting/alert.ts';
import { parseAmMatcher } from '../../src/monitor/alerting/notify/am-matchers.ts';
import { Dispatcher, type RouteConfig } from '../../src/monitor/alerting/notify/dispatcher.ts';
import { fingerprint } from '../../src/monitor/alerting/notify/fingerprint.ts';
import { Outbox } from '../../src/monitor/alerting/notify/outbox.ts';
import { Silences } from '../../src/monitor/alerting/notify/silences.ts';
import { slackMessage } from '../../src/monitor/alerting/notify/slack-payload.ts';
import { webhookPayload } from '../../src/monitor/alerting/notify/webhook-payload.ts';

const S = 1000;
const MIN = 60 * S;
const T0 = 1_700_000_000_000;

const route: RouteConfig = {
  receiver: 'hook',
  groupBy: ['alertname', 'instance'],
  groupWaitMs: 30 * S,
  groupIntervalMs: 5 * MIN,
  repeatIntervalMs: 4 * 60 * MIN,
  sendResolved: true,
};

function alert(instance: string, t: number, resolvedAt = 0, name = 'RedisDown'): NotifiableAlert {
  return {
    labels: { alertname: name, instance, job: 'redis', severity: 'critical' },
    annotations: { summary: `${instance} is down` },
    startsAt: T0,
    endsAt: resolvedAt || t + 4 * MIN,
    generatorURL: 'http://redoubt/graph?g0.expr=up&g0.tab=1',
  };
}

describe('dispatcher', () => {
  test('waits group_wait, notifies once, repeats only after repeat_interval, then sends the resolution', () => {
    const silences = new Silences();
    const d = new Dispatcher([route], [], silences);
    d.receive([alert('a', T0)], T0);
    assert.equal(d.nextFlushAt(), T0 + 30 * S);
    assert.deepEqual(d.flush(T0 + 29 * S), []);
    const [first] = d.flush(T0 + 30 * S);
    assert.equal(first.status, 'firing');
    assert.equal(first.groupKey, '{}/0:{}:{alertname="RedisDown", instance="a"}');
    // Prometheus re-sends every minute; the group stays quiet.
    for (let m = 1; m < 240; m++) {
      d.receive([alert('a', T0 + m * MIN)], T0 + m * MIN);
      assert.deepEqual(d.flush(T0 + m * MIN + 30 * S), [], `minute ${m}`);
    }
    d.receive([alert('a', T0 + 240 * MIN)], T0 + 240 * MIN);
    const repeats = d.flush(T0 + 241 * MIN);
    assert.equal(repeats.length, 1, 'repeat_interval (4h) passed');
    d.receive([alert('a', T0 + 242 * MIN, T0 + 242 * MIN)], T0 + 242 * MIN);
    const [resolved] = d.flush(T0 + 246 * MIN);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.alerts[0].status, 'resolved');
    assert.deepEqual(d.flush(T0 + 300 * MIN), []);
    assert.equal(d.nextFlushAt(), undefined, 'the group is gone');
  });

  test('group_by: two instances are two groups; a new alert in a flushed group waits group_interval', () => {
    const d = new Dispatcher([{ ...route, groupBy: ['alertname'] }], [], new Silences());
    d.receive([alert('a', T0)], T0);
    assert.equal(d.flush(T0 + 30 * S)[0].alerts.length, 1);
    d.receive([alert('a', T0 + MIN), alert('b', T0 + MIN)], T0 + MIN);
    assert.deepEqual(d.flush(T0 + 2 * MIN), []);
    const [both] = d.flush(T0 + 30 * S + 5 * MIN);
    assert.deepEqual(
      both.alerts.map((a) => a.labels.instance),
      ['a', 'b'],
    );
    const by = new Dispatcher([route], [], new Silences());
    by.receive([alert('a', T0), alert('b', T0)], T0);
    assert.equal(by.flush(T0 + 30 * S).length, 2);
  });

  test('an alert that stops being re-sent resolves when its endsAt passes', () => {
    const d = new Dispatcher([route], [], new Silences());
    d.receive([alert('a', T0)], T0);
    d.flush(T0 + 30 * S);
    const [n] = d.flush(T0 + 30 * S + 5 * MIN);
    assert.equal(n.status, 'resolved', 'endsAt was T0 + 4m');
  });

  test('silences mute matching alerts until they expire; expiring early lets the next flush notify', () => {
    const silences = new Silences();
    const d = new Dispatcher([route], [], silences);
    const id = silences.add(
      {
        matchers: [parseAmMatcher('instance="a"')],
        startsAt: T0,
        endsAt: T0 + 60 * MIN,
        createdBy: 'ops',
        comment: 'maintenance',
      },
      T0,
    );
    d.receive([alert('a', T0), alert('b', T0)], T0);
    const out = d.flush(T0 + 30 * S);
    assert.deepEqual(
      out.map((n) => n.alerts[0].labels.instance),
      ['b'],
    );
    silences.expire(id, T0 + MIN);
    d.receive([alert('a', T0 + 2 * MIN), alert('b', T0 + 2 * MIN)], T0 + 2 * MIN);
    const later = d.flush(T0 + 30 * S + 5 * MIN);
    assert.deepEqual(
      later.map((n) => `${n.alerts[0].labels.instance} ${n.status}`),
      ['a firing'],
      'a is told now; b, already told, stays quiet',
    );
    assert.throws(() => silences.expire(id, T0 + 2 * MIN), /already expired/);
    assert.throws(
      () =>
        silences.add(
          { matchers: [parseAmMatcher('a=~".*"')], startsAt: T0, endsAt: T0 + MIN, createdBy: 'x', comment: 'y' },
          T0,
        ),
      /must not match every alert/,
    );
  });

  test('inhibition: a firing RedisDown mutes the other alerts of its instance', () => {
    const d = new Dispatcher(
      [{ ...route, groupBy: ['...'] }],
      [
        {
          sourceMatchers: [parseAmMatcher('alertname="RedisDown"')],
          targetMatchers: [parseAmMatcher('alertname!="RedisDown"')],
          equal: ['instance'],
        },
      ],
      new Silences(),
    );
    d.receive(
      [alert('a', T0), alert('a', T0, 0, 'RedisMemoryUsageHigh'), alert('b', T0, 0, 'RedisMemoryUsageHigh')],
      T0,
    );
    const names = d.flush(T0 + 30 * S).map((n) => `${n.alerts[0].labels.alertname}@${n.alerts[0].labels.instance}`);
    assert.deepEqual(names.sort(), ['RedisDown@a', 'RedisMemoryUsageHigh@b']);
  });

  test('a restart from the snapshot keeps the notification log: no second notification, the resolution still comes', () => {
    const silences = new Silences();
    const before = new Dispatcher([route], [], silences);
    before.receive([alert('a', T0)], T0);
    assert.equal(before.flush(T0 + 30 * S).length, 1);
    const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
    const after = new Dispatcher([route], [], silences, snapshot);
    after.receive([alert('a', T0 + 2 * MIN)], T0 + 2 * MIN);
    assert.equal(after.nextFlushAt(), T0 + 30 * S + 5 * MIN, 'the group keeps its schedule');
    assert.deepEqual(after.flush(T0 + 30 * S + 5 * MIN), []);
    after.receive([alert('a', T0 + 11 * MIN, T0 + 11 * MIN)], T0 + 11 * MIN);
    assert.equal(after.flush(T0 + 16 * MIN)[0].status, 'resolved');
  });
});

describe('payloads', () => {
  test("webhook version 4, with Alertmanager's fingerprint and a zero endsAt while firing", () => {
    const d = new Dispatcher([route], [], new Silences());
    d.receive([alert('a', T0)], T0);
    const [n] = d.flush(T0 + 30 * S);
    const p = webhookPayload(n, 'http://redoubt:9122');
    assert.equal(p.version, '4');
    assert.equal(p.status, 'firing');
    assert.equal(p.receiver, 'hook');
    assert.deepEqual(p.groupLabels, { alertname: 'RedisDown', instance: 'a' });
    assert.deepEqual(p.commonLabels, { alertname: 'RedisDown', instance: 'a', job: 'redis', severity: 'critical' });
    assert.equal(p.alerts[0].endsAt, '0001-01-01T00:00:00Z');
    assert.equal(p.alerts[0].startsAt, '2023-11-14T22:13:20Z');
    assert.equal(p.alerts[0].fingerprint, fingerprint(p.alerts[0].labels));
    assert.match(p.alerts[0].fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(fingerprint({}), 'cbf29ce484222325');
  });

  test('Slack: a title like Alertmanager’s and a bounded text', () => {
    const d = new Dispatcher([{ ...route, groupBy: ['alertname'] }], [], new Silences());
    d.receive(
      Array.from({ length: 30 }, (_, i) => alert(`i${i}`, T0)),
      T0,
    );
    const m = slackMessage(d.flush(T0 + 30 * S)[0]);
    assert.equal(m.text, '[FIRING:30] RedisDown');
    assert.equal(m.attachments[0].color, 'danger');
    assert.match(m.attachments[0].text, /… and 10 more$/);
  });
});

describe('outbox', () => {
  test('retries the head of a receiver with exponential backoff, while other receivers flow', () => {
    const o = new Outbox({ initialBackoffMs: 1000, maxBackoffMs: 8000 });
    o.add('down', 'a', T0);
    o.add('down', 'b', T0);
    o.add('up', 'c', T0);
    const due = o.due(T0);
    assert.deepEqual(
      due.map((d) => d.body),
      ['a', 'c'],
      'one head per receiver',
    );
    o.delivered(due[1].id);
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 5; i++) {
      const [head] = o.due(now);
      const e = o.failed(head.id, now, true, 'connection failed (ECONNREFUSED)');
      assert.equal(e?.kind, 'retry');
      now = o.nextAttemptAt() as number;
      waits.push(e?.kind === 'retry' ? e.inMs : 0);
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000]);
    const [head] = o.due(now);
    assert.equal(head.body, 'a', 'order is kept');
    const dropped = o.failed(head.id, now, false, 'HTTP 400');
    assert.equal(dropped?.kind, 'dropped');
    assert.equal(o.due(now)[0].body, 'b');
    const copy = new Outbox({}, JSON.parse(JSON.stringify(o.snapshot())));
    assert.equal(copy.due(now)[0].body, 'b', 'survives a restart');
  });

  test('is bounded per receiver and gives up deliveries past their age', () => {
    const o = new Outbox({ maxPerReceiver: 2, maxAgeMs: 10 * MIN });
    o.add('r', '1', T0);
    o.add('r', '2', T0);
    const dropped = o.add('r', '3', T0);
    assert.equal(dropped.length, 1);
    assert.equal(o.due(T0)[0].body, '2');
    const e = o.failed(o.due(T0)[0].id, T0 + 11 * MIN, true, 'HTTP 503');
    assert.equal(e?.kind, 'dropped');
  });
});
