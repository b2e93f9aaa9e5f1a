/**
 * Alertmanager's webhook body, version 4 (notify/webhook/webhook.go), for a group notification: what every
 * receiver written for Alertmanager understands. A firing alert's endsAt is Go's zero time, as Alertmanager hides
 * an end that has not come yet.
 */
import type { Labels } from '../../../promql/types.ts';
import type { GroupNotification } from './dispatcher.ts';
import { GO_ZERO_TIME, goTimeJson } from './go-time.ts';

export interface WebhookAlertJson {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Readonly<Record<string, string>>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlertJson[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Readonly<Record<string, string>>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

/** The pairs every map has with the same value. */
function common(maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}

/** At most `maxAlerts` alerts (Alertmanager's max_alerts); the rest are counted in truncatedAlerts. */
export function webhookPayload(n: GroupNotification, externalURL: string, maxAlerts = 0): WebhookPayload {
  const kept = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    receiver: n.receiver,
    status: n.status,
    alerts: kept.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: goTimeJson(a.startsAt),
      endsAt: a.status === 'resolved' ? goTimeJson(a.endsAt) : GO_ZERO_TIME,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: n.groupLabels,
    commonLabels: common(n.alerts.map((a) => a.labels)),
    commonAnnotations: common(n.alerts.map((a) => a.annotations)),
    externalURL,
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - kept.length,
  };
}
