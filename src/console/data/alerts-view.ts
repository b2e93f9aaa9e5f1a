/**
 * The alerts page's data: firing and pending alerts from the rule manager (with the silences that mute each), the
 * silences, the receivers (names and types, never their URLs), and the history of state changes.
 */
import type { Alert } from '../../monitor/alerting/alert.ts';
import type { Silence } from '../../monitor/alerting/notify/silences.ts';
import { silenceState } from '../../monitor/alerting/notify/silences.ts';
import type { AlertHistoryResponse, AlertsResponse, AlertView, ConsoleRequest, SilenceView } from '../contract.ts';
import { clip } from './info-view.ts';
import { wholeParam } from './query-params.ts';
import type { ConsoleDeps } from './routes.ts';

/** Most alerts and silences one answer lists (a rule gone wild must not build a huge page). */
export const MAX_LISTED_ALERTS = 2000;
export const MAX_LISTED_SILENCES = 1000;
export const DEFAULT_HISTORY_LIMIT = 200;
export const MAX_HISTORY_LIMIT = 2000;
const MAX_ANNOTATION = 4096;

function clipValues(m: Readonly<Record<string, string>>, max: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = clip(v, max);
  return out;
}

function alertView(a: Alert, ruleName: string, silencedBy: string[]): AlertView {
  return {
    name: a.labels.alertname ?? ruleName,
    state: a.state === 'firing' ? 'firing' : 'pending',
    labels: clipValues(a.labels, MAX_ANNOTATION),
    annotations: clipValues(a.annotations, MAX_ANNOTATION),
    activeAt: a.activeAt,
    value: a.value,
    silencedBy,
  };
}

const STATE_ORDER = { active: 0, pending: 1, expired: 2 } as const;

export function silenceView(s: Silence, now: number): SilenceView {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({
      name: m.name,
      value: m.value,
      isRegex: m.type === '=~' || m.type === '!~',
      isEqual: m.type === '=' || m.type === '=~',
    })),
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    createdBy: s.createdBy,
    comment: s.comment,
    state: silenceState(s, now),
  };
}

export function alertsView(deps: ConsoleDeps): AlertsResponse {
  const now = deps.now();
  const notifier = deps.alerting.notifier;
  const alerts = deps.alerting.manager
    .alerts()
    .sort((x, y) =>
      x.alert.state !== y.alert.state ? (x.alert.state === 'firing' ? -1 : 1) : x.alert.activeAt - y.alert.activeAt,
    )
    .slice(0, MAX_LISTED_ALERTS)
    .map(({ rule, alert }) => alertView(alert, rule.name, notifier?.silences.silencing(alert.labels, now) ?? []));
  const silences = (notifier?.silences.list() ?? [])
    .map((s) => silenceView(s, now))
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.startsAt - a.startsAt)
    .slice(0, MAX_LISTED_SILENCES);
  return { alerts, silences, notifiers: notifier?.receiverList() ?? [] };
}

export function alertHistoryView(req: ConsoleRequest, deps: ConsoleDeps): AlertHistoryResponse {
  const limit = wholeParam(req.query, 'limit', DEFAULT_HISTORY_LIMIT, 1, MAX_HISTORY_LIMIT);
  return {
    events: deps.alerting.history.recent(limit).map((e) => ({
      at: e.at,
      name: e.name,
      labels: clipValues(e.labels, MAX_ANNOTATION),
      from: e.from,
      to: e.to,
      value: e.value,
    })),
  };
}
