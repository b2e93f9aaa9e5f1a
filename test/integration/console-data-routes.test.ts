/**
 * How the app mounts the data routes (src/console/data/routes.ts): a table of test routes on the real session,
 * user file and audit log, served over real HTTP. Checks the contract's promises: role, CSRF on POST/DELETE, the
 * 64 KiB JSON body, ConsoleHttpError → status and `{ error }`, and one audit line per audited call.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { mountDataRoutes } from '../../src/console/app/data-routes.ts';
import type { Gate } from '../../src/console/app/gate.ts';
import { securityHeaders } from '../../src/console/app/security-headers.ts';
import { mountSessionRoutes } from '../../src/console/app/session-routes.ts';
import { AuditLog } from '../../src/console/audit/audit-log.ts';
import { LoginThrottle } from '../../src/console/auth/login-throttle.ts';
import { SessionStore } from '../../src/console/auth/sessions.ts';
import { changeUsers, createFirstAdmin } from '../../src/console/auth/user-changes.ts';
import { UserDirectory } from '../../src/console/auth/user-directory.ts';
import { ConsoleHttpError, type ConsoleRequest, type ConsoleRoute } from '../../src/console/contract.ts';
import { asSession, consoleRequest, login } from '../support/console-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-routes-'));
const ADMIN = 'admin-pass-routes-0123';
const VIEWER = 'viewer-pass-routes-0123';
const TOKEN = 'token-routes-0123456789';
let server: Server;
let base = '';
const calls: ConsoleRequest[] = [];

const routes: ConsoleRoute<{ tag: string }>[] = [
  {
    method: 'GET',
    path: '/console/api/things/:name',
    role: 'viewer',
    handle: (r, d) => ({ name: r.params.name, tag: d.tag }),
  },
  {
    method: 'POST',
    path: '/console/api/things/:name/poke',
    role: 'admin',
    audit: 'thing.poke',
    auditTarget: (r) => r.params.name,
    handle(r) {
      calls.push(r);
      return { poked: r.params.name, body: r.body };
    },
  },
  {
    method: 'DELETE',
    path: '/console/api/things/:name',
    role: 'admin',
    audit: 'thing.delete',
    handle(r) {
      throw new ConsoleHttpError(409, `${r.params.name} is busy`);
    },
  },
  {
    method: 'GET',
    path: '/console/api/broken',
    role: 'viewer',
    audit: 'broken.read',
    handle() {
      throw new Error('a bug with a detail the client must not see');
    },
  },
];

before(async () => {
  await createFirstAdmin(dir, ADMIN);
  await changeUsers(dir, { kind: 'add', name: 'vera', role: 'viewer', password: VIEWER });
  const gate: Gate = {
    tls: false,
    credentials: { token: TOKEN },
    openLoopbackApi: false,
    users: new UserDirectory(dir, () => {}),
    sessions: new SessionStore(),
  };
  const audit = new AuditLog(dir);
  const app = new Hono();
  app.use(securityHeaders(false));
  mountSessionRoutes(app, { gate, throttle: new LoginThrottle(), audit, absoluteMs: 3600_000 });
  mountDataRoutes(app, routes, { gate, audit, deps: { tag: 'deps' }, log: () => {} });
  server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const auditLines = () =>
  readFileSync(join(dir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('data routes as the app mounts them', () => {
  test('401 without a session; a viewer reads and is refused an admin route (audited as denied)', async () => {
    assert.equal((await consoleRequest(`${base}/console/api/things/a`)).status, 401);
    const vera = await login(base, 'vera', VIEWER);
    const read = await asSession(base, vera, '/console/api/things/a%20b');
    assert.equal(read.status, 200);
    assert.deepEqual(JSON.parse(read.body), { name: 'a b', tag: 'deps' });
    const poke = await asSession(base, vera, '/console/api/things/x/poke', { method: 'POST' });
    assert.equal(poke.status, 403);
    assert.deepEqual(JSON.parse(poke.body), { error: 'this needs the admin role' });
    assert.equal(calls.length, 0);
    const line = auditLines().at(-1);
    assert.deepEqual(
      { user: line.user, action: line.action, target: line.target, outcome: line.outcome },
      { user: 'vera', action: 'thing.poke', target: 'x', outcome: 'denied' },
    );
  });

  test('POST: CSRF checked, JSON body parsed and bounded, the call audited with its target', async () => {
    const admin = await login(base, 'admin', ADMIN);
    const path = '/console/api/things/t1/poke';
    const json = { 'Content-Type': 'application/json' };
    const noToken = await consoleRequest(`${base}${path}`, {
      method: 'POST',
      headers: { Cookie: admin.cookie, Origin: base, ...json },
      body: '{}',
    });
    assert.equal(noToken.status, 403);
    const wrongOrigin = await asSession(base, admin, path, {
      method: 'POST',
      headers: { Origin: 'http://evil.example', ...json },
      body: '{}',
    });
    assert.equal(wrongOrigin.status, 403);
    assert.equal(calls.length, 0, 'refused before the handler');
    const ok = await asSession(base, admin, path, { method: 'POST', headers: json, body: '{"comment":"hi"}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { poked: 't1', body: { comment: 'hi' } });
    assert.equal(calls[0].principal.user, 'admin');
    assert.equal(calls[0].principal.via, 'session');
    assert.equal(calls[0].clientAddress, '127.0.0.1');
    const big = await asSession(base, admin, path, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ x: 'y'.repeat(70 * 1024) }),
    });
    assert.equal(big.status, 413);
    const bad = await asSession(base, admin, path, { method: 'POST', headers: json, body: '{not json' });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body), { error: 'the body is not valid JSON' });
    const form = await asSession(base, admin, path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    assert.equal(form.status, 415);
    const lines = auditLines().filter((l) => l.action === 'thing.poke');
    assert.deepEqual(
      lines.map((l) => `${l.user} ${l.target} ${l.outcome}`),
      [
        'vera x denied',
        'admin t1 denied',
        'admin t1 denied',
        'admin t1 ok',
        'admin t1 failed',
        'admin t1 failed',
        'admin t1 failed',
      ],
    );
  });

  test('ConsoleHttpError → its status and { error }; an unexpected error → 500 without its message', async () => {
    const admin = await login(base, 'admin', ADMIN);
    const del = await asSession(base, admin, '/console/api/things/d1', { method: 'DELETE' });
    assert.equal(del.status, 409);
    assert.deepEqual(JSON.parse(del.body), { error: 'd1 is busy' });
    const broken = await asSession(base, admin, '/console/api/broken');
    assert.equal(broken.status, 500);
    assert.deepEqual(JSON.parse(broken.body), { error: 'internal error' });
    const last = auditLines().slice(-2);
    assert.deepEqual(
      last.map((l) => `${l.action} ${l.target} ${l.outcome} ${l.detail}`),
      ['thing.delete d1 failed 409 d1 is busy', 'broken.read  failed 500 internal error'],
    );
  });

  test('the API token is an admin without CSRF (not a browser); a wrong token is nobody', async () => {
    const ok = await consoleRequest(`${base}/console/api/things/t2/poke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(ok.status, 200);
    assert.equal(calls.at(-1)?.principal.via, 'token');
    const wrong = await consoleRequest(`${base}/console/api/things/t2/poke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}x` },
    });
    assert.equal(wrong.status, 401);
    assert.ok(!readFileSync(join(dir, 'audit.log'), 'utf8').includes(TOKEN));
  });
});
