import type { Facts, SourceLocation } from './facts.ts';

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
  /** Overrides the catalogue severity for this result (e.g. a CVE's own severity). */
  severity?: Severity;
  /**
   * false: a compromise-indicator check failed on a weakness that is not itself a sign of compromise (RS038 on a
   * world-writable directory): the report lists it with the ordinary findings, not under the indicators.
   */
  indicator?: false;
}

/** A check: catalogue metadata plus a pure function over Facts. */
export interface Check {
  id: string; // RS001 …
  title: string;
  severity: Severity;
  category: Category;
  remediation: string;
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
