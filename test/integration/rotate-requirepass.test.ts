import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { aclPasswordHash, type RedisServer, startRedis } from '../support/redis-server.ts';
import { runMain } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';

/**
 * A server with only `requirepass` (no aclfile): the default user gets the second password, CONFIG REWRITE saves
 * it as a `user default` line beside the old requirepass, and --finish makes the new one the requirepass. Each
 * stage is checked across a restart of the server, which is what "persisted" has to mean.
 */
const OLD = 'old-requirepass-0123456789';

let server: RedisServer;
let dir: string;

before(async () => {
  server = await startRedis({ password: OLD });
  dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-rp-'));
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ping = (password: string) => respCommand({ ...server.endpoint, password }, 'PING');

async function refused(password: string): Promise<boolean> {
  try {
    await ping(password);
    return false;
  } catch (err) {
    return /WRONGPASS/.test((err as Error).message);
  }
}

test('requirepass only: the default user gets both passwords, and --finish makes the new one the requirepass', async () => {
  const envFile = join(dir, '.env');
  writeFileSync(envFile, `REDIS_PASSWORD=${OLD}\n`, { mode: 0o600 });
  const state = join(dir, 'state.json');
  const start = await runMain(
    ['rotate', '--redis', server.url, '--dotenv', envFile, '--env-key', 'REDIS_PASSWORD', '--state-file', state],
    { REDIS_PASSWORD: OLD },
  );
  assert.equal(start.code, 0, start.stderr + start.stdout);
  const NEW = /^REDIS_PASSWORD=(.*)$/m.exec(readFileSync(envFile, 'utf8'))?.[1] ?? '';
  assert.equal(NEW.length, 40);
  assert.ok(!start.stdout.includes(NEW) && !start.stdout.includes(OLD));
  assert.match(start.stdout, /password from requirepass/);
  assert.match(start.stdout, /after a restart the `user default` line wins/);

  // What CONFIG REWRITE wrote on 7.0.15: requirepass keeps the old password, a user line gets both hashes.
  const conf = readFileSync(join(server.dir, 'redis.conf'), 'utf8');
  assert.match(conf, new RegExp(`^requirepass "?${OLD}"?$`, 'm'));
  assert.match(conf, new RegExp(`^user default on .*#${aclPasswordHash(OLD)} #${aclPasswordHash(NEW)}`, 'm'));
  assert.equal(await ping(OLD), 'PONG');
  assert.equal(await ping(NEW), 'PONG');
  await server.restart();
  assert.equal(await ping(OLD), 'PONG', 'after a restart in the grace period, the old password works');
  assert.equal(await ping(NEW), 'PONG', 'and so does the new one (the user line wins over requirepass)');

  // The operator now connects with the new password, read from the .env rotate wrote.
  const finish = await runMain(['rotate', '--finish', '--state-file', state], { REDIS_PASSWORD: NEW });
  assert.equal(finish.code, 0, finish.stderr + finish.stdout);
  assert.match(finish.stdout, /CONFIG SET requirepass/);
  assert.ok(!finish.stdout.includes(NEW));
  assert.ok(await refused(OLD));
  assert.equal(await ping(NEW), 'PONG');
  assert.deepEqual(await respCommand({ ...server.endpoint, password: NEW }, 'CONFIG', 'GET', 'requirepass'), [
    'requirepass',
    NEW,
  ]);
  const finished = readFileSync(join(server.dir, 'redis.conf'), 'utf8');
  assert.ok(!finished.includes(OLD) && !finished.includes(aclPasswordHash(OLD)), 'the old password left redis.conf');
  await server.restart();
  assert.ok(await refused(OLD), 'after a restart the old password stays refused');
  assert.equal(await respCommand({ ...server.endpoint, password: NEW }, 'PING'), 'PONG');
});
