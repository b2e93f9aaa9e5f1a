import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hideSecrets } from '../../src/rotate/hide-secrets.ts';

test('hideSecrets: every occurrence of a rotate password is replaced', () => {
  const pw = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
  assert.equal(hideSecrets(`ERR ${pw} and ${pw}`, [pw]), 'ERR *** and ***');
});

test('hideSecrets: a short password is not searched for (it would mangle unrelated words)', () => {
  assert.equal(hideSecrets('Redis at redis://127.0.0.1:6379', ['redis']), 'Redis at redis://127.0.0.1:6379');
});

test('hideSecrets: a password cut short where a long message was cut ("…") is hidden too', () => {
  const pw = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
  assert.equal(hideSecrets(`ERR AUTH app ${pw.slice(0, 20)}…`, [pw]), 'ERR AUTH app ***…');
});
