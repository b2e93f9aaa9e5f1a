import { neutralise } from '../text/terminal.ts';
import { type Finding, finding, only } from './finding.ts';
import type { ServerFacts } from './server-facts.ts';

/** What goes missing when a user may not run a command, in the words of the features that need it. */
const NEEDED_FOR: Record<string, string> = {
  info: 'every redis_* metric (the exporter scrapes INFO), the memory checks below',
  'config|get':
    "redis_config_maxmemory and redis_config_maxclients, the audit's configuration checks, activedefrag below",
  'slowlog|len': 'redis_slowlog_length and the slow-log panel',
  'latency|latest': 'redis_latency_* metrics',
};

/**
 * NOPERM replies, each named with the ACL rule that grants it. INFO refused makes the rest meaningless (no
 * metrics at all), so it ends the chain.
 */
export function diagnosePermissions(subject: string, facts: ServerFacts): { findings: Finding[]; stop: boolean } {
  const user = neutralise(facts.user);
  // ACL WHOAMI only names the user; a least-privilege user without it is fine (managed-limits says what ACL costs).
  const denied = [...facts.denied.keys()].filter((n) => n !== 'acl|whoami' && n !== 'acl');
  if (denied.length === 0)
    return only(
      finding(
        subject,
        'permissions',
        'ok',
        `user "${user}" may run INFO, CONFIG GET, SLOWLOG and LATENCY (what the exporter needs)`,
      ),
      false,
    );
  const rules = denied.map((n) => `+${neutralise(n)}`).join(' ');
  const missing = denied
    .map((n) => `${neutralise(n.toUpperCase().replace('|', ' '))} (${NEEDED_FOR[n] ?? 'a feature that needs it'})`)
    .join('; ');
  const infoDenied = facts.denied.has('info');
  return {
    findings: [
      finding(
        subject,
        'permissions',
        infoDenied ? 'fail' : 'warn',
        `user "${user}" may not run: ${missing} (NOPERM)`,
        `grant the rules: ACL SETUSER ${user} ${rules} (then ACL SAVE, or CONFIG REWRITE when users live in redis.conf); redoubt harden's "exporter" user has exactly what a scrape needs`,
      ),
    ],
    stop: infoDenied,
  };
}
