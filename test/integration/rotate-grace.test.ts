import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { runRotate } from '../../src/cli/rotate.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { respCommand } from '../support/resp.ts';

/** --grace: the command stays, reports who may still use the old password, and removes it at the end. */
const OLD = 'old-app-password-0123456789';
const ADMIN = 'admin-password-0123456789';
const adminEnv = { REDIS_USER: 'admin', REDIS_PASSWORD: ADMIN };

let server: RedisServer;
let dir: string;

before(async () => {
  server = await startRedis({
    aclUsers: ['default off', `admin on >${ADMIN} ~* &* +@all`, `app on >${OLD} ~* &* +@all`],
  });
  dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-grace-'));
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const seen = { out: '' };
  stdout.on('data', (d) => {
    seen.out += d;
  });
  stderr.on('data', (d) => {
    seen.out += d;
  });
  return { stdout, stderr, seen };
}

async function login(password: string): Promise<string> {
  try {
    return String(await respCommand({ ...server.endpoint, username: 'app', password }, 'PING'));
  } catch (err) {
    return (err as Error).message;
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('--grace stays, shows who may use the old password, then removes it', async () => {
  const env = join(dir, 'app.env');
  const state = join(dir, 'state.json');
  const { stdout, stderr, seen } = capture();
  const argv = ['--redis', server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP', '--state-file', state];
  // Checked as the grace period starts (the last step of the first half), not by timing: both passwords log in.
  const during: string[] = [];
  const run = runRotate(
    [...argv, '--grace', '3s'],
    { stdout, stderr, env: adminEnv, stopSignal: new Promise(() => {}) },
    {
      reportEveryMs: 500,
      afterStep: async (what) => {
        if (!what.startsWith('write the rotation state')) return;
        const fresh = /^APP=(.*)$/m.exec(readFileSync(env, 'utf8'))?.[1] ?? '';
        during.push(await login(OLD), await login(fresh));
      },
    },
  );
  assert.equal(await run, 0, seen.out);
  const NEW = /^APP=(.*)$/m.exec(readFileSync(env, 'utf8'))?.[1] ?? '';
  assert.deepEqual(during, ['PONG', 'PONG'], 'during the grace period a new login with either password works');
  assert.match(seen.out, /The old password is removed at 20\d\d-/);
  assert.match(seen.out, /who may still use the old password of "app"/);
  assert.match(seen.out, /Done: only the new password/);
  assert.match(await login(OLD), /WRONGPASS/);
  assert.equal(await login(NEW), 'PONG');
  assert.throws(() => statSync(state), /ENOENT/);
  assert.ok(!seen.out.includes(NEW) && !seen.out.includes(OLD));
});

test('Ctrl-C during the grace period stops waiting: both passwords still work, --finish does the rest', async () => {
  const env = join(dir, 'second.env');
  const state = join(dir, 'second.json');
  const { stdout, stderr, seen } = capture();
  let interrupt: (s: string) => void = () => {};
  const stopSignal = new Promise<string>((r) => {
    interrupt = r;
  });
  const current = /^APP=(.*)$/m.exec(readFileSync(join(dir, 'app.env'), 'utf8'))?.[1] ?? '';
  const run = runRotate(
    [
      '--redis',
      server.url,
      '--user',
      'app',
      '--dotenv',
      env,
      '--env-key',
      'APP',
      '--state-file',
      state,
      '--grace',
      '1h',
    ],
    { stdout, stderr, env: adminEnv, stopSignal },
  );
  await until('the new password to be written', () => seen.out.includes('Both passwords of "app" work now'));
  interrupt('SIGINT');
  assert.equal(await run, 0, seen.out);
  assert.match(seen.out, /Stopped waiting: both passwords still work/);
  const NEW = /^APP=(.*)$/m.exec(readFileSync(env, 'utf8'))?.[1] ?? '';
  assert.equal(await login(current), 'PONG');
  assert.equal(await login(NEW), 'PONG');
  const finish = capture();
  const code = await runRotate(['--finish', '--state-file', state], {
    stdout: finish.stdout,
    stderr: finish.stderr,
    env: adminEnv,
    stopSignal: new Promise(() => {}),
  });
  assert.equal(code, 0, finish.seen.out);
  assert.match(await login(current), /WRONGPASS/);
  assert.equal(await login(NEW), 'PONG');
});

test('a grace period shorter than the report interval: one report, just before the removal (not twice)', async () => {
  const env = join(dir, 'once.env');
  const { stdout, stderr, seen } = capture();
  const argv = ['--redis', server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP'];
  const code = await runRotate(
    [...argv, '--state-file', join(dir, 'once.json'), '--grace', '1s'],
    { stdout, stderr, env: adminEnv, stopSignal: new Promise(() => {}) },
    { reportEveryMs: 600_000 },
  );
  assert.equal(code, 0, seen.out);
  const reports = seen.out.split('\n').filter((l) => l.includes('who may still use the old password of'));
  assert.equal(reports.length, 1, seen.out);
  assert.ok(seen.out.indexOf(reports[0]) < seen.out.indexOf('Removing the old password'), seen.out);
});
