/**
 * Authentication: RS001 (no password on the default user), RS003 (weak default-user / requirepass / masterauth
 * password), RS004 (a user's password is its username or a common password). Passwords are judged offline
 * (src/security/passwords.ts); evidence names users and settings, never a password or a hash.
 */

import type { AclUser, SourceLocation } from '../../redis/acl-user.ts';
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { listNames } from '../finding-text.ts';
import {
  describeWeaknesses,
  hashMatches,
  judgeHash,
  judgePlaintext,
  loadCommonPasswords,
  MIN_ENTROPY_BITS,
  MIN_PASSWORD_LENGTH,
  type PasswordWeakness,
} from '../passwords.ts';
import { defaultUserLocation, describeDefaultSource, resolveUsers } from '../views/acl-users.ts';
import { secretIsSet, secretPlaintext, setting } from '../views/settings.ts';

// ---------------------------------------------------------------------------------------------------------------
// RS001

function evaluateNoAuthentication(facts: Facts): CheckResult {
  const view = resolveUsers(facts);
  if ('users' in view && view.defaultUser) {
    const d = view.defaultUser;
    const how = describeDefaultSource(view.defaultSource);
    const where = defaultUserLocation(facts, view);
    if (!d.enabled) return pass('the default user is off: a client must log in as a named user', where);
    if (d.nopass) {
      const suffix = how ? ` (${how})` : '';
      return fail(
        `the default user is 'on nopass': any client that does not name a user is logged in without a password${suffix}`,
        where,
      );
    }
    if (d.passwordHashes.length === 0 && d.plaintextPasswords.length === 0) {
      return pass('the default user is on but has no password it accepts (no client can log in as it)', where);
    }
    const requirepass = view.defaultSource === 'requirepass' ? ' (requirepass is set)' : '';
    return pass(`the default user requires a password${requirepass}`, where);
  }
  const probe = facts.unauth;
  if (probe?.result === 'open') {
    return fail(`an unauthenticated connection was answered: ${probe.detail ?? 'PING answered without AUTH'}`);
  }
  if (probe?.result === 'denied') {
    return fail(
      'an unauthenticated connection was refused only by protected mode (-DENIED): the default user has no password',
    );
  }
  if (probe?.result === 'noauth') {
    return pass('an unauthenticated connection was refused with NOAUTH: authentication is enforced');
  }
  const reason = 'unknown' in view ? view.unknown : 'the default user is not among the observed ACL users';
  const probeNote = probe
    ? `; the unauthenticated probe was inconclusive (${probe.result}${probe.detail ? `: ${probe.detail}` : ''})`
    : '';
  return unknown(`${reason}${probeNote}`);
}

export const noAuthentication: Check = defineCheck('RS001', evaluateNoAuthentication);

// ---------------------------------------------------------------------------------------------------------------
// RS003

interface Judged {
  label: string;
  weaknesses: PasswordWeakness[];
  byHash: boolean;
  location?: SourceLocation;
}

/** Every password of one user: plaintexts judged in full, hashes without a known plaintext by dictionary only. */
function judgeUserPasswords(
  user: AclUser,
  label: (i: number, total: number) => string,
  keep: (w: PasswordWeakness) => boolean = () => true,
): Judged[] {
  const list = loadCommonPasswords();
  const out: Judged[] = [];
  const plaintexts = [...new Set(user.plaintextPasswords)];
  const hashesLeft = user.passwordHashes.filter((h) => !plaintexts.some((p) => hashMatches(h, p)));
  const total = plaintexts.length + hashesLeft.length;
  let i = 0;
  for (const p of plaintexts) {
    out.push({
      label: label(i++, total),
      weaknesses: judgePlaintext(p, { username: user.name, list }).filter(keep),
      byHash: false,
      location: user.location,
    });
  }
  for (const h of hashesLeft) {
    out.push({
      label: label(i++, total),
      weaknesses: judgeHash(h, { username: user.name, list }).filter(keep),
      byHash: true,
      location: user.location,
    });
  }
  return out;
}

const defaultLabel = (i: number, total: number) =>
  total === 1 ? "the default user's password" : `the default user's password ${i + 1} of ${total}`;

