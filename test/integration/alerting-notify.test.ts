/**
 * Alerting end to end on real time: redoubt's rules on its engine, its notifier, Debian's prometheus-alertmanager
 * 0.25 and webhook receivers (node http servers). An alert goes pending → firing → resolved and each receiver gets
 * one firing and one resolved notification; a receiver that is down gets its notification once it is back, also
 * across a restart of the notifier; a restarted rule manager resumes a pending `for` timer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { JsonStateFile } from '../../src/monitor/alerting/notify/durable-json.ts';
import { fingerprint } from '../../src/monitor/alerting/notify/fingerprint.ts';
import { postJson } from '../../src/monitor/alerting/notify/http-post.ts';
import {
  isNotifierState,
  Notifier,
  type NotifierConfig,
  type NotifierState,
} from '../../src/monitor/alerting/notify/notifier.ts';
import type { RuleGroupSpec } from '../../src/monitor/alerting/rule-file.ts';
import { RuleManager } from '../../src/monitor/alerting/rule-manager.ts';
import { TestSeriesStore } from '../../src/monitor/rules-test/test-series-store.ts';
import { promqlEngine } from '../../src/promql/engine.ts';
import type { Appendable, Labels } from '../../src/promql/types.ts';
import { freePort } from '../support/ports.ts';
import {
  type AmAlert,
  apiGet,
  startAlertmanager,
  startWebhookReceiver,
  type WebhookNotification,
  waitFor,
} from '../support/prom-stack.ts';

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'redoubt-alerting-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const TARGET = { __name__: 'probe_up', job: 'redis', instance: 'redis-1:6379' };

function group(forMs: number): RuleGroupSpec {
  return {
    name: 'availability',
    file: 'test.rules',
    limit: 0,
    rules: [
      {
        kind: 'alert',
        name: 'ProbeDown',
        expr: 'probe_up == 0',
        forMs,
        keepFiringForMs: 0,
        labels: { severity: 'critical' },
        annotations: { summary: 'Redis {{ $labels.instance }} is down' },
        line: 1,
      },
    ],
  };
}

/** The store, wrapped to record the ALERTS states the rules write. */
function recordingStore() {
  const store = new TestSeriesStore();
  const states: string[] = [];
  const appendable: Appendable = {
    append(labels: Labels, t: number, v: number) {
      if (labels.__name__ === 'ALERTS' && v === 1 && states.at(-1) !== labels.alertstate)
        states.push(labels.alertstate);
      store.append(labels, t, v);
    },
  };
  return { store, appendable, states };
}

/** Writes probe_up every 200 ms (a fake scrape) with the value `value()` returns. */
function scrape(store: TestSeriesStore, value: () => number): void {
  const timer = setInterval(() => store.append(TARGET, Date.now(), value()), 200);
  cleanup.push(() => clearInterval(timer));
}

/** A webhook receiver on a given port that can be started late (the receiver-down case). */
function lateReceiver(port: number, path: string) {
  const received: WebhookNotification[] = [];
  let server: Server | undefined;
  return {
    received,
    url: `http://127.0.0.1:${port}${path}`,
    start: () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => {
          let body = '';
          req.on('data', (d) => {
            body += d;
          });
          req.on('end', () => {
            if (req.url === path)
              received.push({ ...(JSON.parse(body) as WebhookNotification), receivedAt: Date.now() });
            res.writeHead(req.url === path ? 200 : 404).end();
          });
        });
        server.listen(port, '127.0.0.1', resolve);
        cleanup.push(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));
      }),
  };
}

const FAST_ROUTE = {
  groupBy: ['alertname', 'instance'],
  groupWaitMs: 500,
  groupIntervalMs: 1500,
  repeatIntervalMs: 3600e3,
  sendResolved: true,
};

const statuses = (ns: WebhookNotification[], fp?: string) =>
  ns.flatMap((n) => n.alerts.filter((a) => !fp || a.fingerprint === fp).map((a) => a.status));

