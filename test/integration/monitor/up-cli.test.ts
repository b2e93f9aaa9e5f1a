import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { httpGet } from '../../support/http.ts';
import { startWebhookReceiver, waitFor } from '../../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../../support/redis-server.ts';
import { runCli } from '../../support/redoubt.ts';
import { type RunningUp, startUp } from '../../support/redoubt-up.ts';

const TOKEN = 'test-token-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'redoubt-up-cli-'));
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
let up: RunningUp;

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  up = await startUp(['--redis', redis.url, '--data-dir', dataDir, '--scrape-interval', '1s'], {
    REDOUBT_API_TOKEN: TOKEN,
  });
  cleanups.push(() => up.stop('SIGKILL'));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dataDir, { recursive: true, force: true });
});

const auth = { Authorization: `Bearer ${TOKEN}` };
async function api(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await httpGet(`${up.url}${path}`, { headers: auth });
  return { status: r.status, body: JSON.parse(r.body) };
}

describe('redoubt up', () => {
  test('prints where its data lives and scrapes the target into its API', async () => {
    assert.match(up.stderr(), new RegExp(`redoubt up: data in ${dataDir}`));
    const result = await waitFor('up == 1 through the API', async () => {
      const r = await api('/api/v1/query?query=up');
      const data = r.body.data as { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      return data.result.length === 1 && data.result[0].value[1] === '1' ? data.result : undefined;
    });
    assert.deepEqual(result[0].metric, { __name__: 'up', instance: redis.url, job: 'redis' });
    const series = await api(`/api/v1/series?match[]=redis_up&match[]=redis_connected_clients`);
    assert.deepEqual(series.body, {
      status: 'success',
      data: [
        { __name__: 'redis_connected_clients', instance: redis.url, job: 'redis' },
        { __name__: 'redis_up', instance: redis.url, job: 'redis' },
      ],
    });
    const meta = await api('/api/v1/metadata?metric=redis_up');
    assert.deepEqual(meta.body.data, {
      redis_up: [{ type: 'gauge', help: 'Information about the Redis instance', unit: '' }],
    });
    const targets = (await api('/api/v1/targets')).body.data as { activeTargets: Array<Record<string, unknown>> };
    assert.equal(targets.activeTargets[0].health, 'up');
    assert.deepEqual(targets.activeTargets[0].labels, { instance: redis.url, job: 'redis' });
    // POST with a form body answers as GET does.
    const post = await httpGet(`${up.url}/api/v1/query`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'query=vector(2)&time=100',
    });
    assert.deepEqual(JSON.parse(post.body), {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [100, '2'] }] },
    });
    const self = await httpGet(`${up.url}/metrics`, { headers: auth });
    assert.match(self.body, /^redoubt_scrapes_total \d+$/m);
    assert.match(self.body, /^redoubt_api_requests_total\{handler="\/api\/v1\/query"\} \d+$/m);
  });

  test('asks for its token: 401 with WWW-Authenticate, the token compared whole; health checks stay open', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: 'Bearer ' },
    ];
    for (const headers of attempts) {
      const r = await httpGet(`${up.url}/api/v1/query?query=up`, { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="redoubt"');
      assert.doesNotMatch(r.body, /redis/);
    }
    assert.equal((await httpGet(`${up.url}/metrics`)).status, 401);
    assert.equal((await httpGet(`${up.url}/-/healthy`)).status, 200);
  });

  test('basic auth is refused by name; the bearer token works on every interface', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-basic-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const refused = await runCli(
      ['up', '--redis', redis.url, '--data-dir', dir, '--web.listen-address', '127.0.0.1:0'],
      {
        env: { REDOUBT_API_USER: 'grafana', REDOUBT_API_PASSWORD: 'pa:ss word' },
      },
    );
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /no longer takes basic auth: set REDOUBT_API_TOKEN/);
    assert.ok(!refused.stderr.includes('pa:ss word'));
    const open = await startUp(
      ['--redis', redis.url, '--data-dir', dir, '--web.listen-address', '0.0.0.0:0'],
      { REDOUBT_API_TOKEN: TOKEN },
      30_000,
      '0.0.0.0',
    );
    cleanups.push(() => open.stop('SIGKILL'));
    const url = `http://127.0.0.1:${open.port}/api/v1/status/buildinfo`;
    const denied = await httpGet(url, {
      headers: { Authorization: `Basic ${Buffer.from('grafana:pa:ss word').toString('base64')}` },
    });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer realm="redoubt"');
    const ok = await httpGet(url, { headers: auth });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).status, 'success');
    assert.match(open.stderr(), /warning: the console is reachable from other machines over plain HTTP/);
    assert.equal(await open.stop('SIGTERM'), 0);
  });

  test('bounds what it reads: a body over 1 MiB is refused, a query over 64 KiB too', async () => {
    const big = await httpGet(`${up.url}/api/v1/query`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `query=${'1+'.repeat(600_000)}1`,
    });
    assert.equal(big.status, 413);
    const long = await httpGet(`${up.url}/api/v1/query`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `query=${'1+'.repeat(40_000)}1`,
    });
    assert.equal(long.status, 400);
    assert.match(JSON.parse(long.body).error, /invalid parameter "query": the query is 80001 characters long/);
  });

  test('a second up on the same data directory is refused with one line and exit 2', async () => {
    const r = await runCli(['up', '--data-dir', dataDir, '--redis', redis.url, '--web.listen-address', '127.0.0.1:0']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^redoubt up: the data directory ${dataDir} is in use by another redoubt up \\(pid ${up.process.pid}\\)`,
      ),
    );
  });

  test('a non-loopback address without credentials is refused with one line and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-open-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const r = await runCli(['up', '--data-dir', dir, '--web.listen-address', '0.0.0.0:0']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /reachable from other machines and the API has no credentials/);
  });

  test('redoubt.yml: a bad up: key is refused with its key and line, exit 2; a good one is used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-yml-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'redis:\n  targets: [redis://127.0.0.1:1]\nup:\n  scrapeInterval: 10x\n');
    const r = await runCli(['up', '--config', bad, '--data-dir', join(dir, 'data')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.yml: up\.scrapeInterval "10x" is not a Prometheus duration.*\(line 4\)$/m);
    const good = join(dir, 'good.yml');
    writeFileSync(good, `redis:\n  targets: [${redis.url}]\nup:\n  scrapeInterval: 2s\n  dataDir: data\n`);
    const u = await startUp(['--config', good]);
    cleanups.push(() => u.stop('SIGKILL'));
    assert.match(u.stderr(), new RegExp(`data in ${join(dir, 'data')}`));
    assert.match(u.stderr(), new RegExp(`watching ${redis.url} every 2s`));
    assert.equal(await u.stop('SIGTERM'), 0);
  });

  test('--rules: a broken rule file is refused with its file and line, exit 2; a good one replaces the catalogue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-rules-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bad.rules.yml');
    writeFileSync(bad, 'groups:\n  - name: mine\n    rules:\n      - alert: X\n        expr: sum((\n');
    const r = await runCli(['up', '--redis', redis.url, '--rules', bad, '--data-dir', join(dir, 'data0')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.rules\.yml:5/);
    const good = join(dir, 'good.rules.yml');
    writeFileSync(
      good,
      'groups:\n  - name: mine\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1)\n        labels: { severity: info }\n',
    );
    const u = await startUp(['--redis', redis.url, '--rules', good, '--data-dir', join(dir, 'data1')]);
    cleanups.push(() => u.stop('SIGKILL'));
    const rules = await waitFor("the user's group in /api/v1/rules", async () => {
      const res = await httpGet(`${u.url}/api/v1/rules`);
      const groups = (JSON.parse(res.body).data as { groups: Array<{ name: string; rules: unknown[] }> }).groups;
      return groups.length > 0 ? groups : undefined;
    });
    assert.deepEqual(
      rules.map((g) => g.name),
      ['mine'],
    );
    const firing = await waitFor('AlwaysOn firing', async () => {
      const res = await httpGet(`${u.url}/api/v1/alerts`);
      const alerts = (JSON.parse(res.body).data as { alerts: Array<{ labels: Record<string, string>; state: string }> })
        .alerts;
      return alerts.find((a) => a.labels.alertname === 'AlwaysOn' && a.state === 'firing');
    });
    assert.equal(firing.labels.severity, 'info');
    assert.equal(await u.stop('SIGTERM'), 0);
  });

  test('passwords from the environment log in, a wrong one is a reason, never printed or served', async () => {
    const locked = await startRedis({ password: 'right-secret-1' });
    cleanups.push(() => locked.stop());
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-pw-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const good = await startUp(['--redis', locked.url, '--data-dir', join(dir, 'a'), '--scrape-interval', '1s'], {
      REDIS_PASSWORD: 'right-secret-1',
    });
    cleanups.push(() => good.stop('SIGKILL'));
    await waitFor('logged in', async () => {
      const t = JSON.parse((await httpGet(`${good.url}/api/v1/targets`)).body).data.activeTargets[0];
      return t.health === 'up' ? true : undefined;
    });
    const bad = await startUp(['--redis', locked.url, '--data-dir', join(dir, 'b'), '--scrape-interval', '1s'], {
      REDIS_PASSWORD: 'wrong-secret-2',
    });
    cleanups.push(() => bad.stop('SIGKILL'));
    const target = await waitFor('refused', async () => {
      const t = JSON.parse((await httpGet(`${bad.url}/api/v1/targets`)).body).data.activeTargets[0];
      return t.health === 'down' ? t : undefined;
    });
    assert.match(target.lastError, /password|WRONGPASS|auth/i);
    const served = [
      (await httpGet(`${bad.url}/api/v1/targets`)).body,
      (await httpGet(`${bad.url}/api/v1/series?match[]=${encodeURIComponent('{job="redis"}')}`)).body,
      (await httpGet(`${bad.url}/federate?match[]=${encodeURIComponent('{job="redis"}')}`)).body,
      (await httpGet(`${bad.url}/metrics`)).body,
    ].join('\n');
    for (const secret of ['wrong-secret-2', 'right-secret-1']) {
      assert.ok(!served.includes(secret), `${secret} served`);
      assert.ok(!bad.stderr().includes(secret) && !good.stderr().includes(secret), `${secret} printed`);
    }
  });

  test("alerts reach --webhook-url in Alertmanager's webhook format", async () => {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.stop());
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-notify-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // A Redis without a password fails a critical security check: RedisSecurityCriticalCheckFailing fires (for 0m)
    // after the first audit; the default route waits 30 s (group_wait) before the first notification.
    const open = await startRedis();
    cleanups.push(() => open.stop());
    const notifying = await startUp(
      ['--redis', open.url, '--data-dir', dir, '--scrape-interval', '1s', '--webhook-url', receiver.url],
      {},
    );
    cleanups.push(() => notifying.stop('SIGKILL'));
    const alert = await waitFor(
      'a RedisSecurityCriticalCheckFailing notification',
      () => receiver.alerts().find((a) => a.labels.alertname === 'RedisSecurityCriticalCheckFailing'),
      { timeoutMs: 120_000 },
    );
    assert.equal(alert.status, 'firing');
    assert.equal(alert.labels.instance, open.url);
    assert.equal(alert.labels.job, 'redis');
    assert.equal(alert.labels.severity, 'critical');
    assert.equal(receiver.notifications[0].version, '4');
    assert.deepEqual(receiver.rejected, []);
    assert.ok(!notifying.stderr().includes(receiver.url), 'the webhook URL is never printed');
    assert.equal(await notifying.stop('SIGTERM'), 0, notifying.stderr());
  });

  test('an unreachable Redis is not a start-up error: up 0 with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-down-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const down = await startUp(['--redis', 'redis://127.0.0.1:1', '--data-dir', dir, '--scrape-interval', '1s']);
    cleanups.push(() => down.stop('SIGKILL'));
    const target = await waitFor('the target reported down', async () => {
      const r = await httpGet(`${down.url}/api/v1/targets`);
      const t = (JSON.parse(r.body).data.activeTargets as Array<Record<string, string>>)[0];
      return t.health === 'down' ? t : undefined;
    });
    assert.match(target.lastError, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
    const q = JSON.parse((await httpGet(`${down.url}/api/v1/query?query=up`)).body);
    assert.equal(q.data.result[0].value[1], '0');
    assert.match(down.stderr(), /redis:\/\/127\.0\.0\.1:1 is down: cannot reach Redis/);
  });

  test('a Redis that dies: up 0 at once and its series stale, not lingering for the lookback; back when it returns', async () => {
    const query = async (q: string) =>
      (
        (await api(`/api/v1/query?query=${encodeURIComponent(q)}`)).body.data as {
          result: Array<{ value: [number, string] }>;
        }
      ).result;
    assert.equal((await query('redis_connected_clients')).length, 1);
    await redis.kill();
    await waitFor('up == 0', async () => ((await query('up'))[0]?.value[1] === '0' ? true : undefined));
    assert.deepEqual(await query('redis_connected_clients'), [], 'stale at once (no 5-minute lookback)');
    assert.equal((await query('redis_up'))[0]?.value[1], '0', 'redis_up 0, as the exporter reports it');
    await redis.restart();
    await waitFor('up == 1', async () => ((await query('up'))[0]?.value[1] === '1' ? true : undefined));
    await waitFor('its series back', async () =>
      (await query('redis_connected_clients')).length === 1 ? true : undefined,
    );
  });

  test('SIGTERM flushes and exits 0; a restart keeps the history; a damaged file is set aside, not fatal', async () => {
    const before = await api('/api/v1/query?query=count_over_time(up[1h])');
    const counted = Number((before.body.data as { result: Array<{ value: [number, string] }> }).result[0].value[1]);
    assert.ok(counted >= 2);
    const code = await up.stop('SIGTERM');
    assert.equal(code, 0, up.stderr());
    assert.match(up.stderr(), /SIGTERM: flushing and stopping/);
    const env = { REDOUBT_API_TOKEN: TOKEN };
    const again = await startUp(['--redis', redis.url, '--data-dir', dataDir, '--scrape-interval', '1s'], env);
    cleanups.push(() => again.stop('SIGKILL'));
    up = again;
    const after = await api('/api/v1/query?query=count_over_time(up[1h])');
    const kept = Number((after.body.data as { result: Array<{ value: [number, string] }> }).result[0].value[1]);
    assert.ok(kept >= counted, `${kept} samples of up after the restart, ${counted} before`);
    assert.equal(await again.stop('SIGINT'), 0, again.stderr());
    // Damage every data file of the history: up still starts, says what it set aside, and scrapes on.
    const dir = join(dataDir, 'history');
    const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile() && !/LOCK|corrupt/.test(f));
    assert.ok(files.length > 0, 'the history has files');
    for (const f of files) truncateSync(join(dir, f), Math.floor(statSync(join(dir, f)).size / 2));
    const third = await startUp(['--redis', redis.url, '--data-dir', dataDir, '--scrape-interval', '1s'], env);
    cleanups.push(() => third.stop('SIGKILL'));
    up = third;
    assert.match(third.stderr(), /set aside/);
    await waitFor('scraping again', async () => {
      const r = await api('/api/v1/query?query=up');
      return (r.body.data as { result: unknown[] }).result.length === 1 ? true : undefined;
    });
    assert.equal(await third.stop('SIGTERM'), 0, third.stderr());
  });
});
