import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMemorySize } from '../../src/redis/memory-size.ts';
import { parseMemory } from '../../src/redis/redis-conf.ts';

test('strict: what Redis takes, a whole number and a unit', () => {
  assert.equal(parseMemorySize('512mb'), 512 * 1024 ** 2);
  assert.equal(parseMemorySize(' 2GB '), 2 * 1024 ** 3);
  assert.equal(parseMemorySize('1k'), 1000);
  assert.equal(parseMemorySize('100b'), 100);
  for (const bad of ['1.5gb', '-1', '512MiB', '', 'mb', '1 mb', 'constructor'])
    assert.equal(parseMemorySize(bad), undefined, bad);
});

test('lax: also a sign, a fraction and spaces, for judging what a person wrote', () => {
  assert.equal(parseMemorySize('1.5gb', { lax: true }), 1.5 * 1024 ** 3);
  assert.equal(parseMemorySize(' 64 mb ', { lax: true }), 64 * 1024 ** 2);
  assert.equal(parseMemorySize('-1', { lax: true }), -1);
  assert.equal(parseMemorySize('512MiB', { lax: true }), undefined);
});

test("the config file parser's units are the same table, and a unit named like an Object property is not one", () => {
  assert.equal(parseMemory('3kb'), 3072n);
  assert.equal(parseMemory('3b'), 3n);
  assert.equal(parseMemory('1constructor'), undefined);
  assert.equal(parseMemory('1__proto__'), undefined);
});
