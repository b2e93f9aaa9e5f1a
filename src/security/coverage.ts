/**
 * How much of a live audit could be judged, and whether that is enough to report a score. An audit that could not
 * log in, or that judged almost nothing, would otherwise print a clean score (`100/100, 2 of 54 judged`) that a CI
 * gate reads as "secure". Such an audit stops (AuditIncompleteError, exit 2) unless the caller accepts a partial
 * report, which then says so.
 */
import type { AuditReport, Finding } from './audit.ts';

/**
 * At least a third of the checks that apply must be judged (pass or fail). Measured on Redis 7.0 (checks judged
 * of those that apply): an outsider, or a login that may not even run INFO, 2 of 54; a login that may run INFO
 * only, 11 of 51 (the version's CVEs and end of life, and what INFO says); INFO with ACL LIST and ACL LOG, 23 of
 * 51; everything but CONFIG, 23 of 51; the README's auditor user or an admin, 39 of 44. Below a third the score is
 * the version's and little else, and the checks that decide who can get in (users, passwords, bind, protected
 * mode) are all unknown.
 */
export const MIN_JUDGED_SHARE = 1 / 3;

export interface Coverage {
  /** Checks that passed or failed. */
  judged: number;
  /** Checks that apply (all but skipped). */
  applicable: number;
}

export function coverageOf(findings: readonly Finding[]): Coverage {
  return {
    judged: findings.filter((f) => f.status === 'pass' || f.status === 'fail').length,
    applicable: findings.filter((f) => f.status !== 'skip').length,
  };
}

/** A live audit that stopped because it could not log in or judged too little; its message is one line. */
export class AuditIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditIncompleteError';
  }
}

/** Why a live audit is not a full one: `reason` for the line that stops it, `summary` for a partial report's score. */
export interface Incomplete {
  reason: string;
  summary: string;
}

/**
 * Why a live audit's report is not a full one, or undefined when it is: the login failed (the reason the facts
 * gave, once), or fewer than MIN_JUDGED_SHARE of the applicable checks could be judged (the parts it could not
 * read, and why).
 */
export function incompleteness(report: AuditReport): Incomplete | undefined {
  const login = report.unobserved.login;
  if (login)
    return {
      reason: `could not log in: ${login}`,
      summary: "not logged in: only what an unauthenticated client sees was judged (an outsider's view)",
    };
  const { judged, applicable } = coverageOf(report.findings);
  if (applicable === 0 || judged >= applicable * MIN_JUDGED_SHARE) return undefined;
  const few = `only ${judged} of ${applicable} checks could be judged (a score needs at least a third)`;
  const parts = Object.entries(report.unobserved).map(([part, why]) => `${part}: ${why}`);
  return { reason: `${few}${parts.length > 0 ? `; not observed: ${parts.join('; ')}` : ''}`, summary: few };
}
