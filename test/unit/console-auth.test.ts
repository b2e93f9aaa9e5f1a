import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from '../../src/console/auth/login-throttle.ts';
import { hashPassword, parseHash, passwordProblem, verifyPassword } from '../../src/console/auth/password-hash.ts';
import { SessionStore } from '../../src/console/auth/sessions.ts';
import { applyChange } from '../../src/console/auth/user-changes.ts';
import type { ConsoleUser } from '../../src/console/auth/user-file.ts';

test('scrypt hashes: verified, salted, parameters bounded when read back', async () => {
  const h = await hashPassword('correct horse battery');
  assert.match(h, /^scrypt\$14\$8\$5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(h, await hashPassword('correct horse battery'), 'a new salt each time');
  assert.equal(await verifyPassword('correct horse battery', h), true);
  assert.equal(await verifyPassword('correct horse batterY', h), false);
  assert.equal(await verifyPassword('correct horse battery', 'not a hash'), false);
  const huge = h.replace('scrypt$14$', 'scrypt$30$');
  assert.equal(parseHash(huge), undefined, 'N = 2^30 would take gigabytes: refused');
  assert.equal(await verifyPassword('correct horse battery', huge), false);
  assert.equal(passwordProblem('short'), 'a password needs at least 12 characters');
  assert.equal(passwordProblem('long enough pass'), undefined);
  assert.match(String(passwordProblem('line\nbreak in it')), /line breaks/);
});

test('throttle: free failures, then 1 s, 2 s, 4 s … after the last one, per address and per user; success clears', () => {
  let now = 1_000_000;
  const t = new LoginThrottle(
    { freeFailures: 3, firstDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 },
    () => now,
  );
  for (let i = 0; i < 3; i++) {
    assert.equal(t.waitMs('a1', 'u'), 0);
    t.failed('a1', 'u');
  }
  assert.equal(t.waitMs('a1', 'u'), 1000);
  assert.equal(t.waitMs('a2', 'u'), 1000, 'the user from another address');
  assert.equal(t.waitMs('a1', 'v'), 1000, 'another user from this address');
  assert.equal(t.waitMs('a2', 'v'), 0);
  now += 1000;
  assert.equal(t.waitMs('a1', 'u'), 0, 'recovered after the wait');
  t.failed('a1', 'u');
  assert.equal(t.waitMs('a1', 'u'), 2000);
  for (let i = 0; i < 10; i++) t.failed('a1', 'u');
  assert.equal(t.waitMs('a1', 'u'), 8000, 'capped');
  t.succeeded('a1', 'u');
  assert.equal(t.waitMs('a1', 'u'), 0);
  t.failed('a3', 'w');
  now += 61_000;
  for (let i = 0; i < 2; i++) t.failed('a3', 'w');
  assert.equal(t.waitMs('a3', 'w'), 0, 'a quiet period forgets earlier failures');
});

test('sessions: idle and absolute expiry, ended by delete, ids never stored', () => {
  let now = 0;
  const s = new SessionStore({ idleMs: 100, absoluteMs: 250 }, () => now);
  const { id, session } = s.create('alice', 'st');
  assert.equal(id.length, 43);
  assert.equal(session.expiresAt, 250);
  assert.notEqual(session.csrfToken, id);
  assert.ok(!JSON.stringify([...Object.values(session)]).includes(id));
  now = 90;
  assert.equal(s.get(id)?.user, 'alice');
  now = 180;
  assert.equal(s.get(id)?.user, 'alice', 'in use: the idle clock restarts');
  now = 250;
  assert.equal(s.get(id), undefined, 'absolute expiry');
  const b = s.create('bob', 'st');
  now = 351;
  assert.equal(s.get(b.id), undefined, 'idle expiry');
  const c = s.create('carol', 'st');
  s.delete(c.id);
  assert.equal(s.get(c.id), undefined);
  assert.equal(s.get(undefined), undefined);
  assert.equal(s.get('x'.repeat(200)), undefined);
});

test('sessions: at most 20 per user, the oldest ended first', () => {
  const s = new SessionStore();
  const ids = Array.from({ length: 25 }, () => s.create('u', 'st').id);
  assert.equal(s.get(ids[0]), undefined);
  assert.equal(s.get(ids[4]), undefined);
  assert.equal(s.get(ids[5])?.user, 'u');
  assert.equal(s.get(ids[24])?.user, 'u');
});

test('user changes: names checked, the last admin kept, a password or role change renews the stamp', () => {
  const users: ConsoleUser[] = [{ name: 'admin', role: 'admin', hash: 'h0', stamp: 's0' }];
  assert.throws(
    () => applyChange(users, { kind: 'add', name: '../x', role: 'viewer', password: '' }, 'h'),
    /not a user name/,
  );
  assert.throws(() => applyChange(users, { kind: 'del', name: 'admin' }, ''), /last admin/);
  assert.throws(() => applyChange(users, { kind: 'role', name: 'admin', role: 'viewer' }, ''), /last admin/);
  assert.throws(() => applyChange(users, { kind: 'del', name: 'ghost' }, ''), /no user ghost/);
  const two = applyChange(users, { kind: 'add', name: 'b.b-1', role: 'admin', password: '' }, 'h1');
  assert.throws(() => applyChange(two, { kind: 'add', name: 'b.b-1', role: 'admin', password: '' }, 'h'), /exists/);
  const changed = applyChange(two, { kind: 'passwd', name: 'admin', password: '' }, 'h2');
  assert.equal(changed[0].hash, 'h2');
  assert.notEqual(changed[0].stamp, 's0');
  assert.deepEqual(
    applyChange(two, { kind: 'del', name: 'admin' }, '').map((u) => u.name),
    ['b.b-1'],
  );
});

test('throttle: an IPv6 client counts by its /64 (its other addresses are no fresh start); IPv4 by the address', () => {
  const t = new LoginThrottle(
    { freeFailures: 3, firstDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 },
    () => 0,
  );
  for (let i = 1; i <= 3; i++) t.failed(`2001:db8:1:2::${i}`, `user-${i}`);
  assert.equal(t.waitMs('2001:db8:1:2:ffff:1:2:3', 'someone'), 1000, 'another address of the same /64');
  assert.equal(t.waitMs('2001:db8:1:2:0:0:0:9', 'someone'), 1000, 'written out in full');
  assert.equal(t.waitMs('2001:db8:1:3::1', 'someone'), 0, 'the next /64 is another client');
  for (let i = 1; i <= 3; i++) t.failed(`192.0.2.${i}`, `v4-user-${i}`);
  assert.equal(t.waitMs('192.0.2.9', 'someone'), 0, 'IPv4 addresses count apart');
  t.succeeded('2001:db8:1:2::77', 'user-4');
  assert.equal(t.waitMs('2001:db8:1:2::1', 'someone'), 1000, "a success from the /64 clears only its own user's");
  t.succeeded('2001:db8:1:2::77', 'user-1');
  assert.equal(t.waitMs('2001:db8:1:2::1', 'someone'), 0, "user-1's failure from the /64 taken back: 2 of 3 left");
});

test('throttle: a login of my own does not clear the guesses my address made at other users', () => {
  let now = 1_000_000;
  const t = new LoginThrottle(
    { freeFailures: 3, firstDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 },
    () => now,
  );
  // Spraying: one guess at another user, then a login of one's own, again and again.
  let refused = 0;
  for (let i = 0; i < 10; i++) {
    now += 10;
    if (t.attempt('a1', `victim-${i}`) > 0) {
      refused++;
      continue;
    }
    t.checkFailed('a1', `victim-${i}`);
    if (t.attempt('a1', 'me') === 0) t.succeeded('a1', 'me');
  }
  assert.ok(refused >= 6, `only ${refused} of 10 sprayed guesses held back`);
  assert.ok(t.waitMs('a1', 'anyone') > 0, 'the address waits');
  assert.equal(t.waitMs('a2', 'victim-0'), 0, 'one guess at a user holds nobody else back');
});

test("throttle: a success takes back that pair's failures only, from the address and the user", () => {
  const now = 1_000_000;
  const t = new LoginThrottle(
    { freeFailures: 3, firstDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 },
    () => now,
  );
  t.failed('a1', 'bob');
  t.failed('a1', 'bob');
  t.failed('a2', 'alice');
  t.failed('a2', 'alice');
  t.failed('a1', 'alice');
  assert.equal(t.waitMs('a1', 'x'), 1000, 'a1: 3 failures');
  assert.equal(t.waitMs('z', 'alice'), 1000, 'alice: 3 failures');
  t.succeeded('a1', 'alice');
  assert.equal(t.waitMs('a1', 'x'), 0, "a1's failure at alice taken back: its 2 at bob stay");
  assert.equal(t.waitMs('z', 'alice'), 0, "alice's failure from a1 taken back: the 2 from a2 stay");
  t.failed('a1', 'carol');
  assert.equal(t.waitMs('a1', 'x'), 1000, 'the 2 at bob were kept: one more failure and a1 waits');
  t.failed('a3', 'alice');
  assert.equal(t.waitMs('z', 'alice'), 1000, 'the 2 from a2 were kept: one more failure and alice waits');
  t.succeeded('a1', 'bob');
  assert.equal(t.waitMs('a1', 'x'), 0, "bob's own success from a1 takes back a1's 2 at bob");
});

test('throttle: fresh keys sprayed from many addresses do not evict a user in backoff (the stalest idle key goes)', () => {
  const t = new LoginThrottle(undefined, () => 1_000_000);
  for (let i = 0; i < 8; i++) t.attempt('198.51.100.7', 'admin');
  assert.ok(t.waitMs('203.0.113.1', 'admin') > 0, 'admin is in backoff');
  // One guess each from 20,000 addresses at 20,000 names: 60,000 new keys, past the table's bound.
  for (let i = 0; i < 20_000; i++) t.attempt(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `nobody-${i}`);
  assert.ok(t.waitMs('203.0.113.1', 'admin') > 0, "admin's backoff survives");
});
