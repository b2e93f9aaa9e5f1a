/** The effective ACL users a check judges, including the implicit default user a file implies. */

import type { AclUser, SourceLocation } from '../../redis/acl-user.ts';
import type { Facts } from '../facts.ts';
import { sha256Hex } from '../passwords.ts';
import { secretIsSet, secretPlaintext, setting, whyUnobserved } from './settings.ts';

/** Where the default user's definition came from. */
export type DefaultUserSource = 'acl' | 'requirepass' | 'implicit' | 'aclfile-implicit';

export interface UsersView {
  users: AclUser[];
  /** The default user, as the server has it or as the files imply. */
  defaultUser?: AclUser;
  defaultSource?: DefaultUserSource;
}

const fullDefault = (): AclUser => ({
  name: 'default',
  enabled: true,
  nopass: true,
  passwordHashes: [],
  plaintextPasswords: [],
  keyPatterns: ['~*'],
  channelPatterns: ['*'],
  commandRules: ['+@all'],
});

/**
 * The ACL users to judge. Live: ACL LIST as observed. Files: the `user` lines / ACL file, plus the default user they
 * imply when none defines it — Redis creates it as 'on nopass ~* &* +@all' with requirepass as its password, and
 * ignores requirepass when an aclfile is used. undefined (with a reason) when users could not be observed.
 */
export function resolveUsers(facts: Facts): UsersView | { unknown: string } {
  const listed = facts.users;
  if (listed) {
    const def = listed.find((u) => u.name === 'default');
    if (def) return { users: listed, defaultUser: def, defaultSource: sourceOf(facts, listed, def) };
    if (facts.live) return { users: listed };
    return impliedDefault(facts, listed) ?? { unknown: whyUnobserved(facts, 'config', 'requirepass') };
  }
  if (facts.unobserved.users) return { unknown: whyUnobserved(facts, 'users', 'ACL users') };
  if (!facts.live && facts.config && !setting(facts, 'aclfile')?.value) {
    return impliedDefault(facts, []) ?? { unknown: whyUnobserved(facts, 'config', 'requirepass') };
  }
  if (!facts.live && setting(facts, 'aclfile')?.value) {
    return { unknown: `ACL users could not be observed: the aclfile ${setting(facts, 'aclfile')?.value} was not read` };
  }
  return { unknown: whyUnobserved(facts, 'users', 'ACL users') };
}

/** How a listed default user came to be, from its origin (set by the file reader). */
function sourceOf(facts: Facts, listed: AclUser[], def: AclUser): DefaultUserSource {
  if (def.origin === 'requirepass') return 'requirepass';
  if (def.origin !== 'builtin') return 'acl';
  const aclfile = setting(facts, 'aclfile')?.value || listed.some((u) => u.origin === 'aclfile');
  return aclfile ? 'aclfile-implicit' : 'implicit';
}

function impliedDefault(facts: Facts, listed: AclUser[]): UsersView | undefined {
  const aclfile = setting(facts, 'aclfile');
  if (aclfile?.value) return withDefault(listed, fullDefault(), 'aclfile-implicit');
  const requirepass = setting(facts, 'requirepass');
  if (!requirepass) return undefined;
  const plaintext = secretPlaintext(requirepass);
  if (!secretIsSet(requirepass)) return withDefault(listed, fullDefault(), 'implicit');
  const def: AclUser = {
    ...fullDefault(),
    nopass: false,
    plaintextPasswords: plaintext ? [plaintext] : [],
    passwordHashes: plaintext ? [sha256Hex(plaintext)] : [],
  };
  if (requirepass.location) def.location = requirepass.location;
  return withDefault(listed, def, 'requirepass');
}

const withDefault = (listed: AclUser[], def: AclUser, source: DefaultUserSource): UsersView => ({
  users: [...listed, def],
  defaultUser: def,
  defaultSource: source,
});

/** Where the default user is defined: its ACL line, else the requirepass or aclfile directive that implies it. */
export function defaultUserLocation(facts: Facts, view: UsersView): SourceLocation | undefined {
  if (view.defaultUser?.location) return view.defaultUser.location;
  if (view.defaultSource === 'requirepass') return facts.config?.locations.requirepass;
  if (view.defaultSource === 'aclfile-implicit') return facts.config?.locations.aclfile;
  return undefined;
}

/** How the default user came to be, for evidence. */
export function describeDefaultSource(source: DefaultUserSource | undefined): string {
  switch (source) {
    case 'requirepass':
      return 'the default user takes requirepass as its password';
    case 'implicit':
      return "no requirepass and no 'user default' line: Redis creates the default user as 'on nopass ~* &* +@all'";
    case 'aclfile-implicit':
      return "the aclfile does not define the default user: Redis creates it as 'on nopass ~* &* +@all'";
    default:
      return '';
  }
}

// ---------------------------------------------------------------------------------------------------------------
