import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runRotate } from '../../src/cli/rotate.ts';
import { capturedIo } from '../support/redoubt.ts';
import { adminEnv, envValue, login, OLD, rotate, rotateFixture } from '../support/rotate-fixture.ts';

/** --grace: the command stays, reports who may still use the old password, and removes it at the end. */
const fx = rotateFixture('grace');

async function until(what: string, check: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('--grace stays, shows who may use the old password, then removes it', async () => {
  const env = join(fx.dir, 'app.env');
  const state = join(fx.dir, 'state.json');
  const argv = ['--redis', fx.server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP', '--state-file', state];
  // Checked as the grace period starts (the last step of the first half), not by timing: both passwords log in.
  const during: string[] = [];
  const { code, out } = await rotate([...argv, '--grace', '3s'], {
    reportEveryMs: 500,
    afterStep: async (what) => {
      if (!what.startsWith('write the rotation state')) return;
      during.push(await login(fx.server, OLD), await login(fx.server, envValue(env)));
    },
  });
  assert.equal(code, 0, out);
  const NEW = envValue(env);
  assert.deepEqual(during, ['PONG', 'PONG'], 'during the grace period a new login with either password works');
  assert.match(out, /The old password is removed at 20\d\d-/);
  assert.match(out, /who may still use the old password of "app"/);
  assert.match(out, /Done: only the new password/);
  assert.match(await login(fx.server, OLD), /WRONGPASS/);
  assert.equal(await login(fx.server, NEW), 'PONG');
  assert.throws(() => statSync(state), /ENOENT/);
  assert.ok(!out.includes(NEW) && !out.includes(OLD));
});

test('Ctrl-C during the grace period stops waiting: both passwords still work, --finish does the rest', async () => {
  const env = join(fx.dir, 'second.env');
  const state = join(fx.dir, 'second.json');
  const { io, seen } = capturedIo(adminEnv);
  let interrupt: (s: string) => void = () => {};
  const stopSignal = new Promise<string>((r) => {
    interrupt = r;
  });
  const current = envValue(join(fx.dir, 'app.env'));
  const argv = ['--redis', fx.server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP', '--state-file', state];
  const run = runRotate([...argv, '--grace', '1h'], { ...io, stopSignal });
  await until('the new password to be written', () => seen.out.includes('Both passwords of "app" work now'));
  interrupt('SIGINT');
  assert.equal(await run, 0, seen.out);
  assert.match(seen.out, /Stopped waiting: both passwords still work/);
  const NEW = envValue(env);
  assert.equal(await login(fx.server, current), 'PONG');
  assert.equal(await login(fx.server, NEW), 'PONG');
  const finish = await rotate(['--finish', '--state-file', state]);
  assert.equal(finish.code, 0, finish.out);
  assert.match(await login(fx.server, current), /WRONGPASS/);
  assert.equal(await login(fx.server, NEW), 'PONG');
});

test('a grace period shorter than the report interval: one report, just before the removal (not twice)', async () => {
  const env = join(fx.dir, 'once.env');
  const argv = ['--redis', fx.server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP'];
  const { code, out } = await rotate([...argv, '--state-file', join(fx.dir, 'once.json'), '--grace', '1s'], {
    reportEveryMs: 600_000,
  });
  assert.equal(code, 0, out);
  const reports = out.split('\n').filter((l) => l.includes('who may still use the old password of'));
  assert.equal(reports.length, 1, out);
  assert.ok(out.indexOf(reports[0]) < out.indexOf('Removing the old password'), out);
});
