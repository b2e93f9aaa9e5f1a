/**
 * What `redoubt doctor` reports: one finding per step of a diagnosis, in the order the steps ran. Every string is
 * built without a secret; server text in it is neutralised when rendered.
 */
export type Status = 'ok' | 'warn' | 'fail' | 'info';

export interface Finding {
  /** What was diagnosed: a Redis target's display form, or a component (`exporter http://…`). */
  subject: string;
  /** Stable name of the step: dns, tcp, tls, login, memory … (for scripts reading --format json). */
  check: string;
  status: Status;
  /** One line: what was found. */
  summary: string;
  /** What to do about it (warn and fail). */
  fix?: string;
}

/** A step's findings, and whether the steps after it would be meaningless (the chain stops there). */
export interface StepResult {
  findings: Finding[];
  stop: boolean;
}

/** A step's one finding; `stop` ends its target's chain there. */
export function only(f: Finding, stop: boolean): StepResult {
  return { findings: [f], stop };
}

export function finding(subject: string, check: string, status: Status, summary: string, fix?: string): Finding {
  return fix === undefined ? { subject, check, status, summary } : { subject, check, status, summary, fix };
}

/** Whether any finding asks for attention (exit code 1). */
export function hasProblems(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.status === 'warn' || f.status === 'fail');
}
