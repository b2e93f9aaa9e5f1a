import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canDropPrivileges, NOBODY } from '../support/as-nobody.ts';
import { rotate, rotateFixture } from '../support/rotate-fixture.ts';

/**
 * rotate run as root (sudo) on the .env and password file of the application's user: the files keep their owner
 * and group as well as their mode. Before, the new files were root's, 0600: the application could no longer read
 * its password at its next start.
 */
const fx = rotateFixture('owner', { users: ['app2 on >old-app2-password-0123456789 ~* +@all'] });

test('as root, the .env and the password file keep their owner, group and mode', {
  skip: !canDropPrivileges(),
}, async () => {
  const env = join(fx.dir, '.env');
  const pw = join(fx.dir, 'pw.json');
  writeFileSync(env, 'OTHER=1\nAPP=old-app-password-0123456789\n', { mode: 0o640 });
  writeFileSync(pw, '{}\n', { mode: 0o600 });
  for (const f of [env, pw]) chownSync(f, NOBODY.uid, NOBODY.gid);
  const argv = ['--redis', fx.server.url, '--user', 'app', '--dotenv', env, '--env-key', 'APP', '--password-file', pw];
  const { code, out } = await rotate([...argv, '--state-file', join(fx.dir, 's.json')]);
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
  const open = join(fx.dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const argv = ['--redis', fx.server.url, '--user', 'app2', '--dotenv', join(open, '.env'), '--env-key', 'APP'];
  const { code, out } = await rotate([...argv, '--state-file', join(fx.dir, 's2.json')]);
  assert.equal(code, 2, out);
  assert.match(out, /every user/);
  assert.doesNotMatch(out, /ACL SETUSER/, 'no step ran');
});
