/**
 * After a restart, pending `for` timers resume from the ALERTS_FOR_STATE series the rules wrote before (Prometheus's
 * Group.RestoreForState): an alert active again on the first evaluation gets back its old activeAt, moved forward
 * by the time the process was down, and never fires sooner than the grace period after the start. Rules whose `for`
 * is shorter than the grace period are not restored (they wait their `for` again), as in Prometheus.
 */
import { isStaleNaN, type Queryable } from '../../promql/types.ts';
import type { AlertingRule } from './alerting-rule.ts';

export interface RestoreOptions {
  /** --rules.alert.for-outage-tolerance: state older than this is not restored (default 1h). */
  outageToleranceMs?: number;
  /** --rules.alert.for-grace-period: minimum wait after a restart before a restored alert fires (default 10m). */
  forGracePeriodMs?: number;
}

export const DEFAULT_OUTAGE_TOLERANCE_MS = 3600e3;
export const DEFAULT_FOR_GRACE_PERIOD_MS = 600e3;

/** The last sample at or before `end` of the series with exactly `labels`, or undefined. */
function lastSample(q: Queryable, labels: Record<string, string>, start: number, end: number) {
  const matchers = Object.entries(labels).map(([name, value]) => ({ name, type: '=' as const, value }));
  for (const s of q.select(matchers, { start, end })) {
    if (Object.keys(s.labels).length !== matchers.length) continue;
    for (let i = s.t.length - 1; i >= 0; i--) if (s.t[i] <= end) return { t: s.t[i], v: s.v[i] };
  }
  return undefined;
}

/** Restores the `for` state of `rules` at `ts` (ms) from `q`; marks every rule restored. */
export function restoreForState(
  rules: readonly AlertingRule[],
  q: Queryable,
  ts: number,
  opts: RestoreOptions = {},
): void {
  const tolerance = opts.outageToleranceMs ?? DEFAULT_OUTAGE_TOLERANCE_MS;
  const grace = opts.forGracePeriodMs ?? DEFAULT_FOR_GRACE_PERIOD_MS;
  for (const rule of rules) {
    const hold = rule.spec.forMs;
    if (hold >= grace)
      for (const a of rule.active.values()) {
        // The sample of the last evaluation before the restart: this one has not written yet (not restored).
        const last = lastSample(q, { ...rule.forStateLabels(a) }, ts - tolerance, ts);
        if (!last || isStaleNaN(last.v) || Number.isNaN(last.v)) continue;
        const downAt = Math.floor(last.t / 1000) * 1000;
        let activeAt = Math.trunc(last.v) * 1000;
        const remaining = hold - (downAt - activeAt);
        if (remaining <= 0) {
          // It was firing: the next evaluation fires it again if the condition still holds.
        } else if (remaining < grace) activeAt = ts + grace - hold;
        else activeAt += ts - downAt;
        a.activeAt = activeAt;
      }
    rule.restored = true;
  }
}
