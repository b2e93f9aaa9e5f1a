import type { SourceLocation } from '../redis/acl-user.ts';
import type { Check, CheckResult, CheckStatus, Severity } from './check.ts';
import type { Facts } from './facts.ts';

/** One check's outcome as reported: catalogue metadata plus the result. Never carries a secret. */
export interface Finding {
  id: string;
  title: string;
  severity: Severity;
  category: string;
  status: CheckStatus;
  evidence: string;
  remediation: string;
  location?: SourceLocation;
  /** An indicator of compromise (a compromise-indicator check): reported first when it fails. */
  indicator: boolean;
}

export interface AuditReport {
  target: string | null;
  files: string[];
  redis_version: string | null;
  score: number;
  findings: Finding[];
  /** What could not be observed and why (CONFIG blocked, could not log in, …). */
  unobserved: Record<string, string>;
  /**
   * Set when the caller accepted a live audit that could not log in or judged too little (see coverage.ts): why the
   * score covers only part of the server. Reports show it next to the score.
   */
  partial?: string;
}

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const STATUS_RANK: Record<CheckStatus, number> = { fail: 0, unknown: 1, pass: 2, skip: 3 };
const WEIGHT: Record<Severity, number> = { critical: 20, high: 8, medium: 3, low: 1, info: 0 };

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[s] <= SEVERITY_RANK[threshold];
}

/** Runs every check; a check that throws is reported as unknown with the reason, never as pass. */
export function runChecks(facts: Facts, checks: readonly Check[]): Finding[] {
  const findings = checks.map((c): Finding => {
    let r: CheckResult;
    try {
      r = c.evaluate(facts);
    } catch (err) {
      r = { status: 'unknown', evidence: `check could not run: ${(err as Error).message}` };
    }
    return {
      id: c.id,
      title: c.title,
      severity: r.severity ?? c.severityFor?.(facts) ?? c.severity,
      category: c.category,
      status: r.status,
      evidence: r.evidence,
      remediation: c.remediation,
      location: r.location,
      indicator: c.category === 'compromise-indicator',
    };
  });
  return sortFindings(findings);
}

/** Failed indicators of compromise first, then failures by severity, then unknown, pass, skip; ties by id. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    const ai = a.indicator && a.status === 'fail' ? 0 : 1;
    const bi = b.indicator && b.status === 'fail' ? 0 : 1;
    if (ai !== bi) return ai - bi;
    if (STATUS_RANK[a.status] !== STATUS_RANK[b.status]) return STATUS_RANK[a.status] - STATUS_RANK[b.status];
    if (SEVERITY_RANK[a.severity] !== SEVERITY_RANK[b.severity])
      return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * 0–100: the severity-weighted share of evaluated checks (pass + fail) that passed, capped at 40 while a
 * critical check fails and at 70 while a high one does, so one open door is never hidden by many small passes.
 * Unknown and skipped checks do not count either way.
 */
export function scoreFindings(findings: Finding[]): number {
  let passed = 0;
  let total = 0;
  let cap = 100;
  for (const f of findings) {
    if (f.status !== 'pass' && f.status !== 'fail') continue;
    const w = WEIGHT[f.severity];
    total += w;
    if (f.status === 'pass') passed += w;
    else if (f.severity === 'critical') cap = Math.min(cap, 40);
    else if (f.severity === 'high') cap = Math.min(cap, 70);
  }
  const base = total === 0 ? 100 : Math.round((100 * passed) / total);
  return Math.min(base, cap);
}

export function buildReport(facts: Facts, checks: readonly Check[]): AuditReport {
  const findings = runChecks(facts, checks);
  return {
    target: facts.target ?? null,
    files: facts.files,
    redis_version: facts.server?.version ?? null,
    score: scoreFindings(findings),
    findings,
    unobserved: Object.fromEntries(Object.entries(facts.unobserved).filter(([, v]) => Boolean(v))) as Record<
      string,
      string
    >,
  };
}

/** Count of failing findings per severity. */
export function failuresBySeverity(findings: Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) if (f.status === 'fail') out[f.severity]++;
  return out;
}
