import type { AuditReport, Finding } from './audit.ts';
import { scoreFindings, severityAtLeast, sortFindings } from './audit.ts';

const judged = (f: Finding): boolean => f.status === 'pass' || f.status === 'fail';

/** Of two failures, the more severe (a CVE or RS038 result may carry its own severity); the live one on a tie. */
const worseFailure = (live: Finding, file: Finding): Finding =>
  severityAtLeast(live.severity, file.severity) ? live : file;

/**
 * Per check, what the two audits together show:
 * - a side that could not judge the check (unknown) or found it does not apply (skip) is ignored when the other
 *   side judged it (pass or fail): a file cannot show the version or the ACL LOG, a live audit under a small ACL
 *   cannot read every setting, and neither should undo what the other saw;
 * - when both judged it, fail beats pass (the file fails what the server would run after a restart, or the server
 *   fails what was changed at runtime);
 * - when neither judged it, unknown beats skip.
 */
function pick(live: Finding, file: Finding): Finding {
  if (judged(live) && judged(file)) {
    if (live.status === 'fail' && file.status === 'fail') return worseFailure(live, file);
    return live.status === 'fail' ? live : file.status === 'fail' ? file : live;
  }
  if (judged(live)) return live;
  if (judged(file)) return file;
  if (live.status === 'unknown' || file.status !== 'unknown') return live;
  return file;
}

/**
 * One report from a live audit and a file audit of the same deployment (see `pick` for which status wins). The
 * evidence keeps both sides when they differ, so the reader sees what each saw; file locations are kept for SARIF
 * and the table.
 */
export function mergeReports(live: AuditReport, file: AuditReport): AuditReport {
  const byId = new Map(file.findings.map((f) => [f.id, f]));
  const findings = live.findings.map((l): Finding => {
    const f = byId.get(l.id);
    if (!f) return l;
    const chosen = pick(l, f);
    const evidence =
      l.status === f.status && l.evidence === f.evidence
        ? l.evidence
        : `live: ${l.status} — ${l.evidence}; file: ${f.status} — ${f.evidence}`;
    // The file's line is where to fix it, whichever side decided the status.
    return { ...chosen, evidence, location: f.location ?? l.location };
  });
  const sorted = sortFindings(findings);
  return {
    target: live.target,
    files: file.files,
    redis_version: live.redis_version ?? file.redis_version,
    score: scoreFindings(sorted),
    findings: sorted,
    ...(live.partial ? { partial: live.partial } : {}),
    // Only what neither side could observe, and why the live side could not log in (its findings point at it).
    unobserved: Object.fromEntries(
      Object.entries(live.unobserved).filter(([k]) => k in file.unobserved || k === 'login'),
    ) as Record<string, string>,
  };
}
