/**
 * The console's data routes (see ../contract.ts): what the pages read and the few actions an admin takes. The app
 * (src/console/app/) mounts every route of this table with its role, CSRF check and audit line. Every GET is for
 * viewers; every POST and DELETE is for admins and names its audit action.
 */
import type { Alerting } from '../../monitor/alerting/alerting-service.ts';
import type { History } from '../../monitor/history.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import type { PromqlEngine } from '../../promql/types.ts';
import type { ConsoleRoute } from '../contract.ts';
import { alertHistoryView, alertsView } from './alerts-view.ts';
import { instanceDetail } from './instance-detail.ts';
import { overview } from './overview.ts';
import { rerunAudit, securityView } from './security-view.ts';
import { createSilence, expireSilence, testNotification } from './silence-actions.ts';
import { slowlogView } from './slowlog-view.ts';

/** What the data routes read and act on: the running `redoubt up`. */
export interface ConsoleDeps {
  monitor: Monitor;
  history: History;
  alerting: Alerting;
  engine: PromqlEngine;
  scrapeIntervalMs: number;
  now(): number;
}

/** An audit line's object: at most this long (ids and instance labels; never a secret). */
const MAX_AUDIT_TARGET = 256;
const param = (name: string) => (req: { params: Readonly<Record<string, string>> }) =>
  (req.params[name] ?? '').slice(0, MAX_AUDIT_TARGET);

export function consoleDataRoutes(): ConsoleRoute<ConsoleDeps>[] {
  return [
    { method: 'GET', path: '/console/api/overview', role: 'viewer', handle: (_req, deps) => overview(deps) },
    {
      method: 'GET',
      path: '/console/api/instances/:instance',
      role: 'viewer',
      handle: (req, deps) => instanceDetail(deps, req.params.instance),
    },
    {
      method: 'GET',
      path: '/console/api/instances/:instance/slowlog',
      role: 'viewer',
      handle: (req, deps) => slowlogView(req, deps),
    },
    { method: 'GET', path: '/console/api/alerts', role: 'viewer', handle: (_req, deps) => alertsView(deps) },
    {
      method: 'GET',
      path: '/console/api/alerts/history',
      role: 'viewer',
      handle: (req, deps) => alertHistoryView(req, deps),
    },
    {
      method: 'POST',
      path: '/console/api/silences',
      role: 'admin',
      audit: 'silence.create',
      auditTarget: (req) => matchersText(req.body),
      handle: (req, deps) => createSilence(req, deps),
    },
    {
      method: 'DELETE',
      path: '/console/api/silences/:id',
      role: 'admin',
      audit: 'silence.expire',
      auditTarget: param('id'),
      handle: (req, deps) => expireSilence(req, deps),
    },
    {
      method: 'POST',
      path: '/console/api/notifiers/:name/test',
      role: 'admin',
      audit: 'notifier.test',
      auditTarget: param('name'),
      handle: (req, deps) => testNotification(req, deps),
    },
    { method: 'GET', path: '/console/api/security', role: 'viewer', handle: (_req, deps) => securityView(deps) },
    {
      method: 'POST',
      path: '/console/api/security/:instance/audit',
      role: 'admin',
      audit: 'security.audit',
      auditTarget: param('instance'),
      handle: (req, deps) => rerunAudit(req, deps),
    },
  ];
}

/** What a new silence matches, as the audit line's object: `alertname="RedisDown",instance=~"a.*"`. */
function matchersText(body: unknown): string {
  const ms = (body as { matchers?: unknown } | null)?.matchers;
  if (!Array.isArray(ms)) return '';
  const text = ms
    .slice(0, 32)
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
    .map((m) => {
      const op = `${m.isEqual === false ? '!' : '='}${m.isRegex === true ? '~' : m.isEqual === false ? '=' : ''}`;
      return `${String(m.name)}${op}${JSON.stringify(String(m.value))}`;
    })
    .join(',');
  return text.slice(0, MAX_AUDIT_TARGET);
}
