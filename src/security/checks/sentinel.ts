/**
 * Sentinel checks (RS050, RS051). Sentinel turns protected mode off ("Sentinel must be exposed"), so without a
 * password anyone who reaches it can redirect clients to a rogue master, and with script reconfiguration allowed
 * they can run commands on its host.
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import type { Facts } from '../facts.ts';
import { printable } from '../finding-text.ts';
import { isSentinel } from '../views/server-version.ts';
import { configValue, whyUnobserved } from '../views/settings.ts';

const NOT_SENTINEL = 'not a Sentinel';

/** `sentinel <option> …` lines of a sentinel.conf, by option (lower case), in file order. */
function sentinelOptions(facts: Facts, option: string): Array<{ args: string[]; location: SourceLocation }> {
  return (facts.config?.directives ?? [])
    .filter((d) => d.name === 'sentinel' && d.args[0]?.toLowerCase() === option)
    .map((d) => ({ args: d.args.slice(1), location: d.location }));
}

export const checkSentinelAuth: Check = {
  ...CATALOGUE.RS050,
  evaluate(facts) {
    if (!isSentinel(facts)) return skip(NOT_SENTINEL);
    const probe = facts.unauth?.result;
    if (probe === 'open')
      return fail(
        'Sentinel answered commands on a fresh connection without AUTH: anyone who reaches it can SENTINEL SET, REMOVE or FAILOVER and send clients to a rogue master',
      );
    const def = facts.users?.find((u) => u.name === 'default');
    if (def?.enabled && def.nopass)
      return fail(
        "Sentinel's default user is 'on nopass': every client is served without a password, and Sentinel has no protected mode to fall back on",
        def.location,
      );
    const requirepass = configValue(facts, 'requirepass');
    const peersAuth =
      sentinelOptions(facts, 'sentinel-pass').length > 0 ? '; sentinel-pass is set for the other Sentinels' : '';
    if (probe === 'noauth' || probe === 'tls-required')
      return pass(
        `an unauthenticated client is refused (${probe === 'noauth' ? 'NOAUTH' : 'TLS required'})${peersAuth}`,
      );
    if (def && !def.nopass && def.enabled)
      return pass(`Sentinel's default user has a password${peersAuth}`, def.location);
    if (def && !def.enabled) return pass("Sentinel's default user is off: clients must log in as a named user");
    if (requirepass && !def) {
      if (requirepass.value !== '') return pass(`requirepass is set${peersAuth}`, requirepass.location);
      const how = requirepass.origin === 'default' ? 'no requirepass and no user lines' : 'requirepass is empty';
      return fail(`${how}: Sentinel serves every client without a password`, requirepass.location);
    }
    return unknown(
      `${whyUnobserved(facts, 'unauth', 'the unauthenticated probe')}; ${whyUnobserved(facts, 'users', "Sentinel's users")}`,
    );
  },
};

export const checkSentinelScripts: Check = {
  ...CATALOGUE.RS051,
  evaluate(facts) {
    if (!isSentinel(facts)) return skip(NOT_SENTINEL);
    const lines = sentinelOptions(facts, 'deny-scripts-reconfig');
    const last = lines[lines.length - 1];
    const live = facts.config?.values['deny-scripts-reconfig'];
    const value = last?.args[0] ?? live;
    const scripts = ['notification-script', 'client-reconfig-script'].filter(
      (o) => sentinelOptions(facts, o).length > 0,
    );
    const scriptText = scripts.length > 0 ? ` (scripts configured: ${scripts.join(', ')})` : '';
    if (value !== undefined) {
      if (value.toLowerCase() === 'no')
        return fail(
          `sentinel deny-scripts-reconfig no: any client may point notification-script or client-reconfig-script at a program, which Sentinel then runs on its host${scriptText}`,
          last?.location,
        );
      return pass(`sentinel deny-scripts-reconfig ${printable(value, 10)}${scriptText}`, last?.location);
    }
    if ((facts.config?.directives.length ?? 0) > 0)
      return pass(
        `sentinel deny-scripts-reconfig not set: the default (yes) refuses script changes at runtime${scriptText}`,
      );
    return unknown(
      'a live Sentinel does not report deny-scripts-reconfig (SENTINEL CONFIG GET does not show it); audit its sentinel.conf with --config',
    );
  },
};

export const SENTINEL_CHECKS: Check[] = [checkSentinelAuth, checkSentinelScripts];
