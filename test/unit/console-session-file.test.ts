import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseSessions, sessionFile, sessionsPath } from '../../src/console/auth/session-file.ts';
import { SessionStore } from '../../src/console/auth/sessions.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-session-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const limits = { idleMs: 100_000, absoluteMs: 250_000 };

test('sessions saved to sessions.json (0600, no ids) outlive a restart with their expiry; a logout does not come back', () => {
  const data = mkdtempSync(join(dir, 'a-'));
  const warnings: string[] = [];
  const file = () => sessionFile(data, (l) => warnings.push(l));
  let now = 1_000_000;
  const first = new SessionStore(limits, () => now, file());
  const alice = first.create('alice', 'st-a');
  const bob = first.create('bob', 'st-b');
  const carol = first.create('carol', 'st-c');
  assert.equal(statSync(sessionsPath(data)).mode & 0o777, 0o600);
  const text = readFileSync(sessionsPath(data), 'utf8');
  for (const s of [alice, bob, carol]) {
    assert.ok(!text.includes(s.id), 'the cookie value is never written');
    assert.ok(!text.includes(s.session.csrfToken), 'nor the CSRF token');
  }
  assert.ok(!/csrf/i.test(text), text);
  assert.equal(new Set([alice, bob, carol].map((s) => s.session.csrfToken)).size, 3, 'a token per session');
  assert.match(alice.session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  now += 90_000;
  assert.equal(first.get(alice.id)?.user, 'alice', "alice's idle clock restarts (saved at the flush)");
  first.delete(carol.id);
  first.flush();

  now += 60_000;
  const second = new SessionStore(limits, () => now, file());
  const back = second.get(alice.id);
  assert.equal(back?.user, 'alice', 'alive after the restart');
  assert.equal(back?.csrfToken, alice.session.csrfToken);
  assert.equal(back?.expiresAt, alice.session.expiresAt, 'the absolute expiry is kept');
  assert.equal(second.get(bob.id), undefined, 'idle for longer than the limit across the restart');
  assert.equal(second.get(carol.id), undefined, 'logged out before the restart');
  second.delete(alice.id);
  assert.equal(new SessionStore(limits, () => now, file()).get(alice.id), undefined, 'a logout is saved at once');

  const third = new SessionStore(limits, () => now, file());
  const dave = third.create('dave', 'st-d');
  now = dave.session.expiresAt;
  assert.equal(new SessionStore(limits, () => now, file()).get(dave.id), undefined, 'absolute expiry after a restart');
  assert.deepEqual(warnings, []);
});

test('a sessions.json that is not to be trusted starts empty with one line saying why', () => {
  const cases: Array<[string, (path: string) => void, RegExp]> = [
    ['others may read it', (p) => chmodSync(p, 0o644), /others may read it/],
    ['not JSON', (p) => writeFileSync(p, '{', { mode: 0o600 }), /not valid JSON/],
    [
      'a link',
      (p) => {
        rmSync(p);
        writeFileSync(`${p}.elsewhere`, '{"sessions":[]}', { mode: 0o600 });
        symlinkSync(`${p}.elsewhere`, p);
      },
      /symbolic link/,
    ],
  ];
  for (const [what, spoil, why] of cases) {
    const data = mkdtempSync(join(dir, 'b-'));
    const warnings: string[] = [];
    const s = new SessionStore(
      limits,
      Date.now,
      sessionFile(data, (l) => warnings.push(l)),
    );
    const { id } = s.create('alice', 'st');
    spoil(sessionsPath(data));
    const again = new SessionStore(
      limits,
      Date.now,
      sessionFile(data, (l) => warnings.push(l)),
    );
    assert.equal(again.get(id), undefined, what);
    assert.equal(warnings.length, 1, what);
    assert.match(warnings[0], why);
    assert.match(warnings[0], /starts with no sessions/);
  }
});

test('saved entries are checked one by one: bad ones dropped, a claim beyond the absolute limit refused', () => {
  const good = {
    key: 'k'.repeat(43),
    user: 'alice',
    stamp: 's',
    csrfToken: 'c'.repeat(43),
    createdAt: 1000,
    lastSeenAt: 1000,
    expiresAt: 2000,
  };
  const bad = [
    { ...good, user: '../x' },
    { ...good, key: 'short' },
    { ...good, expiresAt: -1 },
    { ...good, lastSeenAt: '1000' },
    null,
    7,
  ];
  const { csrfToken: _, ...kept } = good;
  assert.deepEqual(parseSessions({ sessions: [good, ...bad] }), [kept], "an older file's CSRF token is dropped");
  assert.deepEqual(parseSessions({ sessions: 'x' }), []);
  assert.deepEqual(parseSessions(null), []);
  const data = mkdtempSync(join(dir, 'c-'));
  const forever = { ...good, key: 'f'.repeat(43), expiresAt: 10 ** 12 };
  writeFileSync(sessionsPath(data), JSON.stringify({ sessions: [good, forever] }), { mode: 0o600 });
  const s = new SessionStore(
    { idleMs: 100_000, absoluteMs: 5000 },
    () => 1500,
    sessionFile(data, () => {}),
  );
  assert.equal(s.size, 1, 'the session claiming a longer life than the absolute limit is dropped');
});

test('a saved session created in the future is dropped: its absolute expiry would be as far away', () => {
  const data = mkdtempSync(join(dir, 'c-'));
  const born = 10 ** 12;
  const future = {
    key: 'f'.repeat(43),
    user: 'alice',
    stamp: 's',
    csrfToken: 'c'.repeat(43),
    createdAt: born,
    lastSeenAt: 1500,
    expiresAt: born + 5000,
  };
  writeFileSync(sessionsPath(data), JSON.stringify({ sessions: [future] }), { mode: 0o600 });
  const s = new SessionStore(
    { idleMs: 100_000, absoluteMs: 5000 },
    () => 1500,
    sessionFile(data, () => {}),
  );
  assert.equal(s.size, 0);
});

test("another user's sessions.json is set aside with one line (it could grant any session)", {
  skip: process.getuid?.() !== 0 && 'needs root to give a file away',
}, () => {
  const data = mkdtempSync(join(dir, 'c-'));
  const entry = {
    key: 'k'.repeat(43),
    user: 'alice',
    stamp: 's',
    csrfToken: 'c'.repeat(43),
    createdAt: 1000,
    lastSeenAt: 1000,
    expiresAt: 2000,
  };
  writeFileSync(sessionsPath(data), JSON.stringify({ sessions: [entry] }), { mode: 0o600 });
  chownSync(sessionsPath(data), 65534, 65534);
  const lines: string[] = [];
  const s = new SessionStore(
    { idleMs: 100_000, absoluteMs: 5000 },
    () => 1500,
    sessionFile(data, (l) => lines.push(l)),
  );
  assert.equal(s.size, 0);
  assert.match(lines.join('\n'), /belongs to uid 65534/);
});
