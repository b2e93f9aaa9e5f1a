import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runRotate } from '../../src/cli/rotate.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { capturedIo } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';

/**
 * Two rotations at once on the same state file: the second is refused before it changes anything. Without a lock,
 * the second wrote the shared .env from what it read before the first wrote it (the first one's new password was
 * lost from it) and then the first overwrote the second's state: a --finish later removed a password clients needed.
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
  dir = mkdtempSync(join(tmpdir(), 'redoubt-rotate-concurrent-'));
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const io = () => capturedIo(adminEnv);

async function passwordsOf(user: string): Promise<number> {
  const reply = (await respCommand(
    { ...server.endpoint, username: 'admin', password: ADMIN },
    'ACL',
    'GETUSER',
    user,
  )) as unknown[];
  return (reply[reply.indexOf('passwords') + 1] as unknown[]).length;
}

test('a second rotation on the same state file while one runs: refused, nothing changed', async () => {
  const env = join(dir, '.env');
  const state = join(dir, 'state.json');
  const common = ['--redis', server.url, '--dotenv', env, '--state-file', state];
  const first = io();
  const second = io();
  let secondCode: number | undefined;
  const code = await runRotate([...common, '--user', 'app', '--env-key', 'APP'], first.io, {
    afterStep: async (what) => {
      if (secondCode !== undefined || !what.startsWith('add a second password')) return;
      try {
        secondCode = await runRotate([...common, '--user', 'app2', '--env-key', 'APP2'], second.io);
      } catch (err) {
        secondCode = 2;
        second.seen.out += (err as Error).message;
      }
    },
  });
  assert.equal(code, 0, first.seen.out);
  assert.equal(secondCode, 2, second.seen.out);
  assert.match(second.seen.out, /in progress|in use/);
  assert.equal(await passwordsOf('app2'), 1, 'the second rotation changed nothing on the server');
  assert.doesNotMatch(readFileSync(env, 'utf8'), /APP2=/);
  assert.match(readFileSync(state, 'utf8'), /"user": "app"/);
});
