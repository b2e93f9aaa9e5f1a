/**
 * The latest security audit of a target as metric families, added to its scrape by the exporter (/metrics, /scrape)
 * and by `redoubt up`'s watched targets alike.
 */
import type { FamilyBuilder } from '../metrics/family.ts';
import type { AuditReport } from '../security/audit.ts';
import { failuresBySeverity, SEVERITIES } from '../security/audit.ts';

const STATUS_VALUE = { fail: 1, pass: 0, unknown: -1 } as const;

/** The latest audit as metrics. Labels carry check ids, severities and categories only: never a secret. */
export function addPostureFamilies(b: FamilyBuilder, report: AuditReport): void {
  for (const f of report.findings) {
    if (f.status === 'skip') continue;
    b.gauge(
      'security_check_status',
      STATUS_VALUE[f.status],
      { check: f.id, severity: f.severity, category: f.category },
      'Security check result: 1 fail, 0 pass, -1 unknown (could not be observed)',
    );
  }
  const counts = failuresBySeverity(report.findings);
  for (const s of SEVERITIES)
    b.gauge('security_findings', counts[s], { severity: s }, 'Failing security checks by severity');
  b.gauge('security_score', report.score, {}, 'Security score 0-100 (severity-weighted share of passing checks)');
}
