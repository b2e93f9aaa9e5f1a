/**
 * What `redoubt doctor` reports: one finding per step of a diagnosis, in the order the steps ran. Every string is
 * built without a secret; server text in it is neutralised when rendered.
 */
export type Status = 'ok' | 'info' | 'advice' | 'warn' | 'fail';

/**
 * What each status means, and what it does to the exit code (README's Troubleshooting says the same):
 * - ok: the step found nothing wrong;
 * - info: a fact worth knowing (an exporter that only scrapes through /scrape), nothing to do;
 * - advice: a setting worth changing, though nothing is wrong yet (no maxmemory, vm.overcommit_memory 0: what a
 *   stock redis-server has). Shown with its fix; does not change the exit code;
 * - warn: something is going wrong or will under load (evicting keys, a swapped-out server, a failing rule);
 * - fail: a step of the path is broken (nothing listens, a wrong password, an exporter that cannot scrape).
 * Exit 1 means at least one warn or fail: what needs attention. Advice alone exits 0.
 */
export const STATUS_MEANING: Record<Status, string> = {
  ok: 'nothing wrong',
  info: 'a fact, nothing to do',
  advice: 'a setting worth changing; exit code unchanged',
  warn: 'going wrong, or will under load',
  fail: 'a step is broken',
};

/** The name of every step, as printed and in --format json (README's tables list the same). */
export const CHECKS = [
  'url-encoding',
  'dns',
  'tcp',
  'protocol',
  'tls',
  'tls-ca',
  'tls-name',
  'tls-client-cert',
  'login',
  'env-password',
  'permissions',
  'managed-limits',
  'memory-limit',
  'memory-policy',
  'fragmentation',
  'big-keys',
  'fork-headroom',
  'overcommit',
  'server',
  'exporter',
  'targets',
  'rules',
  'alert-delivery',
  'alertmanager',
  'up',
  'env-address',
] as const;

export type Check = (typeof CHECKS)[number];

export interface Finding {
  /** What was diagnosed: a Redis target's display form, or a component (`exporter http://…`). */
  subject: string;
  /** Stable name of the step: dns, tcp, tls, login, memory-limit … (for scripts reading --format json). */
  check: Check;
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

export function finding(subject: string, check: Check, status: Status, summary: string, fix?: string): Finding {
  return fix === undefined ? { subject, check, status, summary } : { subject, check, status, summary, fix };
}

/** Whether any finding asks for attention (exit code 1): a warn or a fail; advice and info do not. */
export function hasProblems(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.status === 'warn' || f.status === 'fail');
}
