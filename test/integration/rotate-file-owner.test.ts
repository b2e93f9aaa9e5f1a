import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { runRotate } from '../../src/cli/rotate.ts';
import { canDropPrivileges, NOBODY } from '../support/as-nobody.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

/**
 * rotate run as root (sudo) on the .env and password file of the application's user: the files keep their owner
 * and group as well as their mode. Before, the new files were root's, 0600: the application could no longer read
 * its password at its next start.
 */
const ADMIN = 'admin-password-0123456789';
const adminEnv = { REDIS_USER: 'admin', REDIS_PASSWORD: ADMIN };

let server: RedisServer;
let dir: string;

before(async () => {
  server = await startRedis({
    aclUsers: [
      'default off',
      `admin on >${ADMIN} ~* &* +@all`,
      'app on >old-app-password-0123456789 ~* +@all',
      'app2 on >old-app2-password-0123456789 ~* +@all',
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-owner-'));
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('as root, the .env and the password file keep their owner, group and mode', {
  skip: !canDropPrivileges(),
}, async () => {
  const env = join(dir, '.env');
  const pw = join(dir, 'pw.json');
  writeFileSync(env, 'OTHER=1\nAPP=old-app-password-0123456789\n', { mode: 0o640 });
  writeFileSync(pw, '{}\n', { mode: 0o600 });
  for (const f of [env, pw]) chownSync(f, NOBODY.uid, NOBODY.gid);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  for (const s of [stdout, stderr])
    s.on('data', (d) => {
      out += d;
    });
  const argv = ['--redis', server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP', '--password-file', pw];
  const code = await runRotate([...argv, '--state-file', join(dir, 's.json')], {
    stdout,
    stderr,
    env: adminEnv,
    stopSignal: new Promise<string>(() => {}),
  });
  assert.equal(code, 0, out);
  for (const [f, mode] of [
    [env, 0o640],
    [pw, 0o600],
  ] as const) {
    const st = statSync(f);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [NOBODY.uid, NOBODY.gid, mode], f);
  }
});

test('a .env in a directory every user may write to: refused before any server changes (exit 2)', async () => {
  const open = join(dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  for (const s of [stdout, stderr])
    s.on('data', (d) => {
      out += d;
    });
  const argv = ['--redis', server.url, '--user', 'app2', '--dotenv', join(open, '.env'), '--env-key', 'APP'];
  let code: number;
  try {
    code = await runRotate([...argv, '--state-file', join(dir, 's2.json')], {
      stdout,
      stderr,
      env: adminEnv,
      stopSignal: new Promise<string>(() => {}),
    });
  } catch (err) {
    code = 2;
    out += (err as Error).message;
  }
  assert.equal(code, 2, out);
  assert.match(out, /every user/);
  assert.doesNotMatch(out, /ACL SETUSER/, 'no step ran');
});
