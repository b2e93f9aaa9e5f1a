/**
 * Alerts as Prometheus posts them to Alertmanager's API (POST /api/v2/alerts, a list of postable alerts): labels,
 * annotations, startsAt, endsAt (validUntil while firing, the resolution time once resolved) and generatorURL.
 * Alertmanager then groups, silences, inhibits and notifies itself.
 */
import type { NotifiableAlert } from '../alert.ts';
import { goTimeJson } from './go-time.ts';

export interface PostableAlert {
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export function postableAlerts(alerts: readonly NotifiableAlert[]): PostableAlert[] {
  return alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: goTimeJson(a.startsAt),
    endsAt: goTimeJson(a.endsAt),
    generatorURL: a.generatorURL,
  }));
}