function evaluateWeakDefaultPassword(facts: Facts): CheckResult {
  const list = loadCommonPasswords();
  const judged: Judged[] = [];
  const notes: string[] = [];
  const view = resolveUsers(facts);
  let defaultKnown = false;
  if ('users' in view && view.defaultUser) {
    defaultKnown = true;
    const d = view.defaultUser;
    if (!d.enabled) notes.push('the default user is off');
    else if (d.nopass) notes.push('the default user has no password (RS001)');
    else {
      const where = defaultUserLocation(facts, view);
      judged.push(...judgeUserPasswords(d, defaultLabel).map((j) => ({ ...j, location: where })));
    }
  }
  const masterauth = setting(facts, 'masterauth');
  const masterPlain = secretPlaintext(masterauth);
  if (masterPlain !== undefined) {
    judged.push({
      label: 'masterauth',
      weaknesses: judgePlaintext(masterPlain, { list }),
      byHash: false,
      location: masterauth?.location,
    });
  } else if (secretIsSet(masterauth)) {
    notes.push('masterauth is set but its value is redacted by the live audit');
  }

  if (judged.length === 0) {
    if (!defaultKnown) return unknown('unknown' in view ? view.unknown : 'the default user could not be observed');
    return skip(`no password to judge: ${notes.join('; ')}`);
  }
  const weak = judged.filter((j) => j.weaknesses.length > 0);
  const noteText = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (weak.length > 0) {
    const what = weak.map((j) => `${j.label} ${describeWeaknesses(j.weaknesses)}`).join('; ');
    return fail(`${what}${noteText}`, weak.find((j) => j.location)?.location);
  }
  const strong = judged.map((j) =>
    j.byHash
      ? `${j.label} (known only by its SHA-256) is not the username and not one of the ${list.size} common passwords; its length cannot be judged from a hash`
      : `${j.label} has at least ${MIN_PASSWORD_LENGTH} characters, an estimated entropy of ${MIN_ENTROPY_BITS} bits or more, and is not a common password`,
  );
  return pass(`${strong.join('; ')}${noteText}`, judged.find((j) => j.location)?.location);
}

export const weakDefaultPassword: Check = defineCheck('RS003', evaluateWeakDefaultPassword);

// ---------------------------------------------------------------------------------------------------------------
// RS004

const GUESSABLE: ReadonlySet<PasswordWeakness> = new Set(['empty', 'equals-username', 'common']);

function evaluateGuessableUserPasswords(facts: Facts): CheckResult {
  const view = resolveUsers(facts);
  if ('unknown' in view) return unknown(view.unknown);
  const list = loadCommonPasswords();
  const withPasswords = view.users.filter(
    (u) => u.enabled && !u.nopass && (u.passwordHashes.length > 0 || u.plaintextPasswords.length > 0),
  );
  const disabled = view.users.filter((u) => !u.enabled).length;
  if (withPasswords.length === 0) {
    return skip('no enabled user has a password to judge (users without one: see RS001 and RS006)');
  }
  const findings: Array<{ user: AclUser; text: string }> = [];
  const multi: string[] = [];
  for (const user of withPasswords) {
    const judged = judgeUserPasswords(
      user,
      (i, total) => (total === 1 ? 'password' : `password ${i + 1} of ${total}`),
      (w) => GUESSABLE.has(w),
    );
    if (judged.length > 1) multi.push(user.name);
    const weak = judged.filter((j) => j.weaknesses.length > 0);
    if (weak.length > 0) {
      findings.push({
        user,
        text: `user '${user.name}': ${weak.map((j) => `${j.label} ${describeWeaknesses(j.weaknesses)}`).join(', ')}`,
      });
    }
  }
  const notes: string[] = [];
  if (multi.length > 0)
    notes.push(`${listNames(multi)} ${multi.length === 1 ? 'has' : 'have'} several passwords (rotation leftovers?)`);
  if (disabled > 0) notes.push(`${disabled} disabled user${disabled === 1 ? '' : 's'} not judged`);
  const noteText = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (findings.length > 0) {
    return fail(
      `${findings.map((f) => f.text).join('; ')}${noteText}`,
      findings.find((f) => f.user.location)?.user.location,
    );
  }
  return pass(
    `${withPasswords.length} user${withPasswords.length === 1 ? '' : 's'} (${listNames(withPasswords.map((u) => u.name))}): no password equals its username or is one of the ${list.size} common passwords${noteText}`,
  );
}

export const guessableUserPasswords: Check = defineCheck('RS004', evaluateGuessableUserPasswords);

export const AUTHENTICATION_CHECKS: Check[] = [noAuthentication, weakDefaultPassword, guessableUserPasswords];