describe('alerting with a real Alertmanager and webhook receivers', () => {
  test('a POST to a receiver is bounded: no answer, an endless answer, a redirect', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((req, res) => {
      if (req.url === '/silent') return; // never answers
      if (req.url === '/redirect') return res.writeHead(302, { location: 'http://example.invalid/' }).end();
      res.writeHead(500);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      pump();
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    );
    const port = (server.address() as import('node:net').AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const silent = await postJson(`${base}/silent`, '{}', { timeoutMs: 1000 });
    assert.deepEqual(silent, { ok: false, retryable: true, reason: 'no answer within 1000 ms' });
    const endless = await postJson(`${base}/endless`, '{}', { timeoutMs: 20000, maxResponseBytes: 4096 });
    assert.deepEqual(endless, { ok: false, retryable: true, status: 500, reason: 'HTTP 500' });
    const redirect = await postJson(`${base}/redirect`, '{}');
    assert.deepEqual(redirect, {
      ok: false,
      retryable: false,
      status: 302,
      reason: 'HTTP 302: redirects are not followed',
    });
  });

  test('pending → firing → resolved: each receiver is told once of each', async () => {
    const dir = tempDir();
    const amHook = await startWebhookReceiver('/am');
    cleanup.push(() => amHook.stop());
    const directHook = await startWebhookReceiver('/direct');
    cleanup.push(() => directHook.stop());
    const slackHook = await startWebhookReceiver('/services/T000/B000/XXXX');
    cleanup.push(() => slackHook.stop());
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: hook',
        '  group_by: [alertname, instance]',
        '  group_wait: 1s',
        '  group_interval: 2s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: ${amHook.url}`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    const am = await startAlertmanager([
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      '--cluster.listen-address=',
    ]);
    cleanup.push(() => am.stop());

    const { store, appendable, states } = recordingStore();
    let up = 1;
    scrape(store, () => up);
    const config: NotifierConfig = {
      receivers: [
        { name: 'alertmanager', type: 'alertmanager', url: am.url },
        { name: 'direct', type: 'webhook', url: directHook.url },
        { name: 'slack', type: 'slack', url: slackHook.url },
      ],
      routes: [
        { ...FAST_ROUTE, receiver: 'direct' },
        { ...FAST_ROUTE, receiver: 'slack' },
      ],
      externalURL: 'http://redoubt.test:9122',
    };
    const logs: string[] = [];
    const notifier = new Notifier(
      config,
      new JsonStateFile<NotifierState>(dir, 'notifier.json', isNotifierState, (m) => logs.push(m)),
      { log: (l) => logs.push(l) },
    );
    const rules = new RuleManager([group(2000)], {
      engine: promqlEngine,
      queryable: store,
      appendable,
      context: { externalLabels: { site: 'lab' }, externalURL: 'http://redoubt.test:9122' },
      evaluationIntervalMs: 500,
      resendDelayMs: 1000,
      notify: (alerts) => notifier.send(alerts),
    });
    const stop = new AbortController();
    cleanup.push(() => stop.abort());
    const running = Promise.all([rules.run(stop.signal), notifier.run(stop.signal, 200)]);

    await waitFor('a clean evaluation', () => rules.groups[0].lastEvaluation > 0);
    up = 0;
    await waitFor(
      'the firing notification from Alertmanager',
      () => statuses(amHook.notifications).includes('firing'),
      {
        timeoutMs: 30000,
        detail: () => logs.join('\n') + am.logs(),
      },
    );
    await waitFor('the firing notification from redoubt', () => statuses(directHook.notifications).includes('firing'), {
      timeoutMs: 30000,
      detail: () => logs.join('\n'),
    });
    assert.deepEqual(states.slice(0, 2), ['pending', 'firing'], 'pending first, then firing');

    const labels = {
      alertname: 'ProbeDown',
      instance: 'redis-1:6379',
      job: 'redis',
      severity: 'critical',
      site: 'lab',
    };
    const fp = fingerprint(labels);
    const amAlerts = await apiGet<AmAlert[]>(`${am.url}/api/v2/alerts`);
    assert.equal(amAlerts.length, 1);
    assert.deepEqual(amAlerts[0].labels, labels);
    assert.equal(amAlerts[0].fingerprint, fp, "redoubt's fingerprint is Alertmanager's");
    const direct = directHook.notifications[0];
    assert.equal(direct.version, '4');
    assert.equal(direct.alerts[0].fingerprint, fp);
    assert.equal(direct.alerts[0].endsAt, '0001-01-01T00:00:00Z');
    assert.equal(direct.alerts[0].annotations.summary, 'Redis redis-1:6379 is down');
    assert.equal(direct.alerts[0].generatorURL, amHook.notifications[0].alerts[0].generatorURL);
    assert.equal(direct.alerts[0].startsAt, amHook.notifications[0].alerts[0].startsAt);

    // Several resends (every second) and group intervals later: still one firing notification each.
    await new Promise((r) => setTimeout(r, 5000));
    up = 1;
    for (const hook of [amHook, directHook])
      await waitFor('the resolved notification', () => statuses(hook.notifications).includes('resolved'), {
        timeoutMs: 30000,
        detail: () => logs.join('\n'),
      });
    await new Promise((r) => setTimeout(r, 4000));
    stop.abort();
    await running;
    assert.deepEqual(statuses(amHook.notifications, fp), ['firing', 'resolved'], 'Alertmanager: once each');
    assert.deepEqual(statuses(directHook.notifications, fp), ['firing', 'resolved'], 'redoubt: once each');
    assert.deepEqual(amHook.rejected, []);
    const slack = slackHook.notifications as unknown as Array<{ text: string; attachments: Array<{ color: string }> }>;
    assert.deepEqual(
      slack.map((m) => [m.text, m.attachments[0].color]),
      [
        ['[FIRING:1] ProbeDown redis-1:6379', 'danger'],
        ['[RESOLVED] ProbeDown redis-1:6379', 'good'],
      ],
    );
    assert.deepEqual(states, ['pending', 'firing']);
    assert.deepEqual(
      logs.filter((l) => !/delivered after/.test(l)),
      [],
      'nothing failed',
    );
  });

  test('a receiver that is down is retried with backoff, and gets the notification once, across a notifier restart', async () => {
    const dir = tempDir();
    const port = await freePort();
    const secretPath = '/hooks/T0KEN-s3cr3t';
    const hook = lateReceiver(port, secretPath);
    const logs: string[] = [];
    const config: NotifierConfig = {
      receivers: [{ name: 'ops-hook', type: 'webhook', url: `http://user:pa55word@127.0.0.1:${port}${secretPath}` }],
      routes: [{ ...FAST_ROUTE, receiver: 'ops-hook' }],
      externalURL: 'http://redoubt.test:9122',
      outbox: { initialBackoffMs: 200, maxBackoffMs: 1000 },
    };
    const sink = () => new JsonStateFile<NotifierState>(dir, 'notifier.json', isNotifierState, (m) => logs.push(m));
    const first = new Notifier(config, sink(), { log: (l) => logs.push(l) });
    const now = Date.now();
    first.send([
      {
        labels: { alertname: 'ProbeDown', instance: 'redis-1:6379', severity: 'critical' },
        annotations: { summary: 'down' },
        startsAt: now,
        endsAt: now + 3600e3,
        generatorURL: 'http://redoubt.test:9122/graph',
      },
    ]);
    const stopFirst = new AbortController();
    const firstRun = first.run(stopFirst.signal, 100);
    await waitFor('two failed attempts', () => logs.filter((l) => /retrying/.test(l)).length >= 2, {
      timeoutMs: 20000,
    });
    stopFirst.abort();
    await firstRun;
    assert.equal(first.pendingDeliveries(), 1);
    assert.ok(
      logs.some((l) => /receiver ops-hook failed \(connection failed \(ECONNREFUSED\)\)/.test(l)),
      logs.join('\n'),
    );
    for (const l of logs) assert.doesNotMatch(l, /s3cr3t|pa55word|127\.0\.0\.1/, 'no URL or secret in logs');

    // A new process: the queued notification comes back from the state file and goes out once the receiver is up.
    await hook.start();
    const second = new Notifier(config, sink(), { log: (l) => logs.push(l) });
    assert.equal(second.pendingDeliveries(), 1, 'the outbox survived the restart');
    const stopSecond = new AbortController();
    cleanup.push(() => stopSecond.abort());
    const secondRun = second.run(stopSecond.signal, 100);
    await waitFor('the delivery', () => hook.received.length > 0, { timeoutMs: 20000, detail: () => logs.join('\n') });
    await new Promise((r) => setTimeout(r, 2000));
    stopSecond.abort();
    await secondRun;
    assert.equal(hook.received.length, 1, 'delivered once');
    assert.equal(hook.received[0].alerts[0].labels.alertname, 'ProbeDown');
    assert.equal(second.pendingDeliveries(), 0);
  });

  test('a restarted rule manager resumes a pending `for` timer from ALERTS_FOR_STATE', async () => {
    const { store, appendable } = recordingStore();
    scrape(store, () => 0);
    const make = () =>
      new RuleManager([group(60e3)], {
        engine: promqlEngine,
        queryable: store,
        appendable,
        context: { externalLabels: {}, externalURL: '' },
        evaluationIntervalMs: 500,
        restore: { forGracePeriodMs: 1000 },
      });
    const first = make();
    const stop1 = new AbortController();
    const run1 = first.run(stop1.signal);
    await waitFor(
      'pending',
      () =>
        first.alerts(['pending']).length === 1 &&
        first.groups[0].lastEvaluation > first.alerts(['pending'])[0].alert.activeAt + 1000,
    );
    stop1.abort();
    await run1;
    const activeAt = first.alerts(['pending'])[0].alert.activeAt;
    const lastEval = first.groups[0].lastEvaluation;
    await new Promise((r) => setTimeout(r, 1500));
    const second = make();
    const now = Date.now();
    second.tick(now);
    const restarted = now - (now % 500);
    const [pending] = second.alerts(['pending']);
    // Prometheus's restore: the old activeAt (whole seconds), moved on by the downtime, from the last write before
    // the restart (whole seconds) to the first evaluation of the new process.
    const expected = Math.floor(activeAt / 1000) * 1000 + (restarted - Math.floor(lastEval / 1000) * 1000);
    assert.equal(pending.alert.activeAt, expected);
    assert.ok(pending.alert.activeAt < restarted, 'not started over');
  });
});
