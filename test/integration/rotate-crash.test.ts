import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runRotate } from '../../src/cli/rotate.ts';
import { aclPasswordHash, type RedisServer, startRedis } from '../support/redis-server.ts';
import { capturedIo } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';

/**
 * A rotation killed between two steps (kill -9): the next `redoubt rotate --finish` completes it, and what the
 * server keeps on disk matches what it runs (a restart must not bring the old password back).
 */
const OLD = 'old-app-password-0123456789';
const OLD2 = 'old-app2-password-0123456789';
const ADMIN = 'admin-password-0123456789';
const adminEnv = { REDIS_USER: 'admin', REDIS_PASSWORD: ADMIN };

let server: RedisServer;
let dir: string;

before(async () => {
  server = await startRedis({
    aclUsers: [
      'default off',
      `admin on >${ADMIN} ~* &* +@all`,
      `app on >${OLD} ~* &* +@all`,
      `app2 on >${OLD2} ~* +@all`,
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-crash-'));
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const io = () => capturedIo(adminEnv);

async function login(password: string): Promise<string> {
  try {
    return String(await respCommand({ ...server.endpoint, username: 'app', password }, 'PING'));
  } catch (err) {
    return (err as Error).message;
  }
}

test('--finish killed after removing the old password, before saving: the next --finish saves it too', async () => {
  const env = join(dir, 'app.env');
  const state = join(dir, 'state.json');
  const first = io();
  const argv = ['--redis', server.url, '--user', 'app', '--state-file', state];
  assert.equal(await runRotate([...argv, '--dotenv', env, '--env-key', 'APP'], first.io), 0, first.seen.out);
  const NEW = /^APP=(.*)$/m.exec(readFileSync(env, 'utf8'))?.[1] ?? '';
  // What a --finish killed between "remove the old password" and "save" leaves: gone in memory, still in the aclfile.
  await respCommand(
    { ...server.endpoint, username: 'admin', password: ADMIN },
    'ACL',
    'SETUSER',
    'app',
    `!${aclPasswordHash(OLD)}`,
  );
  const again = io();
  assert.equal(
    await runRotate(['--finish', '--state-file', state, '--redis', server.url], again.io),
    0,
    again.seen.out,
  );
  const aclfile = readFileSync(join(server.dir, 'users.acl'), 'utf8');
  assert.ok(!aclfile.includes(aclPasswordHash(OLD)), `the aclfile still holds the old password:\n${aclfile}`);
  await server.restart();
  assert.match(await login(OLD), /WRONGPASS|invalid/i);
  assert.equal(await login(NEW), 'PONG');
});

test('a start killed after writing the files, before its state file: no lock-out, and the refusals say how to recover', async () => {
  const env = join(dir, 'app2.env');
  const state = join(dir, 'state2.json');
  const first = io();
  const argv = ['--redis', server.url, '--user', 'app2', '--state-file', state];
  assert.equal(await runRotate([...argv, '--dotenv', env, '--env-key', 'APP'], first.io), 0, first.seen.out);
  const NEW = /^APP=(.*)$/m.exec(readFileSync(env, 'utf8'))?.[1] ?? '';
  // kill -9 between the file step and the state step leaves this: both passwords, the new one in .env, no state.
  rmSync(state);
  const again = io();
  let code: number;
  try {
    code = await runRotate([...argv, '--dotenv', env, '--env-key', 'APP'], again.io);
  } catch (err) {
    code = 2;
    again.seen.out += (err as Error).message;
  }
  assert.equal(code, 2, again.seen.out);
  assert.match(again.seen.out, /interrupted before it wrote its state file.*ACL GETUSER app2.*sha256sum/s);
  const finish = io();
  await assert.rejects(runRotate(['--finish', ...argv], finish.io), /no rotation in progress/);
  assert.equal(await login2(OLD2), 'PONG');
  assert.equal(await login2(NEW), 'PONG');
});

async function login2(password: string): Promise<string> {
  try {
    return String(await respCommand({ ...server.endpoint, username: 'app2', password }, 'PING'));
  } catch (err) {
    return (err as Error).message;
  }
}
