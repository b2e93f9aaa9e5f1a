import type { AuditReport, Finding } from './audit.ts';
import { scoreFindings, sortFindings } from './audit.ts';

const PRIORITY: Record<Finding['status'], number> = { fail: 0, unknown: 1, pass: 2, skip: 3 };

/**
 * One report from a live audit and a file audit of the same deployment: per check, the worse status wins
 * (fail > unknown > pass > skip); evidence says which side saw what, and file locations are kept for SARIF.
 */
export function mergeReports(live: AuditReport, file: AuditReport): AuditReport {
  const byId = new Map(file.findings.map((f) => [f.id, f]));
  const findings = live.findings.map((l): Finding => {
    const f = byId.get(l.id);
    if (!f) return l;
    const worse = PRIORITY[f.status] < PRIORITY[l.status] ? f : l;
    const evidence =
      l.status === f.status && l.evidence === f.evidence
        ? l.evidence
        : `live: ${l.status} — ${l.evidence}; file: ${f.status} — ${f.evidence}`;
    return { ...worse, evidence, location: f.location ?? l.location };
  });
  const sorted = sortFindings(findings);
  return {
    target: live.target,
    files: file.files,
    redis_version: live.redis_version ?? file.redis_version,
    score: scoreFindings(sorted),
    findings: sorted,
    unobserved: Object.fromEntries(Object.entries(live.unobserved).filter(([k]) => k in file.unobserved)) as Record<
      string,
      string
    >,
  };
}
