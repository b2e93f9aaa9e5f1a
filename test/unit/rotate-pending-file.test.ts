import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { passwordHash } from '../../src/rotate/new-password.ts';
import {
  credentialFilesOf,
  parsePending,
  pendingFrom,
  pendingPathFor,
  readPending,
  writePending,
} from '../../src/rotate/pending-file.ts';
import type { RotationState } from '../../src/rotate/state-file.ts';

const NEW = 'new-password-0123456789abcdefghij';
const STATE: RotationState = {
  version: 1,
  user: 'app',
  servers: ['redis://10.0.0.1:6379'],
  oldHash: 'a'.repeat(64),
  newHash: passwordHash(NEW),
  startedAt: '2026-12-06T02:00:00.000Z',
  graceUntil: '',
  envFile: { path: '/srv/.env', key: 'APP' },
  deniedAuthAtStart: {},
};
const FILE = {
  path: '/srv/.env',
  label: '/srv/.env (APP)',
  before: Buffer.from('APP=old\n'),
  beforeMode: 0o640,
  after: `APP=${NEW}\n`,
};

test('the pending file sits beside the state file', () => {
  assert.equal(pendingPathFor('/srv/.redoubt-rotate.json'), '/srv/.redoubt-rotate.pending.json');
  assert.equal(pendingPathFor('/srv/state'), '/srv/state.pending');
});

test('it round-trips, 0600, with what --abort puts back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-pending-'));
  try {
    const path = join(dir, 'p.json');
    writePending(path, pendingFrom(STATE, NEW, { 'redis://10.0.0.2:6379': 'old-masterauth' }, [FILE]));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const back = readPending(path);
    assert.equal(back?.newPassword, NEW);
    assert.deepEqual(back?.state, STATE);
    assert.deepEqual(back?.masterauthBefore, { 'redis://10.0.0.2:6379': 'old-masterauth' });
    assert.deepEqual(credentialFilesOf(back as NonNullable<typeof back>), [FILE]);
    assert.equal(readPending(join(dir, 'none.json')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged pending file is refused, and the refusal never quotes it (it holds passwords)', () => {
  const good = pendingFrom(STATE, NEW, {}, [FILE]);
  const cases: Array<[unknown, RegExp]> = [
    ['{', /not valid JSON/],
    [{ ...good, version: 2 }, /not a version 1/],
    [{ ...good, newPassword: 'another-password-0123456789' }, /does not match/],
    [{ ...good, masterauthBefore: { x: 1 } }, /malformed masterauth/],
    [{ ...good, files: [{ ...good.files[0], beforeMode: 'rw' }] }, /malformed file entry/],
    [{ ...good, state: { ...STATE, newHash: 'zz' } }, /new password hash/],
  ];
  for (const [data, message] of cases) {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    assert.throws(
      () => parsePending('/srv/p.json', text),
      (e: Error) => message.test(e.message) && !e.message.includes(NEW) && !e.message.includes('another-password'),
      text.slice(0, 80),
    );
  }
});

test('a pending file others may read or change is refused (--resume writes where it says, as the operator)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-pending-'));
  try {
    const path = join(dir, 'p.json');
    writePending(path, pendingFrom(STATE, NEW, {}, [FILE]));
    for (const mode of [0o620, 0o604, 0o644, 0o666]) {
      chmodSync(path, mode);
      assert.throws(
        () => readPending(path),
        (e: Error) => /others may read or change it/.test(e.message) && !e.message.includes(NEW),
        mode.toString(8),
      );
    }
    chmodSync(path, 0o600);
    assert.equal(readPending(path)?.newPassword, NEW);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("another user's pending file is refused", {
  skip: process.getuid?.() !== 0 && 'needs root to give a file away',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-pending-'));
  try {
    const path = join(dir, 'p.json');
    writePending(path, pendingFrom(STATE, NEW, {}, [FILE]));
    chownSync(path, 65534, 65534);
    assert.throws(() => readPending(path), /belongs to uid 65534/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
