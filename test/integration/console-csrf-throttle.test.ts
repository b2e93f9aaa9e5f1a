import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { consoleRequest, login, postLogin } from '../support/console-client.ts';
import { waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const ADMIN_PASSWORD = 'admin-pass-csrf-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-csrf-'));
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
let up: RunningUp;

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  up = await startUp(['--redis', redis.url, '--data-dir', join(dir, 'data')], {
    REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  cleanups.push(() => up.stop('SIGKILL'));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('CSRF, throttling and the allowlist', () => {
  test('a POST without the CSRF token, with a wrong one, from another Origin or cross-site is refused', async () => {
    const s = await login(up.url, 'admin', ADMIN_PASSWORD);
    const logout = (headers: Record<string, string>) =>
      consoleRequest(`${up.url}/console/api/logout`, { method: 'POST', headers: { Cookie: s.cookie, ...headers } });
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ Origin: up.url }, /missing or wrong X-CSRF-Token/],
      [{ Origin: up.url, 'X-CSRF-Token': `${s.csrfToken}x` }, /missing or wrong X-CSRF-Token/],
      [{ Origin: 'http://evil.example', 'X-CSRF-Token': s.csrfToken }, /the Origin is not this console/],
      [{ Origin: 'null', 'X-CSRF-Token': s.csrfToken }, /the Origin is not this console/],
      [{ 'Sec-Fetch-Site': 'cross-site', 'X-CSRF-Token': s.csrfToken }, /a cross-site request/],
      [{ 'Sec-Fetch-Site': 'same-site', Origin: up.url, 'X-CSRF-Token': s.csrfToken }, /a same-site request/],
      [{ 'X-CSRF-Token': s.csrfToken }, /no Origin or Sec-Fetch-Site header/],
    ];
    for (const [headers, why] of refusals) {
      const r = await logout(headers);
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.match(JSON.parse(r.body).error, why);
    }
    assert.equal(
      (await consoleRequest(`${up.url}/console/api/session`, { headers: { Cookie: s.cookie } })).status,
      200,
    );
    const ok = await logout({ Origin: up.url, 'Sec-Fetch-Site': 'same-origin', 'X-CSRF-Token': s.csrfToken });
    assert.equal(ok.status, 204);
    const crossLogin = await postLogin(up.url, 'admin', ADMIN_PASSWORD, { headers: { Origin: 'http://evil.example' } });
    assert.equal(crossLogin.status, 403, 'a login from another site is refused too');
  });

  test('login throttling: per address and per user, 429 with Retry-After, even for the right password; it recovers', async () => {
    const from = { localAddress: '127.0.0.5' };
    for (let i = 0; i < 5; i++)
      assert.equal((await postLogin(up.url, 'admin', `wrong-${i}-password`, from)).status, 401);
    const throttled = await postLogin(up.url, 'admin', ADMIN_PASSWORD, from);
    assert.equal(throttled.status, 429);
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    assert.match(JSON.parse(throttled.body).error, /too many failed logins: try again in \d+ s/);
    // The same user from another address is held back too (per user) …
    assert.equal((await postLogin(up.url, 'admin', ADMIN_PASSWORD, { localAddress: '127.0.0.6' })).status, 429);
    // … and this address for another user (per address).
    assert.equal((await postLogin(up.url, 'someone-else', 'some-password-1', from)).status, 429);
    // After the wait, the right password works and clears the count.
    const s = await waitFor(
      'the login accepted again',
      async () => {
        const r = await postLogin(up.url, 'admin', ADMIN_PASSWORD, from);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.equal(s.status, 200);
    assert.equal((await postLogin(up.url, 'admin', 'wrong-again-password', from)).status, 401, 'counted from 0 again');
  });

  test('--web.allow: other addresses are refused on every route, allowed ones served; a bad CIDR stops start-up', async () => {
    const allowed = await startUp(
      ['--redis', redis.url, '--data-dir', join(dir, 'allow'), '--web.allow', '127.0.0.7/32', '--web.allow', '::1'],
      { REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    );
    cleanups.push(() => allowed.stop('SIGKILL'));
    assert.match(allowed.stderr(), /clients allowed from 127\.0\.0\.7\/32, ::1 only/);
    for (const path of ['/-/healthy', '/api/v1/query?query=1', '/metrics', '/login', '/', '/console/api/session']) {
      const r = await consoleRequest(`${allowed.url}${path}`, { localAddress: '127.0.0.1' });
      assert.equal(r.status, 403, path);
      assert.match(r.body, /your address is not allowed/);
    }
    const denied = await postLogin(allowed.url, 'admin', ADMIN_PASSWORD, { localAddress: '127.0.0.1' });
    assert.equal(denied.status, 403);
    assert.equal((await consoleRequest(`${allowed.url}/-/healthy`, { localAddress: '127.0.0.7' })).status, 200);
    assert.equal((await postLogin(allowed.url, 'admin', ADMIN_PASSWORD, { localAddress: '127.0.0.7' })).status, 200);
    assert.equal(await allowed.stop('SIGTERM'), 0);
    const { runCli } = await import('../support/redoubt.ts');
    for (const bad of ['10.0.0.0/33', 'example.com', '300.1.1.1']) {
      const r = await runCli(['up', '--data-dir', join(dir, 'bad'), '--web.allow', bad]);
      assert.equal(r.code, 2, bad);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /--web\.allow .*(not an IP address or CIDR|prefix length must be)/);
    }
  });
});
