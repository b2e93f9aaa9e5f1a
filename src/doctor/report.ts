import { escapeJsonControls, neutralise } from '../text/terminal.ts';
import type { Finding, Status } from './finding.ts';

const LABEL: Record<Status, string> = {
  ok: 'ok    ',
  info: 'info  ',
  advice: 'advice',
  warn: 'WARN  ',
  fail: 'FAIL  ',
};

/**
 * The most of one field of a finding shown. Findings quote what servers sent (labels, rule names, versions, errors),
 * each cut where it is built; this is the backstop, so a hostile component cannot make a report of megabytes.
 */
const FIELD_CHARS = 2000;

function cut(text: string): string {
  return text.length > FIELD_CHARS ? `${text.slice(0, FIELD_CHARS)}…` : text;
}

/** A finding with every field cut to FIELD_CHARS. */
function bounded(f: Finding): Finding {
  const out: Finding = { subject: cut(f.subject), check: f.check, status: f.status, summary: cut(f.summary) };
  if (f.fix !== undefined) out.fix = cut(f.fix);
  return out;
}

export function countByStatus(findings: readonly Finding[]): Record<Status, number> {
  const counts: Record<Status, number> = { ok: 0, info: 0, advice: 0, warn: 0, fail: 0 };
  for (const f of findings) counts[f.status]++;
  return counts;
}

/** The findings grouped by subject in the order they ran, each with its fix; every string neutralised. */
export function renderText(findings: readonly Finding[]): string {
  const lines: string[] = [];
  let subject: string | undefined;
  for (const f of findings.map(bounded)) {
    if (f.subject !== subject) {
      subject = f.subject;
      if (lines.length > 0) lines.push('');
      lines.push(neutralise(subject));
    }
    lines.push(`  ${LABEL[f.status]}  ${neutralise(f.check).padEnd(16)} ${neutralise(f.summary)}`);
    if (f.fix && f.status !== 'ok') lines.push(`${' '.repeat(26)}fix: ${neutralise(f.fix)}`);
  }
  const c = countByStatus(findings);
  lines.push(
    '',
    `${c.ok} ok, ${c.warn} warning${c.warn === 1 ? '' : 's'}, ${c.fail} failure${c.fail === 1 ? '' : 's'}${c.advice ? `, ${c.advice} advice` : ''}${c.info ? `, ${c.info} note${c.info === 1 ? '' : 's'}` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** `--format json`: the findings as they are, and the counts; control characters escaped. */
export function renderJson(findings: readonly Finding[]): string {
  return `${escapeJsonControls(JSON.stringify({ findings: findings.map(bounded), counts: countByStatus(findings) }, null, 2))}\n`;
}
