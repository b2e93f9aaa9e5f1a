import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';
import { type HttpAnswer, unreachableText } from './http-probe.ts';

/** /-/healthy, then /api/v2/status: version, cluster, and a receiver still pointing at the placeholder. */
export function diagnoseAlertmanager(subject: string, healthy: HttpAnswer, status: HttpAnswer | undefined): Finding[] {
  if (!healthy.ok)
    return [
      finding(
        subject,
        'alertmanager',
        'fail',
        `Alertmanager is not reachable: ${unreachableText(healthy)}`,
        'start it (the alertmanager service of the stack) and check the address (9093 by default); until it runs, alerts are not delivered',
      ),
    ];
  if (healthy.status !== 200)
    return [
      finding(
        subject,
        'alertmanager',
        'fail',
        `/-/healthy answered HTTP ${healthy.status}`,
        healthy.status === 401
          ? 'give credentials in the address: http://user:password@host:port'
          : "check that the address is Alertmanager's",
      ),
    ];
  let parsed:
    | { versionInfo?: { version?: string }; cluster?: { status?: string }; config?: { original?: string } }
    | undefined;
  if (status?.ok && status.status === 200)
    try {
      parsed = JSON.parse(status.body);
    } catch {
      parsed = undefined;
    }
  if (!parsed)
    return [
      finding(
        subject,
        'alertmanager',
        'warn',
        'Alertmanager is healthy, but /api/v2/status did not answer with its status',
        "check that the address is Alertmanager's (API v2, Alertmanager 0.16 or later)",
      ),
    ];
  const version = neutralise(String(parsed.versionInfo?.version ?? '?'));
  const cluster = neutralise(String(parsed.cluster?.status ?? '?'));
  const out = [finding(subject, 'alertmanager', 'ok', `Alertmanager ${version} is healthy (cluster ${cluster})`)];
  if (/\.invalid[/:"'\s]/.test(String(parsed.config?.original ?? '')))
    out.push(
      finding(
        subject,
        'alert-delivery',
        'warn',
        'a receiver still points at a .invalid placeholder address: notifications go nowhere',
        'set alertmanager.webhookUrl in redoubt.yml and run redoubt stack --force, or edit alertmanager.yml',
      ),
    );
  return out;
}
