import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coversEverything } from '../../src/net/allowlist-breadth.ts';
import { isValidHostName } from '../../src/net/host-name.ts';
import { shellQuote } from '../../src/text/shell-quote.ts';

describe('coversEverything', () => {
  test('halves, quarters and overlapping blocks that add up to all of IPv4 or IPv6', () => {
    assert.ok(coversEverything(['0.0.0.0/1', '128.0.0.0/1']));
    assert.ok(coversEverything(['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/1', '10.0.0.0/8']));
    assert.ok(coversEverything(['::/1', '8000::/1']));
    assert.ok(coversEverything(['::ffff:0:0/1', '8000::/1']), 'address bits beyond the prefix are ignored');
  });
  test('a gap anywhere is not everything', () => {
    assert.ok(!coversEverything(['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3']));
    assert.ok(!coversEverything(['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7']));
    assert.ok(!coversEverything(['0.0.0.0/1', '::/1']));
  });
});

describe('isValidHostName', () => {
  test('DNS names and IP addresses; nothing a shell or a list would split', () => {
    for (const h of ['localhost', 'mon.example.internal', 'a-b.c1', '10.0.0.5', 'fd00::5'])
      assert.ok(isValidHostName(h), h);
    for (const h of ['a$({touch,x})b.example.com', '10.0.0.5,169.254.169.254', 'a b', "a'b", '-a.com', 'a..b', ''])
      assert.ok(!isValidHostName(h), h);
  });
});

describe('shellQuote', () => {
  test('bare when safe, single-quoted otherwise, a quote inside escaped', () => {
    assert.equal(shellQuote('monitoring/nginx/certs/ca.crt'), 'monitoring/nginx/certs/ca.crt');
    assert.equal(shellQuote('https://localhost/prometheus/-/reload'), 'https://localhost/prometheus/-/reload');
    assert.equal(shellQuote('a$(touch x)b'), "'a$(touch x)b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote(''), "''");
  });
});
