import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditLogResponse } from '../../src/console/contract.ts';
import { asSession, type LoggedIn, login, postLogin } from '../support/console-client.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { type RunningUp, startUp } from '../support/redoubt-up.ts';

const TOKEN = 'api-token-users-0123456789';
const BOB_1 = 'bob-first-password-0123';
const BOB_2 = 'bob-second-password-4567';
const WRONG = 'a-wrong-password-89ab';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-users-'));
const data = join(dir, 'data');
const cleanups: Array<() => Promise<unknown>> = [];
/** Every secret the test uses: none may appear in the audit log, users.json or what up prints (but the one line). */
const secrets: string[] = [TOKEN, BOB_1, BOB_2, WRONG];
let redis: RedisServer;
let up: RunningUp;
let adminPassword = '';

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
  up = await startUp(['--redis', redis.url, '--data-dir', data], { REDOUBT_API_TOKEN: TOKEN });
  cleanups.push(() => up.stop('SIGKILL'));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

const user = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['up', 'user', ...args, '--data-dir', data], { env });

async function auditLog(s: LoggedIn): Promise<AuditLogResponse> {
  const r = await asSession(up.url, s, '/console/api/audit-log?limit=100');
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body);
}

describe('users and the audit log', () => {
  test('the first start creates admin with a generated password printed once, stored only as a scrypt hash', async () => {
    const m = /created the console user admin with the password (\S+) \(shown this once/.exec(up.stderr());
    assert.ok(m, up.stderr());
    adminPassword = m[1];
    secrets.push(adminPassword);
    assert.ok(adminPassword.length >= 20);
    // The hint names this data directory: `redoubt up user passwd admin` alone would look in the default one.
    assert.ok(up.stderr().includes(`"redoubt up user passwd admin --data-dir ${data}")`), up.stderr());
    const file = readFileSync(join(data, 'users.json'), 'utf8');
    assert.equal(statSync(join(data, 'users.json')).mode & 0o777, 0o600);
    assert.ok(!file.includes(adminPassword));
    assert.match(JSON.parse(file).users[0].hash, /^scrypt\$14\$8\$5\$/);
    const s = await login(up.url, 'admin', adminPassword);
    secrets.push(s.cookie.split('=')[1], s.csrfToken);
    assert.equal(JSON.parse((await asSession(up.url, s, '/console/api/session')).body).role, 'admin');
    // A restart prints no password: there is no default and no second showing.
    assert.equal(await up.stop('SIGTERM'), 0);
    up = await startUp(['--redis', redis.url, '--data-dir', data], { REDOUBT_API_TOKEN: TOKEN });
    cleanups.push(() => up.stop('SIGKILL'));
    assert.doesNotMatch(up.stderr(), /password/);
  });

  test('redoubt up user add/passwd/role/del while up runs: picked up at once, sessions of a changed user end', async () => {
    const add = await user(['add', 'bob', '--role', 'viewer'], { REDOUBT_USER_PASSWORD: BOB_1 });
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout, 'redoubt up user: added bob\n');
    const bob = await login(up.url, 'bob', BOB_1);
    secrets.push(bob.cookie.split('=')[1], bob.csrfToken);
    assert.equal((await asSession(up.url, bob, '/console/api/audit-log')).status, 403, 'a viewer cannot read it');
    assert.equal((await postLogin(up.url, 'bob', WRONG, { localAddress: '127.0.0.9' })).status, 401);
    const file = join(dir, 'bob.pw');
    writeFileSync(file, `${BOB_2}\n`, { mode: 0o600 });
    assert.equal((await user(['passwd', 'bob', '--password-file', file])).code, 0);
    assert.equal((await asSession(up.url, bob, '/console/api/session')).status, 401, 'the old session ended');
    assert.equal((await postLogin(up.url, 'bob', BOB_1, { localAddress: '127.0.0.10' })).status, 401);
    const bob2 = await login(up.url, 'bob', BOB_2);
    secrets.push(bob2.cookie.split('=')[1], bob2.csrfToken);
    assert.equal((await user(['role', 'bob', '--role', 'admin'])).code, 0);
    const bob3 = await login(up.url, 'bob', BOB_2);
    secrets.push(bob3.cookie.split('=')[1], bob3.csrfToken);
    assert.equal((await asSession(up.url, bob3, '/console/api/audit-log')).status, 200, 'now an admin');
    const carol = await user(['add', 'carol']);
    const generated = /added carol with the password (\S+) \(shown this once\)/.exec(carol.stdout);
    assert.ok(generated, carol.stdout);
    secrets.push(generated[1]);
    assert.equal((await login(up.url, 'carol', generated[1])).cookie.length > 20, true);
    const list = await user(['list']);
    assert.equal(list.stdout, 'admin\tadmin\nbob\tadmin\ncarol\tviewer\n');
    assert.equal((await user(['del', 'bob'])).code, 0);
    assert.equal((await asSession(up.url, bob3, '/console/api/session')).status, 401, 'a removed user is logged out');
    const last = await user(['del', 'admin']);
    assert.equal(last.code, 2);
    assert.match(last.stderr, /admin is the last admin; add another admin before removing it/);
    const weak = await user(['add', 'dave'], { REDOUBT_USER_PASSWORD: 'short' });
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /at least 12 characters/);
    const twice = await user(['add', 'carol'], { REDOUBT_USER_PASSWORD: BOB_1 });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /user carol exists/);
  });

  test('the audit log records every login, failure, logout and user change, and holds no secret', async () => {
    const s = await login(up.url, 'admin', adminPassword);
    secrets.push(s.cookie.split('=')[1], s.csrfToken);
    for (let i = 0; i < 6; i++) await postLogin(up.url, 'carol', WRONG, { localAddress: '127.0.0.11' });
    const out = await login(up.url, 'carol', WRONG.replace('wrong', 'other'), { localAddress: '127.0.0.12' }).catch(
      (e: Error) => e,
    );
    assert.ok(out instanceof Error, 'carol is throttled (per user) from any address');
    assert.equal((await asSession(up.url, s, '/console/api/logout', { method: 'POST' })).status, 204);
    const admin = await login(up.url, 'admin', adminPassword);
    secrets.push(admin.cookie.split('=')[1], admin.csrfToken);
    const { entries } = await auditLog(admin);
    const seen = entries.map((e) => `${e.action} ${e.user} ${e.target} ${e.outcome}`);
    for (const line of [
      'user.add redoubt up admin ok',
      'login admin  ok',
      'login bob  failed',
      'user.add bob ok',
      'user.passwd bob ok',
      'user.role bob ok',
      'user.add carol ok',
      'user.del bob ok',
      'user.del admin failed',
      'login carol  failed',
      'login carol  denied',
      'logout admin  ok',
    ])
      assert.ok(
        seen.some((s) => s.replace(/cli:\S+ /, '') === line || s === line),
        `${line} not in the audit log:\n${seen.join('\n')}`,
      );
    const newestFirst = entries.map((e) => e.at);
    assert.deepEqual(
      newestFirst,
      [...newestFirst].sort((a, b) => b - a),
    );
    assert.ok(entries.every((e) => e.clientAddress !== ''));
    assert.ok(entries.find((e) => e.action === 'login' && e.outcome === 'denied')?.detail.startsWith('throttled'));
    const older = await asSession(up.url, admin, `/console/api/audit-log?limit=2&before=${entries[2].at}`);
    assert.ok(JSON.parse(older.body).entries.every((e: { at: number }) => e.at < entries[2].at));
    assert.equal((await asSession(up.url, admin, '/console/api/audit-log?limit=0')).status, 400);
    // Grep the files and what up printed for every secret used.
    assert.equal(statSync(join(data, 'audit.log')).mode & 0o777, 0o600);
    const files = {
      'audit.log': readFileSync(join(data, 'audit.log'), 'utf8'),
      'users.json': readFileSync(join(data, 'users.json'), 'utf8'),
      stderr: up.stderr(),
    };
    for (const [name, text] of Object.entries(files))
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 4)}…) in ${name}`);
  });
});
