import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PromqlError } from '../../src/promql/errors.ts';
import { PARSE_CACHE_MAX_TEXT, ParseCache } from '../../src/promql/parse-cache.ts';

describe('promql parse cache', () => {
  test('the same text gives the same AST; the least recently used text is forgotten first', () => {
    const cache = new ParseCache(2);
    const a = cache.parse('up == 0');
    assert.equal(cache.parse('up == 0'), a);
    cache.parse('rate(x[5m])');
    cache.parse('up == 0'); // a is now the most recent
    cache.parse('sum(y)'); // evicts rate(x[5m])
    assert.equal(cache.size, 2);
    assert.equal(cache.parse('up == 0'), a);
    const r1 = cache.parse('rate(x[5m])');
    assert.notEqual(cache.parse('sum(y)'), undefined);
    assert.equal(cache.size, 2);
    assert.ok(r1);
  });

  test('a parse error is thrown every time and not kept', () => {
    const cache = new ParseCache(4);
    assert.throws(() => cache.parse('sum(('), PromqlError);
    assert.throws(() => cache.parse('sum(('), PromqlError);
    assert.equal(cache.size, 0);
  });

  test('a very long text is parsed but not kept', () => {
    const cache = new ParseCache(4);
    const long = `up{job="${'x'.repeat(PARSE_CACHE_MAX_TEXT)}"}`;
    cache.parse(long);
    assert.equal(cache.size, 0);
  });
});
