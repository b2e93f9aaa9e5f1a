import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  ConsoleHttpError,
  type InstanceDetail,
  type OverviewResponse,
  type SecurityInstance,
  type SecurityResponse,
} from '../../src/console/contract.ts';
import { callRoute, startConsoleUp } from '../support/console-data-up.ts';
import { waitFor } from '../support/prom-stack.ts';
import { startRedis } from '../support/redis-server.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const PASSWORD = 'Sup3r-secret-pw';

test('security: the latest audit with findings, drift after ACL SETUSER and protected-mode off, one re-run at a time, no secret in any answer', async () => {
  const redis = await startRedis({ password: PASSWORD, config: ['protected-mode yes'] });
  cleanups.push(() => redis.stop());
  const instance = `127.0.0.1:${redis.port}`;
  const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
  // The scheduled audit runs once at start; the rest are the admin's re-runs.
  const up = await startConsoleUp({ targets: [{ url, instance }], securityIntervalMs: 3600e3 });
  cleanups.push(() => up.stop());
  const security = async () =>
    ((await callRoute(up.deps, 'GET', '/console/api/security')) as SecurityResponse).instances[0];
  const rerun = () =>
    callRoute(up.deps, 'POST', '/console/api/security/:instance/audit', {
      params: { instance },
    }) as Promise<SecurityInstance>;

  const first = await waitFor(
    'the first audit',
    async () => {
      const s = await security();
      return s.auditedAt !== null ? s : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.equal(first.instance, instance);
  assert.equal(first.error, '');
  assert.ok(first.score !== null && first.score >= 0 && first.score <= 100);
  assert.ok(first.findings.length > 10);
  for (const f of first.findings) {
    assert.match(f.id, /^RS\d+/);
    assert.ok(['critical', 'high', 'medium', 'low', 'info'].includes(f.severity));
    assert.ok(['fail', 'pass', 'unknown', 'skip'].includes(f.status));
    assert.equal(typeof f.evidence, 'string');
    assert.ok(f.remediation.length > 0);
  }
  assert.deepEqual(first.drift, [], 'nothing to compare with yet');
  const o = (await callRoute(up.deps, 'GET', '/console/api/overview')) as OverviewResponse;
  assert.equal(o.instances[0].securityScore, first.score);

  // Nothing changed: a re-run shows no drift.
  const same = await rerun();
  assert.ok((same.auditedAt ?? 0) > (first.auditedAt ?? 0));
  assert.deepEqual(same.drift, []);

  // An intruder's changes: a new user and protected mode off.
  await redis.command('ACL', 'SETUSER', 'deploy', 'on', '>deploy-pw-123', '~*', '+@all');
  await redis.command('CONFIG', 'SET', 'protected-mode', 'no');
  const changed = await rerun();
  const texts = changed.drift.map((d) => `${d.kind}: ${d.text}`);
  assert.ok(texts.includes("user-added: user 'deploy' added"), texts.join('\n'));
  assert.ok(texts.includes('setting-changed: protected-mode turned off'), texts.join('\n'));
  assert.ok(
    changed.drift.some((d) => d.kind === 'newly-failing' && d.checkId),
    texts.join('\n'),
  );
  assert.ok((changed.score ?? 100) <= (same.score ?? 0));

  // Put back: the user removed, protected mode on, the checks fixed.
  await redis.command('ACL', 'DELUSER', 'deploy');
  await redis.command('CONFIG', 'SET', 'protected-mode', 'yes');
  const back = (await rerun()).drift.map((d) => `${d.kind}: ${d.text}`);
  assert.ok(back.includes("user-removed: user 'deploy' removed"), back.join('\n'));
  assert.ok(back.includes('setting-changed: protected-mode turned on'), back.join('\n'));
  assert.ok(
    back.some((t) => t.startsWith('fixed: ')),
    back.join('\n'),
  );

  // One audit at a time per instance: a second re-run while one runs is refused.
  const running = rerun();
  await assert.rejects(rerun, (e: unknown) => e instanceof ConsoleHttpError && e.status === 409);
  await running;
  await assert.rejects(
    async () => callRoute(up.deps, 'POST', '/console/api/security/:instance/audit', { params: { instance: 'x:1' } }),
    (e: unknown) => e instanceof ConsoleHttpError && e.status === 404,
  );

  // No answer holds the password or a URL with credentials.
  const detail = (await callRoute(up.deps, 'GET', '/console/api/instances/:instance', {
    params: { instance },
  })) as InstanceDetail;
  const all = JSON.stringify([await security(), detail, await callRoute(up.deps, 'GET', '/console/api/overview')]);
  for (const secret of [PASSWORD, 'deploy-pw-123', `:${PASSWORD}@`]) assert.equal(all.includes(secret), false, secret);
});
