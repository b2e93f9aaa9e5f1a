import assert from 'node:assert/strict';
import { test } from 'node:test';
import { securityDrift, settingChangeText } from '../../src/console/data/security-drift.ts';
import { type AuditRecord, postureDigest } from '../../src/monitor/audit-history.ts';
import type { Finding } from '../../src/security/audit.ts';
import type { Facts } from '../../src/security/facts.ts';

const finding = (id: string, status: Finding['status']): Finding => ({
  id,
  title: `check ${id}`,
  severity: 'high',
  category: 'network',
  status,
  evidence: '',
  remediation: 'fix it',
  indicator: false,
});

const record = (
  findings: Finding[],
  users: string[] | undefined,
  settings: Record<string, string> | undefined,
): AuditRecord => ({
  at: 1,
  report: { target: null, files: [], redis_version: '7.0.15', score: 50, findings, unobserved: {} },
  digest: { users, settings },
});

test('drift: checks newly failing and fixed, users added and removed, settings changed', () => {
  const prev = record(
    [finding('RS001', 'pass'), finding('RS002', 'fail'), finding('RS003', 'fail'), finding('RS004', 'unknown')],
    ['default', 'old'],
    { 'protected-mode': 'yes', dir: '/data', requirepass: 'set', 'enable-debug-command': 'no' },
  );
  const cur = record(
    [finding('RS001', 'fail'), finding('RS002', 'pass'), finding('RS003', 'unknown'), finding('RS004', 'fail')],
    ['default', 'deploy'],
    { 'protected-mode': 'no', dir: '/tmp', requirepass: 'not set', 'enable-debug-command': 'yes' },
  );
  assert.deepEqual(securityDrift(prev, cur), [
    { kind: 'setting-changed', text: 'protected-mode turned off' },
    { kind: 'setting-changed', text: "dir changed from '/data' to '/tmp'" },
    { kind: 'setting-changed', text: 'requirepass removed' },
    { kind: 'setting-changed', text: 'enable-debug-command turned on' },
    { kind: 'user-added', text: "user 'deploy' added" },
    { kind: 'user-removed', text: "user 'old' removed" },
    { kind: 'newly-failing', text: 'check RS001 (RS001) now fails', checkId: 'RS001' },
    { kind: 'newly-failing', text: 'check RS004 (RS004) now fails', checkId: 'RS004' },
    { kind: 'fixed', text: 'check RS002 (RS002) is fixed', checkId: 'RS002' },
  ]);
  assert.deepEqual(securityDrift(undefined, cur), [], 'the first audit has nothing to compare with');
  assert.deepEqual(securityDrift(prev, prev), []);
  assert.deepEqual(
    securityDrift(record([], undefined, undefined), record([], ['a'], { 'protected-mode': 'no' })),
    [],
    'what the previous audit could not see is not drift',
  );
  assert.equal(settingChangeText('requirepass', 'not set', 'set'), 'requirepass set');
  assert.equal(
    settingChangeText('enable-module-command', 'no', 'local'),
    "enable-module-command changed from 'no' to 'local'",
  );
});

test('the digest keeps user names and settings, and secrets only as set / not set', () => {
  const facts = {
    files: [],
    live: true,
    unobserved: {},
    users: [
      { name: 'b', plaintextPasswords: ['pw-b'], passwordHashes: ['abcd'] },
      { name: 'a', plaintextPasswords: [], passwordHashes: [] },
    ],
    config: {
      values: { 'protected-mode': 'yes', requirepass: 'the-password', masterauth: '', maxmemory: '0', dir: '/d' },
      locations: {},
      directives: [],
      renamedCommands: {},
    },
  } as unknown as Facts;
  const d = postureDigest(facts);
  assert.deepEqual(d, {
    users: ['a', 'b'],
    settings: { 'protected-mode': 'yes', dir: '/d', requirepass: 'set', masterauth: 'not set' },
  });
  assert.equal(JSON.stringify(d).includes('the-password'), false);
  assert.equal(JSON.stringify(d).includes('pw-b'), false);
  const blind = postureDigest({ files: [], live: true, unobserved: { config: 'NOPERM' } } as Facts);
  assert.deepEqual(blind, { users: undefined, settings: undefined });
});
