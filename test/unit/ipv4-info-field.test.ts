import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ipv4BlocksOverlap, parseIpv4Block } from '../../src/net/ipv4.ts';
import { infoField } from '../../src/redis/info-field.ts';

describe('ipv4 blocks', () => {
  test('parses addresses and CIDRs, rejects the rest', () => {
    assert.deepEqual(parseIpv4Block('10.0.0.1'), { net: 0x0a000001, bits: 32 });
    assert.deepEqual(parseIpv4Block('10.0.0.0/8'), { net: 0x0a000000, bits: 8 });
    for (const bad of ['10.0.0/8', '10.0.0.0/33', '256.0.0.1', '::1', '10.0.0.0/8/1', '10.0.0.0/x'])
      assert.equal(parseIpv4Block(bad), undefined, bad);
  });
  test('overlap: containment either way, disjoint blocks, /0, non-IPv4', () => {
    assert.equal(ipv4BlocksOverlap('10.0.0.0/8', '10.9.9.9'), true);
    assert.equal(ipv4BlocksOverlap('10.9.9.9', '10.0.0.0/8'), true);
    assert.equal(ipv4BlocksOverlap('172.16.0.0/12', '172.32.0.1'), false);
    assert.equal(ipv4BlocksOverlap('0.0.0.0/0', '8.8.8.8'), true);
    assert.equal(ipv4BlocksOverlap('10.0.0.0/8', 'redis.internal'), false);
  });
});

describe('infoField', () => {
  test('CRLF and LF, first line, absent, no run-on into the next line', () => {
    assert.equal(infoField('# Server\r\nredis_version:7.0.15\r\nos:Linux\r\n', 'redis_version'), '7.0.15');
    assert.equal(infoField('# Server\nredis_version:7.0.15\nos:Linux\n', 'redis_version'), '7.0.15');
    assert.equal(infoField('cluster_enabled:1\r\n', 'cluster_enabled'), '1');
    assert.equal(infoField('# Server\r\nos:Linux\r\n', 'redis_version'), undefined);
    assert.equal(infoField('xredis_version:1\nredis_version:2', 'redis_version'), '2');
  });
});
