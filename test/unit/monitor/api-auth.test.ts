import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerMatches, requiresAuth } from '../../../src/monitor/api/auth.ts';

test('the bearer token, compared whole; basic auth is not accepted', () => {
  assert.equal(requiresAuth({}), false, 'nothing configured: the API is open on loopback only');
  assert.equal(bearerMatches('Bearer x', {}), false);
  const token = { token: 's3cret-token' };
  assert.equal(requiresAuth(token), true);
  assert.equal(bearerMatches('Bearer s3cret-token', token), true);
  assert.equal(bearerMatches('bearer s3cret-token', token), true, 'the scheme is case-insensitive');
  assert.equal(bearerMatches('Bearer s3cret-tokeN', token), false);
  assert.equal(bearerMatches('Bearer s3cret-token-and-more', token), false);
  assert.equal(bearerMatches('Bearer', token), false);
  assert.equal(bearerMatches(undefined, token), false);
  const basic = `Basic ${Buffer.from('x:s3cret-token').toString('base64')}`;
  assert.equal(bearerMatches(basic, token), false);
});
