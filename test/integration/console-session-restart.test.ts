/**
 * Sessions across a restart of `redoubt up`: a session lives on (same user, same CSRF token, same expiry), kept in
 * <data dir>/sessions.json (0600, no cookie values); a user removed, or whose password changed, while up was down
 * is not let back in, and neither is a session that logged out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { asSession, type LoggedIn, login } from '../support/console-client.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const ADMIN_PASSWORD = 'admin-pass-restart-0123456789';
const BOB_PASSWORD = 'bob-pass-restart-0123456789';
const CAROL_PASSWORD = 'carol-pass-restart-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-restart-'));
const data = join(dir, 'data');
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<RunningUp> {
  const up = await startUp(['--redis', redis.url, '--data-dir', data], { REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD });
  cleanups.push(() => up.stop('SIGKILL'));
  return up;
}

async function addUser(name: string, password: string): Promise<void> {
  const r = await runCli(['up', 'user', 'add', name, '--role', 'viewer', '--data-dir', data], {
    env: { REDOUBT_USER_PASSWORD: password },
  });
  assert.equal(r.code, 0, r.stderr);
}

describe('console sessions across a restart', () => {
  test('a session survives a restart; a removed user, a changed password and a logout do not', async () => {
    let up = await start();
    await addUser('bob', BOB_PASSWORD);
    await addUser('carol', CAROL_PASSWORD);
    const admin = await login(up.url, 'admin', ADMIN_PASSWORD);
    const bob = await login(up.url, 'bob', BOB_PASSWORD);
    const carol = await login(up.url, 'carol', CAROL_PASSWORD);
    const leaving = await login(up.url, 'admin', ADMIN_PASSWORD);
    assert.equal((await asSession(up.url, leaving, '/console/api/logout', { method: 'POST' })).status, 204);
    const before = JSON.parse((await asSession(up.url, admin, '/console/api/session')).body);

    const path = join(data, 'sessions.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const file = readFileSync(path, 'utf8');
    for (const s of [admin, bob, carol, leaving]) assert.ok(!file.includes(s.cookie.split('=')[1]), 'no cookie value');

    assert.equal(await up.stop('SIGTERM'), 0);
    assert.equal((await runCli(['up', 'user', 'del', 'bob', '--data-dir', data])).code, 0);
    const passwd = await runCli(['up', 'user', 'passwd', 'carol', '--data-dir', data], {
      env: { REDOUBT_USER_PASSWORD: `${CAROL_PASSWORD}-new` },
    });
    assert.equal(passwd.code, 0, passwd.stderr);
    up = await start();

    const status = (s: LoggedIn) => asSession(up.url, s, '/console/api/session');
    const kept = await status(admin);
    assert.equal(kept.status, 200, 'the admin is still signed in after the restart');
    const after = JSON.parse(kept.body);
    assert.equal(after.user, 'admin');
    assert.equal(after.csrfToken, before.csrfToken, 'the same session, its CSRF token included');
    assert.equal(after.expiresAt, before.expiresAt, 'its expiry is kept');
    assert.equal((await status(bob)).status, 401, 'bob was removed while up was down');
    assert.equal((await status(carol)).status, 401, "carol's password changed while up was down");
    assert.equal((await status(leaving)).status, 401, 'a logout before the restart stays a logout');
    // The kept session works for what changes things too (its CSRF token survived).
    assert.equal((await asSession(up.url, admin, '/console/api/logout', { method: 'POST' })).status, 204);
    assert.equal((await status(admin)).status, 401);
  });
});
