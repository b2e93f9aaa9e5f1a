import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { aclPasswordHash } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';
import {
  ADMIN,
  adminEnv,
  envValue,
  hashesOf,
  login,
  OLD,
  rotateFixture,
  startRotateServer,
} from '../support/rotate-fixture.ts';

/**
 * rotate killed (kill -9: the test hook REDOUBT_TEST_KILL_AFTER_STEP makes the process SIGKILL itself after the
 * named step) after it added the new password to the server(s) but before the .env holds it. The pending-rotation
 * file it wrote first keeps the new password, so the next run can finish the rotation (--resume) or undo it
 * (--abort); before, the server was left accepting a password nobody knew. Runs the built CLI (node scripts/build.mjs).
 */
const fx = rotateFixture('interrupted');

const killedAt = (step: string) => ({ env: { ...adminEnv, REDOUBT_TEST_KILL_AFTER_STEP: step }, timeoutMs: 60000 });
const asAdmin = { env: adminEnv, timeoutMs: 60000 };

test('killed after the server saved the new password, before .env: the next run says so, --resume finishes', async () => {
  const env = join(fx.dir, 'app.env');
  const state = join(fx.dir, 'state.json');
  const pending = join(fx.dir, 'state.pending.json');
  const start = ['rotate', '--redis', fx.server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP'];
  const killed = await runCli([...start, '--state-file', state], killedAt('save '));
  assert.equal(killed.code, null, `rotate should have been killed:\n${killed.stdout}${killed.stderr}`);
  const hashes = await hashesOf(fx.server, 'app');
  assert.equal(hashes.length, 2, 'the new password is on the server');
  assert.throws(() => statSync(env), /ENOENT/, 'and nowhere else yet');
  assert.equal(statSync(pending).mode & 0o777, 0o600);
  const NEW = JSON.parse(readFileSync(pending, 'utf8')).newPassword as string;
  assert.ok(hashes.includes(aclPasswordHash(NEW)), 'the pending file holds the password the server accepts');
  assert.ok(!killed.stdout.includes(NEW) && !killed.stderr.includes(NEW));

  for (const again of [
    [...start, '--state-file', state],
    ['rotate', '--finish', '--state-file', state],
  ]) {
    const r = await runCli(again, asAdmin);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /interrupted before it finished .*redoubt rotate --resume --state-file .*--abort/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!r.stderr.includes(NEW));
  }

  const resumed = await runCli(['rotate', '--resume', '--state-file', state], asAdmin);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /ok {5}write the new password to .*app\.env \(APP\)/);
  assert.match(resumed.stdout, /Both passwords of "app" work now/);
  assert.ok(!resumed.stdout.includes(NEW) && !resumed.stderr.includes(NEW));
  assert.equal(envValue(env), NEW);
  assert.equal(statSync(env).mode & 0o777, 0o600);
  assert.throws(() => statSync(pending), /ENOENT/);
  assert.equal(await login(fx.server, NEW), 'PONG');
  assert.equal(await login(fx.server, OLD), 'PONG');

  const finish = await runCli(['rotate', '--finish', '--state-file', state], asAdmin);
  assert.equal(finish.code, 0, finish.stdout + finish.stderr);
  assert.match(await login(fx.server, OLD), /WRONGPASS/);
  assert.equal(await login(fx.server, NEW), 'PONG');
});

test('killed after .env was written, on a master and its replica: --abort puts servers, masterauth and .env back', async () => {
  const master = await startRotateServer();
  const replica = await startRotateServer([], {
    config: [`replicaof 127.0.0.1 ${master.port}`, 'masteruser app', `masterauth ${OLD}`],
  });
  try {
    const env = join(fx.dir, 'abort.env');
    writeFileSync(env, `OTHER=1\nAPP=${OLD}\n`, { mode: 0o640 });
    const state = join(fx.dir, 'abort.json');
    const argv = ['--redis', master.url, '--redis', replica.url, '--user', 'app', '--state-file', state];
    const killed = await runCli(
      ['rotate', ...argv, '--dotenv', env, '--env-key', 'APP'],
      killedAt('write the new password to'),
    );
    assert.equal(killed.code, null, killed.stdout + killed.stderr);
    const NEW = envValue(env);
    assert.notEqual(NEW, OLD);
    assert.deepEqual(
      await respCommand({ ...replica.endpoint, username: 'admin', password: ADMIN }, 'CONFIG', 'GET', 'masterauth'),
      ['masterauth', NEW],
    );

    const aborted = await runCli(['rotate', '--abort', ...argv], asAdmin);
    assert.equal(aborted.code, 0, aborted.stdout + aborted.stderr);
    assert.match(aborted.stdout, /Aborted: the new password is gone from every server/);
    assert.ok(!aborted.stdout.includes(NEW) && !aborted.stdout.includes(OLD));
    for (const s of [master, replica]) {
      assert.deepEqual(await hashesOf(s, 'app'), [aclPasswordHash(OLD)]);
      const aclfile = readFileSync(join(s.dir, 'users.acl'), 'utf8');
      assert.ok(!aclfile.includes(aclPasswordHash(NEW)), 'saved: a restart does not bring the new password back');
    }
    assert.deepEqual(
      await respCommand({ ...replica.endpoint, username: 'admin', password: ADMIN }, 'CONFIG', 'GET', 'masterauth'),
      ['masterauth', OLD],
    );
    assert.equal(readFileSync(env, 'utf8'), `OTHER=1\nAPP=${OLD}\n`);
    assert.equal(statSync(env).mode & 0o777, 0o640);
    assert.throws(() => statSync(join(fx.dir, 'abort.pending.json')), /ENOENT/);
    assert.throws(() => statSync(state), /ENOENT/);
    // Nothing is left to recover, and a new rotation may start.
    const again = await runCli(['rotate', '--abort', '--state-file', state], asAdmin);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no interrupted rotation to abort/);
  } finally {
    await replica.stop();
    await master.stop();
  }
});

test('killed after adding the new password to the first of two servers: --resume adds it to the second too', async () => {
  const other = await startRotateServer();
  try {
    const env = join(fx.dir, 'two.env');
    const state = join(fx.dir, 'two.json');
    const argv = ['--redis', fx.server.url, '--redis', other.url, '--user', 'app', '--state-file', state];
    // (the first test's --finish left "app" on fx.server with one password: a new rotation may start)
    const before = (await hashesOf(fx.server, 'app'))[0];
    await respCommand(
      { ...other.endpoint, username: 'admin', password: ADMIN },
      'ACL',
      'SETUSER',
      'app',
      'resetpass',
      `#${before}`,
    );
    const killed = await runCli(
      ['rotate', ...argv, '--dotenv', env, '--env-key', 'APP'],
      killedAt(`add a second password to "app" on ${fx.server.url}`),
    );
    assert.equal(killed.code, null, killed.stdout + killed.stderr);
    assert.equal((await hashesOf(fx.server, 'app')).length, 2);
    assert.deepEqual(await hashesOf(other, 'app'), [before], 'the second server was not reached');
    const resumed = await runCli(['rotate', '--resume', ...argv], asAdmin);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const NEW = envValue(env);
    for (const s of [fx.server, other]) {
      assert.deepEqual(await hashesOf(s, 'app'), [before, aclPasswordHash(NEW)]);
      assert.equal(await login(s, NEW), 'PONG');
    }
  } finally {
    await other.stop();
  }
});
