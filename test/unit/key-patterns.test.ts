import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dbLabel,
  isGlobPattern,
  KeyPatternError,
  parseKeyPatterns,
  queryUnescape,
} from '../../src/redis/key-patterns.ts';

test('parseKeyPatterns: upstream parseKeyArg syntax', () => {
  assert.deepEqual(parseKeyPatterns(''), []);
  assert.deepEqual(parseKeyPatterns(undefined), []);
  assert.deepEqual(parseKeyPatterns('foo'), [{ db: 0, pattern: 'foo' }]);
  assert.deepEqual(parseKeyPatterns('db3=sessions:*,db0=user:1, key2 ,7=x'), [
    { db: 3, pattern: 'sessions:*' },
    { db: 0, pattern: 'user:1' },
    { db: 0, pattern: 'key2' },
    { db: 7, pattern: 'x' },
  ]);
  // whitespace around both sides is trimmed; inner spaces stay
  assert.deepEqual(parseKeyPatterns(' db1 = a b '), [{ db: 1, pattern: 'a b' }]);
  // empty items, empty keys and empty dbs are skipped, not fatal (upstream logs and continues)
  const warnings: string[] = [];
  assert.deepEqual(parseKeyPatterns('a,,db2=, =b,db=c,z', { warn: (m) => warnings.push(m) }), [
    { db: 0, pattern: 'a' },
    { db: 0, pattern: 'z' },
  ]);
  assert.equal(warnings.length, 3);
  // leading zeros are canonicalised
  assert.deepEqual(parseKeyPatterns('db03=k'), [{ db: 3, pattern: 'k' }]);
});

test('parseKeyPatterns: keys are URL-query-unescaped like Go url.QueryUnescape', () => {
  assert.deepEqual(parseKeyPatterns('db1=a%2Cb,c%3Dd,e+f,g%2Bh,%E2%9C%93'), [
    { db: 1, pattern: 'a,b' },
    { db: 0, pattern: 'c=d' },
    { db: 0, pattern: 'e f' },
    { db: 0, pattern: 'g+h' },
    { db: 0, pattern: '✓' },
  ]);
  assert.equal(queryUnescape('plain:key'), 'plain:key');
  assert.equal(queryUnescape('100%25'), '100%');
  assert.throws(() => queryUnescape('a%zz'));
  assert.throws(() => queryUnescape('a%4'));
  assert.throws(() => queryUnescape('a%'));
});

test('parseKeyPatterns: bad input throws an actionable KeyPatternError', () => {
  const cases: Array<[string, RegExp]> = [
    ['db1=a=b', /more than one "="; use a comma-separated list of db<N>=<pattern>.*%3D/],
    ['x=foo', /database "x" is not a number/],
    ['db-1=foo', /database "db-1" is not a number/],
    ['db+3=foo', /not a number/],
    ['db1=50%', /invalid percent-escape "%".*%25/],
    ['db1=a%zzb', /invalid percent-escape "%zz"/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => parseKeyPatterns(input, { flag: 'count-keys' }),
      (err: unknown) => {
        assert.ok(err instanceof KeyPatternError, input);
        assert.equal(err.flag, 'count-keys');
        assert.match(err.message, /^--count-keys: /);
        assert.match(err.message, re, input);
        return true;
      },
    );
  }
});

test('isGlobPattern: upstream globPattern characters', () => {
  for (const k of ['a*', 'a?', 'a[bc]', 'a^', 'x]']) assert.ok(isGlobPattern(k), k);
  for (const k of ['plain', 'a:b:c', 'a-b_c.d', 'a{b}']) assert.ok(!isGlobPattern(k), k);
  assert.equal(dbLabel(3), 'db3');
});
