import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalHost } from '../../src/net/canonical-host.ts';

test('the aliases a resolver takes for one IPv4 address are written one way', () => {
  for (const alias of [
    '127.0.0.1',
    '127.1',
    '127.0.1',
    '0x7f.0.0.1',
    '0x7f000001',
    '0177.0.0.1',
    '2130706433',
    '127.0.0.1.',
  ])
    assert.equal(canonicalHost(alias), '127.0.0.1', alias);
});

test('IPv6 is compressed and lower-cased; names are lower-cased and otherwise kept', () => {
  assert.equal(canonicalHost('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalHost('FE80::A'), 'fe80::a');
  assert.equal(canonicalHost('::ffff:127.0.0.1'), '::ffff:7f00:1');
  assert.equal(canonicalHost('Redis.Example.COM'), 'redis.example.com');
  assert.equal(canonicalHost('localhost'), 'localhost');
  // not a host a URL takes: kept, lower-cased
  assert.equal(canonicalHost('A"b'), 'a"b');
});
