/**
 * Detection checks (RS035, RS043, RS046): signs of password guessing in the ACL LOG and errorstats, and whether
 * the server keeps the evidence an investigation needs (slow log, latency monitor, log file, ACL LOG).
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check } from '../check.ts';
import { fail, pass, skip, unknown } from '../check.ts';
import type { Facts } from '../facts.ts';
import { listItems, printable } from '../finding-text.ts';
import { type ConfigValue, configUnknown, configValue, locationOf, show, whyUnobserved } from '../views/settings.ts';

/** Failed AUTH attempts in the ACL LOG (its window: the last acllog-max-len events) that make a finding. */
export const ACL_LOG_AUTH_FAILURES = 10;
/** WRONGPASS errors since the server started (INFO errorstats) that make a finding. */
export const WRONGPASS_ERRORS = 100;

function ago(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

const errorCount = (stats: Record<string, number>, code: string): number =>
  stats[code] ?? stats[`errorstat_${code}`] ?? 0;

/**
 * Who the failed logins tried, without repeating what they typed: a user name that does not exist may be a
 * password entered in the wrong field, so only names of existing users are shown.
 */
function attemptedUsers(facts: Facts, names: readonly string[]): string {
  const known = new Set((facts.users ?? []).map((u) => u.name));
  const distinct = [...new Set(names)];
  const shown = distinct.filter((n) => known.has(n)).map((n) => printable(n, 40));
  const others = distinct.length - shown.length;
  const parts: string[] = [];
  if (shown.length > 0) parts.push(`user${shown.length > 1 ? 's' : ''} ${listItems(shown)}`);
  if (others > 0) parts.push(`${others} user name${others > 1 ? 's that do' : ' that does'} not exist`);
  return parts.join(' and ');
}

export const checkAuthFailures: Check = {
  ...CATALOGUE.RS035,
  evaluate(facts) {
    if (!facts.live) return skip('a configuration file cannot show authentication failures: this is a live check');
    const log = facts.aclLog;
    const stats = facts.errorstats;
    if (!log && !stats) return unknown(whyUnobserved(facts, 'aclLog', 'the ACL LOG and INFO errorstats'));
    const parts: string[] = [];
    let guessing = false;
    if (log) {
      const auth = log.filter((e) => e.reason === 'auth');
      const failures = auth.reduce((n, e) => n + e.count, 0);
      if (failures >= ACL_LOG_AUTH_FAILURES) guessing = true;
      if (failures > 0) {
        const latest = Math.min(...auth.map((e) => e.ageSeconds));
        parts.push(
          `ACL LOG: ${failures} failed authentication${failures > 1 ? 's' : ''} (${attemptedUsers(
            facts,
            auth.map((e) => e.username),
          )}), the latest ${ago(latest)} ago`,
        );
      } else parts.push(`ACL LOG: no failed authentications${log.length > 0 ? ` among ${log.length} entries` : ''}`);
      const denied = log.filter((e) => e.reason !== 'auth').reduce((n, e) => n + e.count, 0);
      if (denied > 0) parts.push(`${denied} refused command/key/channel accesses (privilege probing shows up here)`);
      const aclLogLen = configValue(facts, 'acllog-max-len');
      if (aclLogLen && Number(aclLogLen.value) === 0) parts.push(`${show(aclLogLen)}: the ACL LOG keeps nothing`);
    } else parts.push(whyUnobserved(facts, 'aclLog', 'the ACL LOG'));
    if (stats) {
      const wrongpass = errorCount(stats, 'WRONGPASS');
      const noauth = errorCount(stats, 'NOAUTH');
      if (wrongpass >= WRONGPASS_ERRORS) guessing = true;
      parts.push(`errorstats since start: WRONGPASS ${wrongpass}, NOAUTH ${noauth}`);
    }
    const deniedAuth = facts.info?.acl_access_denied_auth;
    if (deniedAuth !== undefined) parts.push(`acl_access_denied_auth ${deniedAuth}`);
    const evidence = parts.join('; ');
    return guessing
      ? fail(
          `${evidence} (at or above ${ACL_LOG_AUTH_FAILURES} logged or ${WRONGPASS_ERRORS} counted failures: password guessing)`,
        )
      : pass(evidence);
  },
};

export const checkSlowlogLatency: Check = {
  ...CATALOGUE.RS043,
  evaluate(facts) {
    const slower = configValue(facts, 'slowlog-log-slower-than');
    const maxLen = configValue(facts, 'slowlog-max-len');
    if (!slower || !maxLen) return unknown(configUnknown(facts, 'slowlog-log-slower-than, slowlog-max-len'));
    const off: ConfigValue[] = [];
    if (Number(slower.value) < 0) off.push(slower);
    if (Number(maxLen.value) === 0) off.push(maxLen);
    if (off.length > 0)
      return fail(
        `${off.map((v) => show(v)).join(', ')}: the slow log records nothing, so abusive commands (KEYS, long scripts) leave no trace`,
        locationOf(...off),
      );
    const latency = configValue(facts, 'latency-monitor-threshold');
    const latencyText = latency
      ? Number(latency.value) === 0
        ? `; ${show(latency)}: the latency monitor is off (set it, e.g. 100, to record latency spikes)`
        : `; ${show(latency)}`
      : '';
    return pass(`${show(slower, 'µs')}, ${show(maxLen)}${latencyText}`, locationOf(slower, maxLen, latency));
  },
};

export const checkLogging: Check = {
  ...CATALOGUE.RS046,
  evaluate(facts) {
    const logfile = configValue(facts, 'logfile');
    const daemonize = configValue(facts, 'daemonize');
    const syslog = configValue(facts, 'syslog-enabled');
    const aclLogLen = configValue(facts, 'acllog-max-len');
    if (!logfile || !daemonize || !syslog || !aclLogLen)
      return unknown(configUnknown(facts, 'logfile, daemonize, syslog-enabled, acllog-max-len'));
    const problems: string[] = [];
    const located: ConfigValue[] = [];
    const yes = (v: ConfigValue) => v.value.toLowerCase() === 'yes';
    if (logfile.value === '' && yes(daemonize) && !yes(syslog)) {
      problems.push(`logfile "" with daemonize yes and syslog-enabled no: the log goes to /dev/null`);
      located.push(logfile, daemonize);
    }
    if (Number(aclLogLen.value) === 0) {
      problems.push(`${show(aclLogLen)}: the ACL LOG records no refused logins or commands`);
      located.push(aclLogLen);
    }
    if (problems.length > 0) return fail(problems.join('; '), locationOf(...located));
    const where = logfile.value !== '' ? `logfile ${printable(logfile.value)}` : yes(syslog) ? 'syslog' : 'stdout';
    const level = configValue(facts, 'loglevel');
    const levelText =
      level && level.value.toLowerCase() === 'warning'
        ? `; ${show(level)} logs only warnings`
        : level
          ? `; ${show(level)}`
          : '';
    return pass(`logs to ${where}; ${show(aclLogLen)}${levelText}`, locationOf(logfile, aclLogLen));
  },
};

export const DETECTION_CHECKS: Check[] = [checkAuthFailures, checkSlowlogLatency, checkLogging];
