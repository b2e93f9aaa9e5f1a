/**
 * Every route of the data-route table (consoleDataRoutes()) on a real `redoubt up`: without a session 401; a
 * viewer refused every admin route; an admin's POST/DELETE refused without the CSRF token and from another Origin,
 * before its handler runs (nothing changes: the audit line says denied). Path parameters are filled with a name
 * no instance has.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { auditLogRoute } from '../../src/console/app/app.ts';
import { consoleDataRoutes } from '../../src/console/data/routes.ts';
import { asSession, consoleRequest, login } from '../support/console-client.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const ADMIN = 'admin-pass-table-0123';
const VIEWER = 'viewer-pass-table-0123';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-table-'));
const data = join(dir, 'data');
let redis: RedisServer;
let up: RunningUp;
const table = [...consoleDataRoutes(), auditLogRoute()].map((r) => ({
  method: r.method,
  role: r.role,
  audit: r.audit,
  path: r.path.replace(/:[A-Za-z]+/g, 'no-such-thing'),
}));

before(async () => {
  redis = await startRedis();
  up = await startUp(['--redis', redis.url, '--data-dir', data], { REDOUBT_ADMIN_PASSWORD: ADMIN });
  const add = await runCli(['up', 'user', 'add', 'vic', '--role', 'viewer', '--data-dir', data], {
    env: { REDOUBT_USER_PASSWORD: VIEWER },
  });
  assert.equal(add.code, 0, add.stderr);
});
after(async () => {
  await up?.stop('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every route of the table: 401 without a session, its role enforced, CSRF before any change', async () => {
  assert.ok(
    table.every((r) => r.method === 'GET' || r.audit),
    'every state-changing route names its audit action',
  );
  const viewer = await login(up.url, 'vic', VIEWER);
  const admin = await login(up.url, 'admin', ADMIN);
  for (const r of table) {
    const what = `${r.method} ${r.path}`;
    assert.equal((await consoleRequest(`${up.url}${r.path}`, { method: r.method })).status, 401, what);
    if (r.role === 'admin') {
      const v = await asSession(up.url, viewer, r.path, {
        method: r.method,
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(v.status, 403, what);
      assert.deepEqual(JSON.parse(v.body), { error: 'this needs the admin role' }, what);
    }
    if (r.method === 'GET') continue;
    const noToken = await consoleRequest(`${up.url}${r.path}`, {
      method: r.method,
      headers: { Cookie: admin.cookie, Origin: up.url, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(noToken.status, 403, what);
    const crossSite = await asSession(up.url, admin, r.path, {
      method: r.method,
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(crossSite.status, 403, what);
  }
  const lines = readFileSync(join(data, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  for (const r of table.filter((t) => t.method !== 'GET')) {
    const mine = lines.filter((l) => l.action === r.audit);
    assert.ok(mine.length >= 2 && mine.every((l) => l.outcome === 'denied'), `${r.audit}: ${JSON.stringify(mine)}`);
  }
});
