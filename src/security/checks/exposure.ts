/**
 * Exposure: RS002, what an outsider on the network sees. From the audit's own unauthenticated probe when it came
 * from another host; otherwise derived from bind, protected-mode and the default user, as Redis decides it.
 */
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { resolveUsers } from '../views/acl-users.ts';
import { bindFacts, listeners, showBind, targetIsLocal, unixSocketOnly } from '../views/listeners.ts';
import { isBefore7 } from '../views/server-version.ts';
import { configUnknown, firstLocation, setting } from '../views/settings.ts';

function fromProbe(facts: Facts): CheckResult | undefined {
  const probe = facts.unauth;
  if (!probe || targetIsLocal(facts)) return undefined;
  const at = facts.target ? ` at ${facts.target}` : '';
  const detail = probe.detail ? ` (${probe.detail})` : '';
  switch (probe.result) {
    case 'open':
      return fail(`the server${at} answered an unauthenticated client from the audit's host${detail}`);
    case 'denied':
      // Protected mode is Redis's own guard for a password-less default user: it refuses every non-loopback client.
      // The missing password is RS001's finding; protected mode switched off is RS009's.
      return pass(
        `the server${at} refused an unauthenticated client from the audit's host (-DENIED: protected mode; the default user has no password, see RS001)`,
      );
    case 'noauth':
      return pass(`the server${at} requires authentication (NOAUTH for an unauthenticated client)`);
    case 'tls-required':
      return pass(
        `the server${at} accepts only TLS${probe.clientCertRequired ? ' with a client certificate' : ''}${detail}`,
      );
    case 'closed':
      return pass(`the server${at} did not answer an unauthenticated client${detail}`);
    default:
      return undefined;
  }
}

function evaluateUnauthenticatedExposure(facts: Facts): CheckResult {
  const l = listeners(facts);
  if (unixSocketOnly(l)) return skip('no TCP listener (port 0, tls-port 0): only a unix socket');
  const probed = fromProbe(facts);
  if (probed) return probed;

  const bind = bindFacts(facts);
  const view = resolveUsers(facts);
  if (!bind) {
    const probe = facts.unauth
      ? targetIsLocal(facts)
        ? `the unauthenticated probe came from this host (it got '${facts.unauth.result}'), not from the network`
        : `the unauthenticated probe was inconclusive ('${facts.unauth.result}'${facts.unauth.detail ? `: ${facts.unauth.detail}` : ''})`
      : 'there was no unauthenticated probe';
    return unknown(`${configUnknown(facts, 'bind')}, and ${probe}`);
  }
  if (bind.scope === 'loopback')
    return pass(`${showBind(bind)}: only loopback interfaces listen`, bind.setting.location);
  let nopass: boolean | undefined;
  if ('users' in view && view.defaultUser) nopass = view.defaultUser.enabled && view.defaultUser.nopass;
  else if (facts.unauth?.result === 'noauth') nopass = false;
  else if (facts.unauth?.result === 'open' || facts.unauth?.result === 'denied') nopass = true;
  if (nopass === undefined) {
    return unknown(
      `${showBind(bind)} listens beyond loopback, but ${'unknown' in view ? view.unknown : 'the default user is unknown'}`,
    );
  }
  if (!nopass) return pass(`${showBind(bind)}, but the default user requires a password or is off`);
  const pm = setting(facts, 'protected-mode');
  const where = firstLocation(pm?.location, bind.setting.location);
  if (!pm)
    return unknown(`${showBind(bind)} with a password-less default user, but protected-mode could not be observed`);
  if (pm.value === 'no') {
    return fail(
      `${showBind(bind)}, protected-mode no and the default user has no password: anyone who reaches the port gets full access`,
      where,
    );
  }
  if (isBefore7(facts) && bind.setting.source === 'set' && bind.addresses.length > 0) {
    return fail(
      `${showBind(bind)} with a password-less default user: before 7.0 an explicit bind switches protected mode off`,
      where,
    );
  }
  return pass(
    `${showBind(bind)} with a password-less default user, but protected mode is on: non-loopback clients get -DENIED (the missing password is RS001's finding)`,
    where,
  );
}

export const unauthenticatedExposure: Check = defineCheck('RS002', evaluateUnauthenticatedExposure);

export const EXPOSURE_CHECKS: Check[] = [unauthenticatedExposure];
