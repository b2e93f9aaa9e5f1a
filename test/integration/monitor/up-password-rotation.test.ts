import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { httpGet } from '../../support/http.ts';
import { waitFor } from '../../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../../support/redis-server.ts';
import { type RunningUp, startUp } from '../../support/redoubt-up.ts';

const TOKEN = 'rotation-token-0123456789';
const OLD = 'old-watcher-secret-7f3a';
const NEW = 'new-watcher-secret-91bc';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-rotation-'));
const passwordFile = join(dir, 'passwords.json');
let redis: RedisServer;
let up: RunningUp;

function writePasswords(password: string): void {
  // As redoubt rotate does: a new file renamed over the old.
  const tmp = `${passwordFile}.tmp`;
  // redis_exporter's format: the target URL with its user, as the key.
  writeFileSync(tmp, JSON.stringify({ [redis.url.replace('redis://', 'redis://watcher@')]: password }), {
    mode: 0o600,
  });
  renameSync(tmp, passwordFile);
}

async function health(): Promise<{ health: string; lastError: string }> {
  const r = await httpGet(`${up.url}/api/v1/targets`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  if (r.status !== 200) throw new Error(`targets: ${r.status} ${r.body.slice(0, 200)}`);
  const t = (JSON.parse(r.body).data.activeTargets as Array<{ health: string; lastError: string }>)[0];
  return t;
}

before(async () => {
  redis = await startRedis({ password: 'admin-pw-4411', aclUsers: [`watcher on >${OLD} ~* &* +@all`] });
  writePasswords(OLD);
  up = await startUp(
    [
      '--redis',
      redis.url,
      '--redis.user',
      'watcher',
      '--redis.password-file',
      passwordFile,
      '--data-dir',
      join(dir, 'data'),
      '--scrape-interval',
      '1s',
    ],
    { REDOUBT_API_TOKEN: TOKEN, REDOUBT_ADMIN_PASSWORD: 'console-admin-pw-0001' },
  );
});
after(async () => {
  await up?.stop('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('redoubt up logs in with the password the file holds now after a rotation, and prints neither password', async () => {
  await waitFor(
    'the target up with the old password',
    async () => {
      const h = await health();
      if (h.health !== 'up') throw new Error(`${h.health}: ${h.lastError}`);
      return true;
    },
    { timeoutMs: 30_000 },
  );
  // The rotation's end: only the new password is left on the server, the file holds it, and the connection up
  // logged in with the old one is cut (as a restart of Redis or a network blip would).
  await redis.command('ACL', 'SETUSER', 'watcher', `>${NEW}`, `<${OLD}`);
  writePasswords(NEW);
  await redis.command('CLIENT', 'KILL', 'USER', 'watcher');
  await waitFor(
    'a new login as watcher (with the new password)',
    async () => {
      const list = String(await redis.command('CLIENT', 'LIST'));
      return /\buser=watcher\b/.test(list) && (await health()).health === 'up' ? true : undefined;
    },
    { timeoutMs: 30_000, detail: () => up.stderr() },
  );
  const denied = String(await redis.command('ACL', 'LOG'));
  assert.doesNotMatch(up.stderr(), new RegExp(`${OLD}|${NEW}`));
  assert.ok(!denied.includes(NEW));
});
