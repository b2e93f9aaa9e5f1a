import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CommonPasswords,
  describeWeaknesses,
  estimateEntropyBits,
  hashMatches,
  judgeHash,
  judgePlaintext,
  loadCommonPasswords,
  parseCommonPasswords,
  sha256Hex,
} from '../../../src/security/passwords.ts';

const STRONG = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'; // 64 hex chars
const STRONG_MIXED = 'Xq7#pL2!vR9@kM4$wT6%zN8^bJ3&hF5*';

describe('the bundled common-password list', () => {
  const list = loadCommonPasswords();

  test('has thousands of entries, the Redis ones included', () => {
    assert.ok(list.size >= 5000, `only ${list.size} entries`);
    for (const p of ['foobared', 'redis', 'password', '123456', 'admin', 'iamadmin', 'root']) {
      assert.ok(list.hasPlaintext(p), p);
    }
  });

  test('matches plaintexts case-insensitively', () => {
    assert.ok(list.hasPlaintext('PASSWORD'));
    assert.ok(list.hasPlaintext('Foobared'));
    assert.ok(!list.hasPlaintext(STRONG));
  });

  test('matches SHA-256 hashes, including Capitalised and UPPER-CASE forms', () => {
    // The lab's ACL LIST hash for requirepass foobared.
    assert.ok(list.hasHash(sha256Hex('foobared')));
    assert.ok(list.hasHash(sha256Hex('Password')));
    assert.ok(list.hasHash(sha256Hex('ADMIN')));
    assert.ok(list.hasHash(sha256Hex('foobared').toUpperCase()), 'hash case does not matter');
    assert.ok(!list.hasHash(sha256Hex(STRONG)));
  });

  test('is loaded once', () => {
    assert.equal(loadCommonPasswords(), list);
  });
});

describe('a custom list', () => {
  test('always contains the essential Redis passwords', () => {
    const list = parseCommonPasswords('hunter2\n\nswordfish\r\n');
    assert.ok(list.hasPlaintext('hunter2'));
    assert.ok(list.hasPlaintext('swordfish'));
    assert.ok(list.hasPlaintext('foobared'));
    assert.ok(!list.hasPlaintext(''));
  });

  test('an empty CommonPasswords matches nothing', () => {
    const list = new CommonPasswords([]);
    assert.equal(list.size, 0);
    assert.ok(!list.hasPlaintext('password'));
    assert.ok(!list.hasHash(sha256Hex('password')));
  });
});

describe('judgePlaintext', () => {
  test('a long random password has no weakness', () => {
    assert.deepEqual(judgePlaintext(STRONG), []);
    assert.deepEqual(judgePlaintext(STRONG_MIXED), []);
  });

  test('foobared is common, short and low in entropy', () => {
    assert.deepEqual(judgePlaintext('foobared'), ['common', 'short', 'low-entropy']);
  });

  test('a password equal to the username (or a trivial variant of it)', () => {
    assert.ok(judgePlaintext('bob', { username: 'bob' }).includes('equals-username'));
    assert.ok(judgePlaintext('Bob123', { username: 'bob' }).includes('equals-username'));
    assert.ok(!judgePlaintext(STRONG, { username: 'bob' }).includes('equals-username'));
  });

  test('long but repetitive or sequential passwords are weak', () => {
    assert.ok(judgePlaintext('a'.repeat(40)).includes('few-distinct-characters'));
    assert.ok(judgePlaintext('a'.repeat(40)).includes('sequential'));
    assert.ok(judgePlaintext('abcdefghijklmnopqrstuvwxyz0123456789').includes('sequential'));
  });

  test('32 digits are long enough but below 128 bits', () => {
    const w = judgePlaintext('83920174659203847561029384756102');
    assert.ok(!w.includes('short'));
    assert.ok(w.includes('low-entropy'));
  });

  test('an empty password is only "empty"', () => {
    assert.deepEqual(judgePlaintext(''), ['empty']);
  });
});

describe('judgeHash', () => {
  test('finds the username and common passwords behind a hash', () => {
    assert.deepEqual(judgeHash(sha256Hex('weak'), { username: 'weak' }), ['equals-username']);
    assert.deepEqual(judgeHash(`#${sha256Hex('foobared')}`), ['common']);
    assert.deepEqual(judgeHash(sha256Hex('BOB'), { username: 'bob' }), ['equals-username']);
  });

  test('a random password hash has no known weakness', () => {
    assert.deepEqual(judgeHash(sha256Hex(STRONG), { username: 'app' }), []);
  });

  test('the hash of the empty string', () => {
    assert.deepEqual(judgeHash(sha256Hex('')), ['empty']);
  });
});

test('estimateEntropyBits uses the character classes present', () => {
  assert.equal(Math.round(estimateEntropyBits('abcd')), Math.round(4 * Math.log2(26)));
  assert.equal(Math.round(estimateEntropyBits('aB3!')), Math.round(4 * Math.log2(95)));
  assert.ok(estimateEntropyBits(STRONG) >= 128);
  assert.equal(estimateEntropyBits(''), 0);
});

test('hashMatches pairs a plaintext with its ACL LIST hash', () => {
  assert.ok(hashMatches(`#${sha256Hex('foobared')}`, 'foobared'));
  assert.ok(!hashMatches(sha256Hex('foobared'), 'foobarex'));
});

test('describeWeaknesses never contains the password', () => {
  const pw = 'foobared';
  const text = describeWeaknesses(judgePlaintext(pw, { username: 'foobared' }));
  assert.match(text, /equals the username/);
  assert.match(text, /common-password list/);
  assert.ok(!text.includes(pw));
  assert.ok(!text.includes(sha256Hex(pw).slice(0, 8)));
});
