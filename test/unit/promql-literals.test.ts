import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseNumber, unquoteString } from '../../src/promql/literals.ts';

test('durations: units in order, each once, combined like 1h30m', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1y'), 365 * 24 * 3_600_000);
  assert.equal(parseDuration('2w3d'), 17 * 24 * 3_600_000);
  assert.equal(parseDuration('1m500ms'), 60_500);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('30m1h'), undefined);
  assert.equal(parseDuration('1h1h'), undefined);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('1.5h'), undefined);
});

test('numbers: decimal, exponent, hex, Go octal, Inf and NaN', () => {
  assert.equal(parseNumber('1.5e3'), 1500);
  assert.equal(parseNumber('.5'), 0.5);
  assert.equal(parseNumber('0x1F'), 31);
  assert.equal(parseNumber('010'), 8);
  assert.equal(parseNumber('09'), 9);
  assert.equal(parseNumber('Inf'), Number.POSITIVE_INFINITY);
  assert.equal(parseNumber('-inf'), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(parseNumber('NaN')));
  assert.equal(parseNumber('5m'), 300);
  assert.equal(parseNumber('abc'), undefined);
});

test('strings: Go escapes in double and single quotes, raw backquotes', () => {
  assert.equal(unquoteString('"a\\nb\\t\\"c\\\\"'), 'a\nb\t"c\\');
  assert.equal(unquoteString("'it\\'s'"), "it's");
  assert.equal(unquoteString('"\\x41\\u00e9\\101"'), 'AéA');
  assert.equal(unquoteString('`raw \\d+`'), 'raw \\d+');
  assert.equal(unquoteString('"\\q"'), undefined);
  assert.equal(unquoteString('"unterminated'), undefined);
  assert.equal(unquoteString('"two\nlines"'), undefined);
});
