import type { SourceLocation } from '../redis/acl-user.ts';
import type { Facts } from './facts.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type CheckStatus = 'fail' | 'pass' | 'unknown' | 'skip';

export type Category =
  | 'authentication'
  | 'authorization'
  | 'exposure'
  | 'network'
  | 'encryption'
  | 'hardening'
  | 'availability'
  | 'detection'
  | 'vulnerability'
  | 'compromise-indicator'
  | 'replication'
  | 'data-protection'
  | 'file'
  | 'sentinel'
  | 'confidentiality';

/** What one check concluded. Evidence names users, settings and values — never a secret. */
export interface CheckResult {
  status: CheckStatus;
  evidence: string;
  /** Where in an audited file the problem is (for SARIF). */
  location?: SourceLocation;
  /**
   * Overrides the catalogue severity for this result (e.g. a CVE's own severity). It changes the `severity` label of
   * the check's posture series when the status changes: where the severity depends only on what the server is (its
   * version), use Check.severityFor instead, which holds for every status.
   */
  severity?: Severity;
}

/** A check: catalogue metadata plus a pure function over Facts. */
export interface Check {
  id: string; // RS001 …
  title: string;
  severity: Severity;
  category: Category;
  remediation: string;
  /**
   * The severity on this server, whatever the status (pass, fail or unknown): for a check whose severity depends on
   * what the server is (RS017: its version), so that `redis_security_check_status{severity}` does not change label
   * when the status changes. Absent: `severity`.
   */
  severityFor?(facts: Facts): Severity;
  evaluate(facts: Facts): CheckResult;
}

export const pass = (evidence: string, location?: SourceLocation): CheckResult => ({
  status: 'pass',
  evidence,
  location,
});
export const fail = (evidence: string, location?: SourceLocation): CheckResult => ({
  status: 'fail',
  evidence,
  location,
});
export const unknown = (evidence: string): CheckResult => ({ status: 'unknown', evidence });
export const skip = (evidence: string): CheckResult => ({ status: 'skip', evidence });
