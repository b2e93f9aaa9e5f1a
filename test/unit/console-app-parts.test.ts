import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAllowList, normaliseAddress, parseCidr } from '../../src/console/app/allowlist.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/console/app/security-headers.ts';
import { safeAssetPath } from '../../src/console/app/static-files.ts';
import { AuditLog } from '../../src/console/audit/audit-log.ts';

test('allowlist: CIDRs and single addresses, IPv4-mapped IPv6 as IPv4, nothing given allows all', () => {
  const list = buildAllowList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  assert.deepEqual(list.entries, ['10.0.0.0/8', '192.168.1.7/32', 'fd00::/8']);
  assert.equal(list.allows('10.200.3.4'), true);
  assert.equal(list.allows('::ffff:10.1.2.3'), true);
  assert.equal(list.allows('192.168.1.7'), true);
  assert.equal(list.allows('192.168.1.8'), false);
  assert.equal(list.allows('fd12::1'), true);
  assert.equal(list.allows('fe80::1'), false);
  assert.equal(list.allows(''), false);
  assert.equal(buildAllowList([]).allows('203.0.113.9'), true);
  assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length must be 0-32/);
  assert.throws(() => parseCidr('::/129'), /0-128/);
  assert.throws(() => parseCidr('example.com'), /not an IP address or CIDR/);
  assert.throws(() => parseCidr('10.0.0.0/8x'), /prefix length/);
  assert.equal(normaliseAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(normaliseAddress('::1'), '::1');
});

test('asset paths: plain segments only', () => {
  assert.equal(safeAssetPath('/assets/app-1a2b.js'), 'assets/app-1a2b.js');
  assert.equal(safeAssetPath('/assets/fonts/x.woff2'), 'assets/fonts/x.woff2');
  for (const bad of [
    '/assets/../x',
    '/assets/.env',
    '/assets/a//b',
    '/assets/',
    '/assets/a/b/c/d/e',
    '/assets/a%2fb',
    '/assets/a..b',
  ])
    assert.equal(safeAssetPath(bad), undefined, bad);
});

test('the CSP: own origin only, no inline script or style, no framing', () => {
  assert.match(CONTENT_SECURITY_POLICY, /^default-src 'self'; script-src 'self'; style-src 'self';/);
  assert.match(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|\*/);
});

test('audit log: one JSON line each, 0600, control characters neutralised, rotated by size keeping a few', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-audit-'));
  try {
    let now = 1000;
    const log = new AuditLog(dir, { maxBytes: 600, keep: 2 }, () => now++);
    log.write({
      user: 'a\u001b[31m',
      clientAddress: '127.0.0.1',
      action: 'login',
      target: '',
      outcome: 'ok',
      detail: '',
    });
    assert.equal(statSync(log.path).mode & 0o777, 0o600);
    assert.equal(log.read(10)[0].user, 'a\\x1b[31m');
    for (let i = 0; i < 40; i++)
      log.write({
        user: `u${i}`,
        clientAddress: '::1',
        action: 'logout',
        target: 't',
        outcome: 'ok',
        detail: 'x'.repeat(20),
      });
    assert.deepEqual(readdirSync(dir).sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
    const all = log.read(1000);
    assert.equal(all[0].user, 'u39', 'newest first');
    assert.ok(all.length < 41, 'the oldest were rotated away');
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].at > all[i].at);
    assert.deepEqual(
      log.read(2, all[5].at).map((e) => e.at),
      [all[6].at, all[7].at],
    );
    assert.equal(log.read(3).length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
