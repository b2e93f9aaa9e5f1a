import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseState, type RotationState, readState, writeState } from '../../src/rotate/state-file.ts';

const STATE: RotationState = {
  version: 1,
  user: 'app',
  servers: ['redis://10.0.0.1:6379'],
  oldHash: 'a'.repeat(64),
  newHash: 'b'.repeat(64),
  startedAt: '2026-12-06T02:00:00.000Z',
  graceUntil: '',
  envFile: { path: '/srv/.env', key: 'REDIS_PASSWORD' },
  deniedAuthAtStart: {},
};

test('the state file round-trips, 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-state-'));
  try {
    const path = join(dir, 's.json');
    writeState(path, STATE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readState(path), STATE);
    assert.equal(readState(join(dir, 'none.json')), undefined);
    symlinkSync(path, join(dir, 'link.json'));
    assert.throws(() => readState(join(dir, 'link.json')), /symbolic link/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged state file is refused with what is wrong', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['{', /not valid JSON/],
    [{ ...STATE, version: 2 }, /not a version 1/],
    [{ ...STATE, user: '' }, /no user/],
    [{ ...STATE, servers: [] }, /no servers/],
    [{ ...STATE, oldHash: 'xyz' }, /old password hash/],
    [{ ...STATE, newHash: 'B'.repeat(64) }, /new password hash/],
    [{ ...STATE, startedAt: 'yesterday' }, /start time/],
    [{ ...STATE, envFile: { path: 1 } }, /envFile/],
    [{ ...STATE, passwordFile: { path: '/x', keys: 'k' } }, /passwordFile/],
    [{ ...STATE, deniedAuthAtStart: { a: 'x' } }, /counters/],
  ];
  for (const [data, message] of bad)
    assert.throws(() => parseState('/s.json', typeof data === 'string' ? data : JSON.stringify(data)), message);
});

test('an oversized state file is refused before it is parsed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-state-'));
  try {
    const path = join(dir, 'big.json');
    writeFileSync(path, ' '.repeat(100_000));
    assert.throws(() => readState(path), /larger than/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
