import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { postLogin } from '../support/console-client.ts';
import { runCli } from '../support/redoubt.ts';
import { startUp } from '../support/redoubt-up.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-audit-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { REDOUBT_ADMIN_PASSWORD: 'admin-pass-audit-file-0123' };

test('an audit.log others can read, left there before start, is made private (0600) at the first line', async () => {
  const data = join(dir, 'loose');
  mkdirSync(data, { mode: 0o700 });
  writeFileSync(join(data, 'audit.log'), '', { mode: 0o644 });
  const up = await startUp(['--redis', 'redis://127.0.0.1:1', '--data-dir', data], env);
  try {
    assert.equal((await postLogin(up.url, 'admin', 'wrong-password-here')).status, 401);
    assert.equal(statSync(join(data, 'audit.log')).mode & 0o777, 0o600);
  } finally {
    await up.stop('SIGKILL');
  }
});

test('a symbolic link at audit.log: not followed; up stops at start with one line and exit 2', async () => {
  const data = join(dir, 'linked');
  mkdirSync(data, { mode: 0o700 });
  const target = join(dir, 'elsewhere.txt');
  symlinkSync(target, join(data, 'audit.log'));
  const r = await runCli(
    ['up', '--redis', 'redis://127.0.0.1:1', '--data-dir', data, '--web.listen-address', '127.0.0.1:0'],
    {
      env,
    },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /audit\.log is a symbolic link \(not followed\): remove it/);
  assert.equal(existsSync(target), false, 'nothing written through the link');
});
