import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { aclPasswordHash } from '../support/redis-server.ts';
import { respCommand } from '../support/resp.ts';
import { ADMIN, envValue, login, OLD, rotate, rotateFixture } from '../support/rotate-fixture.ts';

/**
 * A rotation killed between two steps (kill -9): the next `redoubt rotate --finish` completes it, and what the
 * server keeps on disk matches what it runs (a restart must not bring the old password back).
 */
const OLD2 = 'old-app2-password-0123456789';
const fx = rotateFixture('crash', { users: [`app2 on >${OLD2} ~* +@all`] });

test('--finish killed after removing the old password, before saving: the next --finish saves it too', async () => {
  const env = join(fx.dir, 'app.env');
  const state = join(fx.dir, 'state.json');
  const argv = ['--redis', fx.server.url, '--user', 'app', '--state-file', state];
  const first = await rotate([...argv, '--dotenv', env, '--env-key', 'APP']);
  assert.equal(first.code, 0, first.out);
  const NEW = envValue(env);
  // What a --finish killed between "remove the old password" and "save" leaves: gone in memory, still in the aclfile.
  await respCommand(
    { ...fx.server.endpoint, username: 'admin', password: ADMIN },
    'ACL',
    'SETUSER',
    'app',
    `!${aclPasswordHash(OLD)}`,
  );
  const again = await rotate(['--finish', '--state-file', state, '--redis', fx.server.url]);
  assert.equal(again.code, 0, again.out);
  const aclfile = readFileSync(join(fx.server.dir, 'users.acl'), 'utf8');
  assert.ok(!aclfile.includes(aclPasswordHash(OLD)), `the aclfile still holds the old password:\n${aclfile}`);
  await fx.server.restart();
  assert.match(await login(fx.server, OLD), /WRONGPASS|invalid/i);
  assert.equal(await login(fx.server, NEW), 'PONG');
});

test('a start whose state and pending files are both gone: no lock-out, and the refusals say how to recover', async () => {
  const env = join(fx.dir, 'app2.env');
  const state = join(fx.dir, 'state2.json');
  const argv = ['--redis', fx.server.url, '--user', 'app2', '--state-file', state];
  const first = await rotate([...argv, '--dotenv', env, '--env-key', 'APP']);
  assert.equal(first.code, 0, first.out);
  const NEW = envValue(env);
  // Both passwords, the new one in .env, no state (and no pending file: the start removes it after the state).
  rmSync(state);
  const again = await rotate([...argv, '--dotenv', env, '--env-key', 'APP']);
  assert.equal(again.code, 2, again.out);
  assert.match(again.out, /--resume or --abort.*its pending-rotation file is gone too.*ACL GETUSER app2.*sha256sum/s);
  const finish = await rotate(['--finish', ...argv]);
  assert.equal(finish.code, 2);
  assert.match(finish.out, /no rotation in progress/);
  assert.equal(await login(fx.server, OLD2, 'app2'), 'PONG');
  assert.equal(await login(fx.server, NEW, 'app2'), 'PONG');
});
