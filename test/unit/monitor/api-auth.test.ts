import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorized, challenges } from '../../../src/monitor/api/auth.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

test('a bearer token, basic auth, both or neither', () => {
  assert.equal(authorized(undefined, {}), true, 'nothing configured: open (the server listens on loopback only)');
  const token = { token: 's3cret-token' };
  assert.equal(authorized('Bearer s3cret-token', token), true);
  assert.equal(authorized('bearer s3cret-token', token), true, 'the scheme is case-insensitive');
  assert.equal(authorized('Bearer s3cret-tokeN', token), false);
  assert.equal(authorized('Bearer s3cret-token-and-more', token), false);
  assert.equal(authorized(undefined, token), false);
  assert.equal(authorized(basic('x', 's3cret-token'), token), false, 'basic is not accepted when only a token is set');
  const both = { token: 't', basic: { user: 'grafana', password: 'pw:with:colons' } };
  assert.equal(authorized(basic('grafana', 'pw:with:colons'), both), true);
  assert.equal(authorized(basic('grafana', 'pw'), both), false);
  assert.equal(authorized(basic('other', 'pw:with:colons'), both), false);
  assert.equal(authorized('Bearer t', both), true);
  assert.equal(authorized('Basic !!!notbase64', both), false);
  assert.deepEqual(challenges(both), ['Bearer realm="redoubt"', 'Basic realm="redoubt", charset="UTF-8"']);
});
