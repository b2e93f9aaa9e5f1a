/**
 * Confidentiality (RS055, catalogued under authorization): CONFIG GET returns requirepass and masterauth in
 * plaintext, so a user allowed to read the configuration — typically a monitoring user — holds the passwords.
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import type { AclUser, Facts } from '../facts.ts';
import { rootRulesAllow } from '../live-acl.ts';
import { configUnknown, configValue, listItems, printable, whyUnobserved } from './shared.ts';

/** ACL DRYRUN's answer when the audit asked it, else the user's rules (undefined: selectors may grant it). */
function may(facts: Facts, user: AclUser, command: 'config|get' | 'config|set'): boolean | undefined {
  const answer = facts.dryRun?.[user.name]?.[command];
  if (answer !== undefined) return answer;
  return rootRulesAllow(user, command);
}

export const checkPasswordsReadable: Check = {
  ...CATALOGUE.RS055,
  evaluate(facts) {
    const requirepass = configValue(facts, 'requirepass');
    const masterauth = configValue(facts, 'masterauth');
    if (!requirepass && !masterauth) return unknown(configUnknown(facts, 'requirepass, masterauth'));
    const secrets = [requirepass, masterauth].filter((v) => v !== undefined && v.value !== '').map((v) => v?.name);
    if (secrets.length === 0)
      return skip('requirepass and masterauth are not set: CONFIG GET has no password to give away');
    const what = secrets.length > 1 ? `${secrets.join(' and ')} are set` : `${secrets[0]} is set`;
    const users = facts.users;
    if (!users) {
      if (!facts.live && !configValue(facts, 'aclfile')?.value)
        return pass(`${what}; no ACL users besides the default user, which may run every command anyway`);
      return unknown(whyUnobserved(facts, 'users', 'ACL users'));
    }
    // An empty admin list is the same as none given.
    const admins = facts.inventory?.adminUsers?.length ? facts.inventory.adminUsers : undefined;
    // Without an admin list, an admin is a user who may also change the configuration (CONFIG SET): it could
    // set the passwords anyway. A user who may only read it is a monitoring-style user.
    const readers = users.filter(
      (u) =>
        u.enabled &&
        !admins?.includes(u.name) &&
        may(facts, u, 'config|get') === true &&
        (admins !== undefined || may(facts, u, 'config|set') !== true),
    );
    if (readers.length > 0) {
      const names = readers.map((u) => printable(u.name, 40));
      const who = admins !== undefined ? 'not in the admin list' : 'may read but not change the configuration';
      return fail(
        `${readers.length > 1 ? 'users' : 'user'} ${listItems(names)} may run CONFIG GET (${who}) while ${what}: CONFIG GET returns ${secrets.length > 1 ? 'them' : 'it'} in plaintext`,
        readers.find((u) => u.location)?.location,
      );
    }
    return pass(`${what}; only admins may run CONFIG GET`);
  },
};

export const CONFIDENTIALITY_CHECKS: Check[] = [checkPasswordsReadable];
