import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileMatchers } from '../../src/promql/matchers.ts';
import { compileAnchoredRegex, RegexSyntaxError } from '../../src/promql/regex.ts';

const matches = (re: string, s: string) => compileAnchoredRegex(re).test(s);

test('regexes are anchored at both ends, alternation included', () => {
  assert.equal(matches('b', 'abc'), false);
  assert.equal(matches('foo|bar', 'foobar'), false);
  assert.equal(matches('foo|bar', 'bar'), true);
  assert.equal(matches('r[12].*', 'r1:6379'), true);
});

test('RE2 syntax that JavaScript writes differently', () => {
  assert.equal(matches('\\d+', '6379'), true);
  assert.equal(matches('(?i)abc', 'ABC'), true);
  assert.equal(matches('a.b', 'a\nb'), false, 'dot does not match a newline');
  assert.equal(matches('(?s)a.b', 'a\nb'), true);
  assert.equal(matches('[[:digit:]]+', '42'), true);
  assert.equal(matches('[[:alpha:]_]+', 'a_b'), true);
  assert.equal(matches('\\Q.*\\E', '.*'), true);
  assert.equal(matches('\\Q.*\\E', 'xx'), false);
  assert.equal(matches('(?P<x>a)b', 'ab'), true);
  assert.equal(matches('\\pL+', 'abé'), true);
  assert.equal(matches('a\\-b\\#', 'a-b#'), true);
  assert.equal(matches('\\s', '\u00a0'), false, '\\s is ASCII whitespace in RE2');
  assert.equal(matches('\\s', '\t'), true);
  assert.equal(matches('a\\z', 'a'), true);
});

test('what JavaScript cannot do is refused with a message naming it', () => {
  assert.throws(
    () => compileAnchoredRegex('a(?i:b)'),
    (e: Error) => e instanceof RegexSyntaxError && /\(\?i:/.test(e.message),
  );
  assert.throws(() => compileAnchoredRegex('(?U)a+'), /\(\?U\)/);
  assert.throws(() => compileAnchoredRegex('('), RegexSyntaxError);
  assert.throws(() => compileAnchoredRegex('[a'), /missing closing \]/);
});

test('matchers: a missing label matches as the empty string', () => {
  const m = compileMatchers([
    { name: 'job', type: '=~', value: 'redis.*' },
    { name: 'env', type: '!=', value: 'prod' },
    { name: 'zone', type: '=', value: '' },
  ]);
  assert.equal(m({ job: 'redis' }), true);
  assert.equal(m({ job: 'redis', env: 'prod' }), false);
  assert.equal(m({ job: 'redis', zone: 'a' }), false);
  assert.equal(m({ job: 'xredis' }), false);
});
