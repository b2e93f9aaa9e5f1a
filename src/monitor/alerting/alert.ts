/**
 * One alert of an alerting rule, as Prometheus keeps it (rules/alerting.go `Alert`): its identity is its label set
 * (the series' labels without __name__, plus the rule's labels and alertname). Times are ms since the epoch.
 */
import type { Labels } from '../../promql/types.ts';

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface Alert {
  labels: Labels;
  annotations: Readonly<Record<string, string>>;
  state: AlertState;
  /** The value of the series that made the alert active, at the last evaluation that returned it. */
  value: number;
  /** When the condition first held (pending from then). */
  activeAt: number;
  /** When it went firing; 0 while pending. */
  firedAt: number;
  /** When it went inactive; 0 while active. */
  resolvedAt: number;
  /** Last evaluation that handed it to the notifiers; 0 before. */
  lastSentAt: number;
  /** Until when a notifier may consider it firing without hearing again (endsAt of a firing alert). */
  validUntil: number;
  /** keep_firing_for: since when the condition is gone while the alert is kept firing; 0 otherwise. */
  keepFiringSince: number;
}

/** What a rule hands to the notifiers (Prometheus's notifier.Alert). */
export interface NotifiableAlert {
  labels: Labels;
  annotations: Readonly<Record<string, string>>;
  /** ms; the firing time. */
  startsAt: number;
  /** ms; resolvedAt once resolved, validUntil while firing. */
  endsAt: number;
  generatorURL: string;
}

/** Prometheus sends an alert on the first evaluation it fires, on resolution, and then every resendDelay. */
export function needsSending(a: Alert, ts: number, resendDelayMs: number): boolean {
  if (a.state === 'pending') return false;
  if (a.resolvedAt > a.lastSentAt) return true;
  return a.lastSentAt + resendDelayMs < ts;
}
