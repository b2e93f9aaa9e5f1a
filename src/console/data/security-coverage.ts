/**
 * What an audit's score covers: checks graded (pass or fail) of those that apply, and of the ones that could not run,
 * those held back by what the watching user may run (or what `up` sends such a user: see --security.audit-commands)
 * and the commands that would let them run. A check's evidence names the part it could not observe with the reason
 * the facts gave (live-facts.ts), which is how an unknown check is traced back to that part.
 */
import type { AuditReport, Finding } from '../../security/audit.ts';
import { coverageOf } from '../../security/coverage.ts';
import type { SecurityCoverage } from '../contract.ts';

/** The command behind each part an audit reads over its connection. */
const COMMAND_OF: Record<string, string> = {
  info: 'INFO',
  config: 'CONFIG GET',
  users: 'ACL LIST',
  aclLog: 'ACL LOG',
  commands: 'COMMAND INFO',
  dryRun: 'ACL DRYRUN',
};
const REFUSED = /NOPERM|NOTSENT|may not run|not permitted/i;
const NOT_SENT = /NOTSENT/;

/** The command a part needs when the user's permissions (or what is sent to it) kept it unread; else undefined. */
function blockedCommand(part: string, reason: string, unobserved: Record<string, string>): string | undefined {
  if (COMMAND_OF[part] && REFUSED.test(reason)) return COMMAND_OF[part];
  // ACL DRYRUN is not asked without the user list: what it needs is ACL LIST, when that was refused.
  if (part === 'dryRun' && /ACL LIST/.test(reason) && REFUSED.test(unobserved.users ?? '')) return 'ACL LIST';
  return undefined;
}

/** The part (and its reason) an unknown finding's evidence names, if any. */
function partOf(f: Finding, unobserved: Record<string, string>): [string, string] | undefined {
  return Object.entries(unobserved).find(([, reason]) => reason !== '' && f.evidence.includes(reason));
}

export function securityCoverage(report: AuditReport): SecurityCoverage {
  const { judged, applicable } = coverageOf(report.findings);
  const unobserved = report.unobserved;
  const needs = new Set<string>();
  let blocked = 0;
  let notSent = false;
  for (const f of report.findings) {
    if (f.status !== 'unknown') continue;
    const part = partOf(f, unobserved);
    const command = part && blockedCommand(part[0], part[1], unobserved);
    if (!part || !command) continue;
    blocked++;
    needs.add(command);
    if (NOT_SENT.test(part[1]) || (part[0] === 'dryRun' && NOT_SENT.test(unobserved.users ?? ''))) notSent = true;
  }
  const otherUnknown = applicable - judged - blocked;
  const list = [...needs].sort();
  const parts = [`graded on ${judged} of ${applicable} checks`];
  if (unobserved.login) parts.push(`not logged in: ${unobserved.login}`);
  if (blocked > 0)
    parts.push(
      `${blocked} could not run as this user: needs ${list.join(', ')}${notSent ? ' (sent to a named ACL user only with --security.audit-commands all)' : ''}`,
    );
  if (otherUnknown > 0)
    parts.push(`${otherUnknown} ${blocked > 0 ? 'more ' : ''}could not be judged (see their evidence)`);
  return { graded: judged, applicable, blocked, needs: list, otherUnknown, summary: parts.join('; ') };
}
