import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { consoleDataRoutes } from '../../src/console/data/routes.ts';

const routes = consoleDataRoutes();
const request = (params: Record<string, string>, body?: unknown) => ({
  principal: { user: 'admin', role: 'admin' as const, via: 'session' as const },
  params,
  query: new URLSearchParams(),
  body,
  clientAddress: '127.0.0.1',
});

test('route table: every GET is for viewers, every POST/DELETE is for admins and names its audit action and object', () => {
  assert.ok(routes.length >= 10);
  for (const r of routes) {
    const what = `${r.method} ${r.path}`;
    assert.match(r.path, /^\/console\/api\//, what);
    if (r.method === 'GET') {
      assert.equal(r.role, 'viewer', what);
      assert.equal(r.audit, undefined, what);
    } else {
      assert.equal(r.role, 'admin', what);
      assert.match(r.audit ?? '', /^[a-z]+\.[a-z]+$/, what);
      assert.equal(typeof r.auditTarget, 'function', what);
    }
  }
  const keys = routes.map((r) => `${r.method} ${r.path}`);
  assert.equal(new Set(keys).size, keys.length, 'no route twice');
});

test('route table: every data route the contract names is there', () => {
  const contract = readFileSync(new URL('../../src/console/contract.ts', import.meta.url), 'utf8');
  const named = [...contract.matchAll(/(GET|POST|DELETE) (\/console\/api\/[^\s?`]+)/g)]
    .map((m) => `${m[1]} ${m[2]}`)
    // the app's own routes (login, logout, session) and the audit log are not data routes
    .filter((k) => !/\/(login|logout|session|audit-log)$/.test(k));
  const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
  assert.ok(named.length >= 10, named.join('\n'));
  for (const k of named) assert.ok(keys.has(k), `missing ${k}`);
});

test('audit objects are bounded and hold what was acted on, not the request body', () => {
  const byPath = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  const silence = byPath.get('POST /console/api/silences');
  const body = {
    matchers: [
      { name: 'alertname', value: 'RedisDown', isRegex: false },
      { name: 'instance', value: 'a.*', isRegex: true, isEqual: false },
    ],
    duration: '1h',
    comment: 'maintenance',
  };
  assert.equal(silence?.auditTarget?.(request({}, body)), 'alertname="RedisDown",instance!~"a.*"');
  assert.equal(silence?.auditTarget?.(request({}, { matchers: [null, 3] })), '');
  assert.equal(silence?.auditTarget?.(request({}, 'junk')), '');
  const expire = byPath.get('DELETE /console/api/silences/:id');
  assert.equal(expire?.auditTarget?.(request({ id: 'x'.repeat(5000) })).length, 256);
  assert.equal(
    byPath.get('POST /console/api/security/:instance/audit')?.auditTarget?.(request({ instance: 'r:6379' })),
    'r:6379',
  );
  assert.equal(
    byPath.get('POST /console/api/notifiers/:name/test')?.auditTarget?.(request({ name: 'webhook' })),
    'webhook',
  );
});
