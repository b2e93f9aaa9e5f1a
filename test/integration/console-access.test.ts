import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { asSession, consoleRequest, login, postLogin } from '../support/console-client.ts';
import { waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const ADMIN_PASSWORD = 'admin-pass-0123456789';
const TOKEN = 'api-token-abcdef0123456789';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-access-'));
const pages = join(dir, 'web');
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;
let up: RunningUp;

before(async () => {
  mkdirSync(join(pages, 'assets'), { recursive: true });
  writeFileSync(
    join(pages, 'index.html'),
    '<!doctype html><title>console</title><script src="/assets/app.js"></script>',
  );
  writeFileSync(join(pages, 'login.html'), '<!doctype html><title>login</title>');
  writeFileSync(join(pages, 'assets', 'app.js'), `console.log(${JSON.stringify('x'.repeat(4000))});\n`);
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  up = await startUp(
    ['--redis', redis.url, '--data-dir', join(dir, 'data'), '--scrape-interval', '1s', '--web.pages-dir', pages],
    { REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD, REDOUBT_API_TOKEN: TOKEN },
  );
  cleanups.push(() => up.stop('SIGKILL'));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

const STRICT_HEADERS = {
  'content-security-policy': /^default-src 'self'; script-src 'self'; .*frame-ancestors 'none'$/,
  'x-content-type-options': /^nosniff$/,
  'referrer-policy': /^no-referrer$/,
  'x-frame-options': /^DENY$/,
};

function assertStrictHeaders(headers: Record<string, unknown>, what: string): void {
  for (const [name, re] of Object.entries(STRICT_HEADERS)) assert.match(String(headers[name]), re, `${what}: ${name}`);
  assert.equal(headers['strict-transport-security'], undefined, `${what}: no HSTS over plain HTTP`);
  assert.doesNotMatch(String(headers['content-security-policy']), /unsafe-inline|unsafe-eval/);
}

describe('the console on redoubt up', () => {
  test('without a session: the API answers 401, pages redirect to /login, the login page and assets load', async () => {
    const api = await consoleRequest(`${up.url}/api/v1/query?query=up`);
    assert.equal(api.status, 401);
    assert.equal(api.headers['www-authenticate'], 'Bearer realm="redoubt"');
    const redirects: Array<[string, string]> = [
      ['/', '/login'],
      ['/instances/redis%3A%2F%2Fx', '/login?next=%2Finstances%2Fredis%253A%252F%252Fx'],
      ['/instances/x?range=3600', '/login?next=%2Finstances%2Fx%3Frange%3D3600'],
      ['/alerts', '/login?next=%2Falerts'],
      ['/security', '/login?next=%2Fsecurity'],
      ['/audit-log', '/login?next=%2Faudit-log'],
    ];
    for (const [path, location] of redirects) {
      const page = await consoleRequest(`${up.url}${path}`);
      assert.equal(page.status, 302, path);
      assert.equal(page.headers.location, location, path);
    }
    const session = await consoleRequest(`${up.url}/console/api/session`);
    assert.equal(session.status, 401);
    assert.deepEqual(JSON.parse(session.body), { error: 'not logged in' });
    const log = await consoleRequest(`${up.url}/console/api/audit-log`);
    assert.equal(log.status, 401);
    const loginPage = await consoleRequest(`${up.url}/login`);
    assert.equal(loginPage.status, 200);
    assert.match(String(loginPage.headers['content-type']), /^text\/html/);
    const asset = await consoleRequest(`${up.url}/assets/app.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['content-encoding'], 'gzip');
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    for (const bad of ['/assets/../index.html', '/assets/%2e%2e/index.html', '/assets/.hidden', '/assets/nope.js'])
      assert.equal((await consoleRequest(`${up.url}${bad}`)).status, 404, bad);
  });

  test('strict headers on every answer: pages, API, errors, assets, redirects', async () => {
    const s = await login(up.url, 'admin', ADMIN_PASSWORD);
    const answers = {
      page: await asSession(up.url, s, '/'),
      redirect: await consoleRequest(`${up.url}/alerts`),
      api: await consoleRequest(`${up.url}/api/v1/query?query=up`, { headers: { Authorization: `Bearer ${TOKEN}` } }),
      unauthorized: await consoleRequest(`${up.url}/metrics`),
      notFound: await consoleRequest(`${up.url}/nothing-here`),
      asset: await consoleRequest(`${up.url}/assets/app.js`),
      consoleApi: await asSession(up.url, s, '/console/api/session'),
      health: await consoleRequest(`${up.url}/-/healthy`),
    };
    for (const [what, r] of Object.entries(answers)) assertStrictHeaders(r.headers, what);
    assert.equal(answers.page.status, 200);
    assert.match(answers.page.body, /<title>console<\/title>/);
    assert.equal(answers.consoleApi.headers['cache-control'], 'no-store');
  });

  test('a login: HttpOnly SameSite=Strict cookie, a new id each time, the session reads the API; logout ends it', async () => {
    const first = await login(up.url, 'admin', ADMIN_PASSWORD);
    assert.match(
      first.setCookie,
      /^redoubt-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    const second = await login(up.url, 'admin', ADMIN_PASSWORD, { headers: { Cookie: first.cookie } });
    assert.notEqual(second.cookie, first.cookie, 'a new session id at login');
    assert.equal((await asSession(up.url, first, '/console/api/session')).status, 401, 'the old session ended');
    const info = JSON.parse((await asSession(up.url, second, '/console/api/session')).body);
    assert.equal(info.user, 'admin');
    assert.equal(info.role, 'admin');
    assert.equal(info.csrfToken, second.csrfToken);
    const q = await waitFor('up through the session', async () => {
      const r = await asSession(up.url, second, '/api/v1/query?query=up');
      const result = JSON.parse(r.body).data?.result;
      return r.status === 200 && result?.length === 1 ? result : undefined;
    });
    assert.equal(q[0].metric.instance, redis.url);
    const out = await asSession(up.url, second, '/console/api/logout', { method: 'POST' });
    assert.equal(out.status, 204);
    assert.match(String((out.headers['set-cookie'] as string[])[0]), /^redoubt-session=; .*Max-Age=0/);
    assert.equal((await asSession(up.url, second, '/console/api/session')).status, 401);
    assert.equal((await asSession(up.url, second, '/api/v1/query?query=up')).status, 401);
    assert.equal((await asSession(up.url, second, '/')).status, 302);
  });

  test('an unknown user and a wrong password get the same answer', async () => {
    const unknown = await postLogin(up.url, 'nobody-here', 'whatever-password', { localAddress: '127.0.0.3' });
    const wrong = await postLogin(up.url, 'admin', 'whatever-password', { localAddress: '127.0.0.4' });
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(unknown.body, wrong.body);
    assert.deepEqual(JSON.parse(wrong.body), { error: 'wrong user or password' });
    assert.equal(unknown.headers['set-cookie'], undefined);
  });

  test('the API token still works alone; a viewer is refused the audit log; pages without dist/web answer 503', async () => {
    const api = await consoleRequest(`${up.url}/api/v1/status/buildinfo`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(api.status, 200);
    const add = await runCli(['up', 'user', 'add', 'viewer1', '--role', 'viewer', '--data-dir', join(dir, 'data')], {
      env: { REDOUBT_USER_PASSWORD: 'viewer-pass-0123456789' },
    });
    assert.equal(add.code, 0, add.stderr);
    const viewer = await login(up.url, 'viewer1', 'viewer-pass-0123456789');
    const refused = await asSession(up.url, viewer, '/console/api/audit-log');
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.body), { error: 'this needs the admin role' });
    assert.equal((await asSession(up.url, viewer, '/')).status, 200);
    const bare = await startUp(
      ['--redis', redis.url, '--data-dir', join(dir, 'data-bare'), '--web.pages-dir', join(dir, 'not-built')],
      { REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    );
    cleanups.push(() => bare.stop('SIGKILL'));
    for (const path of ['/', '/login', '/assets/app.js']) {
      const r = await consoleRequest(`${bare.url}${path}`);
      assert.equal(r.status, 503, path);
      assert.match(r.body, /^the console's pages are not built: run `node scripts\/build\.mjs`/);
    }
    assert.equal((await consoleRequest(`${bare.url}/api/v1/query?query=1`)).status, 200, 'loopback, no token: open');
    const rebound = await consoleRequest(`${bare.url}/api/v1/query?query=1`, { headers: { Host: 'evil.example:80' } });
    assert.equal(rebound.status, 401, 'another Host (DNS rebinding) gets nothing from the open API');
    assert.equal(await bare.stop('SIGTERM'), 0);
  });
});
