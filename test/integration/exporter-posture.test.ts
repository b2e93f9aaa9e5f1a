import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EXPORTER_ACL } from '../support/acl.ts';
import { parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until<T>(fn: () => Promise<T | undefined>, what: string, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('the exporter exports the audit as redis_security_* and sees protected-mode flipped on the next scrape', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const exp = await startExporter(['--redis.addr', redis.url, '--security-interval', '200ms']);
  cleanups.push(() => exp.stop());
  const f = await until(async () => {
    const fams = parseExposition((await httpGet(`${exp.url}/metrics`)).body);
    return fams.get('redis_security_score') ? fams : undefined;
  }, 'posture metrics');
  const status = f.get('redis_security_check_status')!;
  const rs001 = status.samples.find((s) => s.labels.check === 'RS001');
  assert.equal(rs001?.value, 1, 'a server without a password fails RS001');
  assert.equal(rs001?.labels.severity, 'critical');
  assert.equal(rs001?.labels.category, 'authentication');
  assert.ok((f.get('redis_security_findings')?.samples.find((s) => s.labels.severity === 'critical')?.value ?? 0) >= 1);
  assert.ok((f.get('redis_security_score')?.samples[0].value ?? 100) <= 40);
  const pm = () =>
    f.get('redis_security_config_value')?.samples.find((s) => s.labels.param === 'protected-mode')?.value;
  assert.equal(pm(), 1);
  await redis.command('CONFIG', 'SET', 'protected-mode', 'no');
  const after = parseExposition((await httpGet(`${exp.url}/metrics`)).body);
  assert.equal(
    after.get('redis_security_config_value')?.samples.find((s) => s.labels.param === 'protected-mode')?.value,
    0,
    'a runtime flip is visible on the very next scrape',
  );
  const failuresBefore = after.get('redis_security_auth_failures_total')?.samples[0].value ?? -1;
  await redis.command('AUTH', 'nosuchuser', 'wrong').catch(() => undefined);
  await redis.command('AUTH', 'nosuchuser', 'wrong').catch(() => undefined);
  const later = parseExposition((await httpGet(`${exp.url}/metrics`)).body);
  assert.equal(later.get('redis_security_auth_failures_total')?.samples[0].value, failuresBefore + 2);
});

test('a least-privilege exporter user adds no error replies per audit interval', async () => {
  const redis = await startRedis({ password: 'admin-pw', aclUsers: [`exporter on >exp-pw ${EXPORTER_ACL}`] });
  cleanups.push(() => redis.stop());
  const exp = await startExporter(
    ['--redis.addr', redis.url, '--redis.user', 'exporter', '--security-interval', '100ms'],
    { REDIS_PASSWORD: 'exp-pw' },
  );
  cleanups.push(() => exp.stop());
  // Let a few audits run, then measure error replies over several more.
  for (let i = 0; i < 5; i++) {
    await httpGet(`${exp.url}/metrics`);
    await new Promise((r) => setTimeout(r, 120));
  }
  const errors = async () =>
    Number(/total_error_replies:(\d+)/.exec(String(await redis.command('INFO', 'stats')))?.[1]);
  const before = await errors();
  for (let i = 0; i < 5; i++) {
    await httpGet(`${exp.url}/metrics`);
    await new Promise((r) => setTimeout(r, 120));
  }
  assert.equal(await errors(), before, 'forbidden audit commands are learned once per connection');
  const body = (await httpGet(`${exp.url}/metrics`)).body;
  const f = parseExposition(body);
  assert.ok(f.get('redis_security_check_status'), 'posture is exported even with partial visibility');
  assert.ok(
    f.get('redis_security_check_status')!.samples.some((s) => s.value === -1),
    'what the exporter user cannot see is unknown (-1), not pass',
  );
  assert.doesNotMatch(body, /exp-pw|admin-pw/);
});

test("the least-privilege exporter user's audit adds nothing to ACL LOG or errorstat_NOPERM, from the first run", async () => {
  const redis = await startRedis({ password: 'admin-pw', aclUsers: [`exporter on >exp-pw ${EXPORTER_ACL}`] });
  cleanups.push(() => redis.stop());
  const aclLog = async () => (await redis.command('ACL', 'LOG')) as unknown[];
  const noperm = async () => /^errorstat_NOPERM:count=(\d+)/m.exec(String(await redis.command('INFO', 'errorstats')));
  assert.deepEqual(await aclLog(), [], 'a fresh server has an empty ACL LOG');
  assert.equal(await noperm(), null);
  const exp = await startExporter(
    ['--redis.addr', redis.url, '--redis.user', 'exporter', '--security-interval', '100ms'],
    { REDIS_PASSWORD: 'exp-pw' },
  );
  cleanups.push(() => exp.stop());
  // The first audit has run once its families are served; a few more intervals for good measure.
  await until(async () => {
    const f = parseExposition((await httpGet(`${exp.url}/metrics`)).body);
    return f.get('redis_security_score') ? f : undefined;
  }, 'the first posture audit');
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 120));
    await httpGet(`${exp.url}/metrics`);
  }
  assert.deepEqual(await aclLog(), [], "no ACL LOG entry of the exporter's making");
  assert.equal(await noperm(), null, 'no NOPERM error reply either');
});

test('--security.audit-commands all: the full audit for a user that has the permissions', async () => {
  const redis = await startRedis({ aclUsers: ['auditor on >aud-pw ~* +@all'] });
  cleanups.push(() => redis.stop());
  const rs001 = async (args: string[]) => {
    const exp = await startExporter(
      ['--redis.addr', redis.url, '--redis.user', 'auditor', '--security-interval', '100ms', ...args],
      { REDIS_PASSWORD: 'aud-pw' },
    );
    try {
      return await until(async () => {
        const f = parseExposition((await httpGet(`${exp.url}/metrics`)).body);
        return f.get('redis_security_check_status')?.samples.find((s) => s.labels.check === 'RS001')?.value;
      }, 'RS001');
    } finally {
      await exp.stop();
    }
  };
  // The default user has no password: ACL LIST says so, which only the full audit reads for a named user.
  assert.equal(await rs001([]), -1, 'auto, as a named user: least privilege, RS001 unknown');
  assert.equal(await rs001(['--security.audit-commands', 'all']), 1, 'all: RS001 judged (fails)');
});
