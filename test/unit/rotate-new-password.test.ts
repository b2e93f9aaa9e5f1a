import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newPassword, newPasswordProblem, passwordHash, readNewPassword } from '../../src/rotate/new-password.ts';

test('a generated password is 40 letters and digits and passes its own check', () => {
  const pw = newPassword(undefined);
  assert.match(pw, /^[A-Za-z0-9]{40}$/);
  assert.equal(newPasswordProblem(pw), undefined);
  assert.notEqual(newPassword(undefined), pw);
});

test('passwords a .env or redis.conf would need to quote are refused, without quoting them', () => {
  for (const bad of [
    'short',
    'with a space 0123456789',
    'dollar$0123456789abc',
    'quote"0123456789abc',
    'hash#0123456789abcd',
    'é0123456789abcdefgh',
    'tab\t0123456789abcdef',
  ]) {
    const problem = newPasswordProblem(bad);
    assert.ok(problem, bad);
    assert.ok(!problem.includes(bad));
  }
  assert.equal(newPasswordProblem('Ok!%&()*+,-./:;<=>?@[]^_{|}~0123'), undefined);
  assert.match(newPasswordProblem('x'.repeat(513)) ?? '', /longer than 512/);
});

test('readNewPassword takes the one line of the file, and names the file, not the password, when it cannot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-newpw-'));
  try {
    const good = join(dir, 'good');
    writeFileSync(good, 'a-good-password-0123456789\n');
    assert.equal(readNewPassword(good), 'a-good-password-0123456789');
    const two = join(dir, 'two');
    writeFileSync(two, 'line-one-0123456789abc\nline-two-0123456789abc\n');
    assert.throws(
      () => readNewPassword(two),
      (e: Error) => /more than one line/.test(e.message) && !e.message.includes('line-one'),
    );
    assert.throws(() => readNewPassword(join(dir, 'missing')), /does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('passwordHash is the SHA-256 ACL keeps', () => {
  assert.equal(passwordHash('foobar'), 'c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2');
});
