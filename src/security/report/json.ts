import { escapeJsonControls } from '../../text/terminal.ts';
import type { AuditReport } from '../audit.ts';
import { coverageOf } from '../coverage.ts';

/** The JSON report (the exact text of every string; no raw control character, see escapeJsonControls): `{target, redis_version, score, findings:[{id,title,severity,status,evidence,remediation}]}`. */
export function renderJson(report: AuditReport): string {
  return `${escapeJsonControls(
    JSON.stringify(
      {
        target: report.target,
        files: report.files,
        redis_version: report.redis_version,
        score: report.score,
        ...coverageOf(report.findings),
        // null for a full audit; otherwise why the score covers only part of the server (--allow-partial).
        partial: report.partial ?? null,
        unobserved: report.unobserved,
        findings: report.findings.map((f) => ({
          id: f.id,
          title: f.title,
          severity: f.severity,
          category: f.category,
          status: f.status,
          evidence: f.evidence,
          remediation: f.remediation,
          ...(f.indicator ? { indicator_of_compromise: true } : {}),
          ...(f.location ? { location: f.location } : {}),
        })),
      },
      null,
      2,
    ),
  )}\n`;
}
