import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { respCommand } from '../support/resp.ts';
import { ADMIN, login, rotate, rotateFixture } from '../support/rotate-fixture.ts';

/**
 * rotate --status on a real server: ACL LOG keeps failed logins for as long as the server runs, and one from
 * before the rotation is no client of it. Only those since the rotation started are listed; the older ones are
 * counted apart. Before, a typo from last week showed as a client still using the old password.
 */
const fx = rotateFixture('status');

async function authFailureAge(): Promise<number> {
  const log = (await respCommand(
    { ...fx.server.endpoint, username: 'admin', password: ADMIN },
    'ACL',
    'LOG',
    '10',
  )) as unknown[][];
  const entry = log.find((e) => e.includes('auth') && e.includes('app')) ?? [];
  return Number(entry[entry.indexOf('age-seconds') + 1] ?? -1);
}

test('--status lists the failed logins since the rotation started and says how many older ones it skipped', async () => {
  assert.match(await login(fx.server, 'a-wrong-password-from-before'), /WRONGPASS/);
  // The failure is clearly older than the rotation (the server's own clock says so), whatever the machine's load.
  const deadline = Date.now() + 30000;
  while ((await authFailureAge()) < 0.5) {
    if (Date.now() > deadline) throw new Error('the failed login never showed in ACL LOG');
    await new Promise((r) => setTimeout(r, 50));
  }
  const state = join(fx.dir, 'state.json');
  const argv = ['--redis', fx.server.url, '--user', 'app', '--state-file', state];
  const start = await rotate([...argv, '--dotenv', join(fx.dir, 'app.env'), '--env-key', 'APP']);
  assert.equal(start.code, 0, start.out);
  const status = await rotate(['--status', '--state-file', state]);
  assert.equal(status.code, 0, status.out);
  assert.match(status.out, /no failed login as "app" in ACL LOG since the rotation started/);
  assert.match(status.out, /\(1 older failed login as "app" in ACL LOG, from before the rotation started, skipped\)/);
  assert.doesNotMatch(status.out, /1 failed login as "app" in ACL LOG since/);
});
