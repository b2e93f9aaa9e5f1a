import { styleText } from 'node:util';
import { neutralise } from '../../text/terminal.ts';
import { wrap } from '../../text/wrap.ts';
import type { AuditReport, Finding } from '../audit.ts';
import { failuresBySeverity } from '../audit.ts';

const WIDTH = 80;

/** `text` wrapped to WIDTH, continuation lines indented by two spaces. */
const hanging = (text: string): string[] => wrap(text, WIDTH - 2, '').map((l, i) => (i === 0 ? l : `  ${l}`));

type Style = Parameters<typeof styleText>[0];

/**
 * What could not be observed, each reason once: why the audit could not log in first, then the parts that share a
 * reason on one line (`not observed (info, config, users): …`).
 */
export function unobservedNotes(unobserved: AuditReport['unobserved']): string[] {
  const { login, ...parts } = unobserved;
  const byReason = new Map<string, string[]>();
  for (const [part, why] of Object.entries(parts)) byReason.set(why, [...(byReason.get(why) ?? []), part]);
  // The reasons quote servers and files (error replies, paths): escape their control characters.
  return [
    ...(login ? [`not logged in: ${login}`] : []),
    ...[...byReason].map(([why, names]) => `not observed (${names.join(', ')}): ${why}`),
  ].map(neutralise);
}

/**
 * A report readable in an 80-column terminal; coloured only when `color` (a TTY without NO_COLOR). Every string
 * that came from the server or a file (target, version, titles, evidence, paths, remediation naming users) is
 * neutralised before it is styled, so a user named `\x1b[2J` cannot clear the screen.
 */
export function renderTable(report: AuditReport, options: { color: boolean; showPassed?: boolean }): string {
  const paint = (style: Style, s: string) => (options.color ? styleText(style, s) : s);
  const statusStyle: Record<Finding['status'], Style> = { fail: 'red', unknown: 'yellow', pass: 'green', skip: 'gray' };
  const sevStyle: Record<Finding['severity'], Style> = {
    critical: ['bold', 'red'] as unknown as Style,
    high: 'red',
    medium: 'yellow',
    low: 'cyan',
    info: 'gray',
  };
  const out: string[] = [];
  // A file audit's target is its redis.conf, which is also the first of its files: name each once.
  const what = neutralise([...new Set([report.target, ...report.files].filter(Boolean))].join(', '));
  out.push(...hanging(`redoubt audit — ${what}`).map((l) => paint('bold', l)));
  const judged = report.findings.filter((f) => f.status === 'pass' || f.status === 'fail').length;
  const applicable = report.findings.filter((f) => f.status !== 'skip').length;
  // The score covers only what could be judged: say how much that was, so a blind audit does not look clean.
  out.push(
    `Redis ${neutralise(report.redis_version ?? 'version unknown')}   score ${report.score}/100 (${judged} of ${applicable} checks could be judged)`,
  );
  if (report.partial) out.push(...hanging(`PARTIAL SCORE: ${report.partial}`).map((l) => paint('yellow', l)));
  const counts = failuresBySeverity(report.findings);
  out.push(
    `failing: ${(['critical', 'high', 'medium', 'low', 'info'] as const).map((s) => `${counts[s]} ${s}`).join(', ')}`,
  );
  for (const note of unobservedNotes(report.unobserved)) out.push(...hanging(note).map((l) => paint('yellow', l)));
  out.push('');
  let lastIndicator = false;
  for (const f of report.findings) {
    if (!options.showPassed && (f.status === 'pass' || f.status === 'skip')) continue;
    const indicator = f.indicator && f.status === 'fail';
    if (indicator && !lastIndicator) out.push(paint(['bold', 'red'] as unknown as Style, 'INDICATORS OF COMPROMISE'));
    if (!indicator && lastIndicator) out.push('');
    lastIndicator = indicator;
    const head = `${f.status.toUpperCase().padEnd(7)} ${f.id} ${f.severity.padEnd(8)} `;
    const titleWidth = WIDTH - head.length;
    const fullTitle = neutralise(f.title);
    const title = fullTitle.length > titleWidth ? `${fullTitle.slice(0, titleWidth - 1)}…` : fullTitle;
    out.push(
      `${paint(statusStyle[f.status], f.status.toUpperCase().padEnd(7))} ${f.id} ${paint(sevStyle[f.severity], f.severity.padEnd(8))} ${title}`,
    );
    const where = f.location ? ` (${f.location.file}:${f.location.line})` : '';
    out.push(...wrap(neutralise(`${f.evidence}${where}`), WIDTH - 8, '        '));
    if (f.status === 'fail')
      out.push(...wrap(neutralise(`fix: ${f.remediation}`), WIDTH - 8, '        ').map((l) => paint('dim', l)));
  }
  const hidden = report.findings.filter((f) => f.status === 'pass' || f.status === 'skip').length;
  if (!options.showPassed && hidden > 0)
    out.push('', `${hidden} checks passed or did not apply (--show-passed lists them).`);
  return `${out.join('\n')}\n`;
}
