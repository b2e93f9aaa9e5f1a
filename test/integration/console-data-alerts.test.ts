import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type AlertHistoryResponse,
  type AlertsResponse,
  ConsoleHttpError,
  type TestNotificationResponse,
} from '../../src/console/contract.ts';
import { ALERT_HISTORY_FILE } from '../../src/monitor/alerting/alert-history.ts';
import { callRoute, principal, startConsoleUp } from '../support/console-data-up.ts';
import { startWebhookReceiver, waitFor } from '../support/prom-stack.ts';
import { startRedis } from '../support/redis-server.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const refused = (status: number) => (e: unknown) => e instanceof ConsoleHttpError && e.status === status;

test('alerts, silences, history and test notifications through the real rule manager and notifier', async () => {
  const a = await startRedis();
  cleanups.push(() => a.stop());
  const b = await startRedis();
  cleanups.push(() => b.stop());
  await b.kill();
  const hook = await startWebhookReceiver();
  cleanups.push(() => hook.stop());
  const [ai, bi] = [a, b].map((s) => `127.0.0.1:${s.port}`);
  const secretUrl = 'http://deploy:hunter2-secret@127.0.0.1:9/hook?token=abc123';
  const up = await startConsoleUp({
    targets: [
      { url: a.url, instance: ai },
      { url: b.url, instance: bi },
    ],
    receivers: [
      { name: 'webhook', type: 'webhook', url: hook.url },
      { name: 'broken', type: 'webhook', url: secretUrl },
    ],
  });
  cleanups.push(() => up.stop());
  const alerts = async () => (await callRoute(up.deps, 'GET', '/console/api/alerts')) as AlertsResponse;
  const hookGot = (instance: string) =>
    hook.alerts().some((x) => x.labels.alertname === 'ConsoleTestUp' && x.labels.instance === instance);

  // A's alert fires and reaches the webhook.
  await waitFor('A firing', async () => (await alerts()).alerts.some((x) => x.labels.instance === ai), {
    timeoutMs: 60_000,
  });
  await waitFor('the webhook told about A', () => hookGot(ai), { timeoutMs: 60_000 });
  const firing = (await alerts()).alerts.find((x) => x.labels.instance === ai);
  assert.equal(firing?.name, 'ConsoleTestUp');
  assert.equal(firing?.state, 'firing');
  assert.equal(firing?.value, 1);
  assert.equal(firing?.annotations.summary, `${ai} is up`);
  assert.ok((firing?.activeAt ?? 0) > 0);
  assert.deepEqual(firing?.silencedBy, []);
  const listed = (await alerts()).notifiers;
  assert.deepEqual(listed, [
    { name: 'webhook', type: 'webhook' },
    { name: 'broken', type: 'webhook' },
  ]);

  // A silence for B, made before B comes up: B fires but the webhook hears nothing of it.
  const { id } = (await callRoute(up.deps, 'POST', '/console/api/silences', {
    principal: principal('admin', 'alice'),
    body: { matchers: [{ name: 'instance', value: bi, isRegex: false }], duration: '2h', comment: 'maintenance' },
  })) as { id: string };
  const silence = (await alerts()).silences.find((s) => s.id === id);
  assert.equal(silence?.createdBy, 'alice');
  assert.equal(silence?.comment, 'maintenance');
  assert.equal(silence?.state, 'active');
  assert.deepEqual(silence?.matchers, [{ name: 'instance', value: bi, isRegex: false, isEqual: true }]);
  assert.ok(silence && Math.abs(silence.endsAt - silence.startsAt - 2 * 3600e3) < 1000);

  await b.restart();
  const silencedB = await waitFor(
    'B firing and silenced',
    async () => (await alerts()).alerts.find((x) => x.labels.instance === bi && x.state === 'firing'),
    { timeoutMs: 60_000 },
  );
  assert.deepEqual(silencedB.silencedBy, [id]);
  // The dispatcher holds B's alert, and several group intervals (1 s) pass without it reaching the webhook.
  const firedAt = Date.now();
  await waitFor(
    'B in the dispatcher for a few group intervals',
    () =>
      up.deps.alerting.notifier?.dispatcherAlerts().some((x) => x.labels.instance === bi) &&
      Date.now() - firedAt > 4000,
    { timeoutMs: 60_000 },
  );
  assert.equal(hookGot(bi), false, 'a silenced alert is not notified');

  // Expiring the silence lifts it: B reaches the webhook.
  assert.deepEqual(await callRoute(up.deps, 'DELETE', '/console/api/silences/:id', { params: { id } }), { id });
  const lifted = (await alerts()).alerts.find((x) => x.labels.instance === bi);
  assert.deepEqual(lifted?.silencedBy, []);
  assert.equal((await alerts()).silences.find((s) => s.id === id)?.state, 'expired');
  await waitFor('the webhook told about B', () => hookGot(bi), { timeoutMs: 60_000 });
  await assert.rejects(
    async () => callRoute(up.deps, 'DELETE', '/console/api/silences/:id', { params: { id } }),
    refused(409),
  );
  await assert.rejects(
    async () => callRoute(up.deps, 'DELETE', '/console/api/silences/:id', { params: { id: 'nope' } }),
    refused(404),
  );

  // Bad silences are refused with a reason.
  const create = (body: unknown) => callRoute(up.deps, 'POST', '/console/api/silences', { body });
  const ok = { matchers: [{ name: 'alertname', value: 'X', isRegex: false }], duration: '1h', comment: 'c' };
  await assert.rejects(async () => create({ ...ok, duration: '31d' }), refused(422));
  await assert.rejects(async () => create({ ...ok, duration: 'soon' }), refused(400));
  await assert.rejects(async () => create({ ...ok, duration: '0s' }), refused(400));
  await assert.rejects(async () => create({ ...ok, matchers: [] }), refused(400));
  await assert.rejects(async () => create({ ...ok, comment: '' }), refused(400));
  await assert.rejects(async () => create({ ...ok, comment: 'x'.repeat(2000) }), refused(400));
  await assert.rejects(async () => create('not an object'), refused(400));
  await assert.rejects(
    async () => create({ ...ok, matchers: [{ name: '1bad', value: 'x', isRegex: false }] }),
    refused(422),
  );
  await assert.rejects(
    async () => create({ ...ok, matchers: [{ name: 'a', value: '(', isRegex: true }] }),
    refused(422),
  );
  await assert.rejects(
    async () => create({ ...ok, matchers: [{ name: 'instance', value: '.*', isRegex: true }] }),
    refused(422),
    'a silence that matches every alert',
  );
  assert.ok(await create({ ...ok, duration: '30d' }));

  // Test notifications: a real POST to the receiver; a failing one says why without its URL or secret.
  const sent = (await callRoute(up.deps, 'POST', '/console/api/notifiers/:name/test', {
    params: { name: 'webhook' },
  })) as TestNotificationResponse;
  assert.deepEqual(sent, { ok: true, detail: 'delivered (HTTP 200)' });
  await waitFor('the test notification', () =>
    hook.alerts().some((x) => x.labels.alertname === 'RedoubtTestNotification'),
  );
  const failed = (await callRoute(up.deps, 'POST', '/console/api/notifiers/:name/test', {
    params: { name: 'broken' },
  })) as TestNotificationResponse;
  assert.equal(failed.ok, false);
  assert.match(failed.detail, /connection failed|no answer/);
  const everything = JSON.stringify([failed, await alerts()]);
  for (const secret of ['hunter2', 'deploy:', 'abc123', '127.0.0.1:9/'])
    assert.equal(everything.includes(secret), false, secret);
  await assert.rejects(
    async () => callRoute(up.deps, 'POST', '/console/api/notifiers/:name/test', { params: { name: 'nope' } }),
    refused(404),
  );

  // The history of state changes, newest first, also saved in the data directory.
  const history = (await callRoute(up.deps, 'GET', '/console/api/alerts/history', {
    query: { limit: '50' },
  })) as AlertHistoryResponse;
  const toFiring = history.events.filter((e) => e.name === 'ConsoleTestUp' && e.to === 'firing');
  assert.deepEqual(toFiring.map((e) => e.labels.instance).sort(), [ai, bi].sort());
  assert.ok(toFiring.every((e) => e.from === 'inactive' || e.from === 'pending'));
  assert.deepEqual(
    history.events.map((e) => e.at),
    [...history.events.map((e) => e.at)].sort((x, y) => y - x),
  );
  await waitFor('the history saved', () => {
    const saved = JSON.parse(readFileSync(join(up.dataDir, ALERT_HISTORY_FILE), 'utf8'));
    return saved.events.length >= 2;
  });

  // B goes down: its alert resolves (firing → inactive) in the history.
  await b.kill();
  await waitFor(
    'B resolved in the history',
    async () =>
      ((await callRoute(up.deps, 'GET', '/console/api/alerts/history')) as AlertHistoryResponse).events.some(
        (e) => e.labels.instance === bi && e.from === 'firing' && e.to === 'inactive',
      ),
    { timeoutMs: 60_000 },
  );
  await assert.rejects(
    async () => callRoute(up.deps, 'GET', '/console/api/alerts/history', { query: { limit: '100000' } }),
    refused(400),
  );
});
