import { diagnoseAlertmanager } from './alertmanager-health.ts';
import { diagnoseExporterScrape } from './exporter-scrape.ts';
import { type Finding, finding } from './finding.ts';
import { displayUrl, httpGet, unreachableText } from './http-probe.ts';
import { diagnoseAlertmanagers, diagnoseRules, diagnoseTargets } from './prometheus-health.ts';

/** Most targets asked of a multi-target exporter through /scrape. */
const MAX_SCRAPED_TARGETS = 10;

/**
 * The exporter's /metrics: can it scrape its Redis? An exporter without a target of its own (the stack's, which
 * Prometheus drives through /scrape?target=…) is asked to scrape each target the doctor knows instead.
 */
export async function diagnoseExporter(url: URL, ms: number, targets: readonly string[] = []): Promise<Finding[]> {
  const own = diagnoseExporterScrape(`exporter ${displayUrl(url)}`, await httpGet(url, 'metrics', ms));
  if (own[0]?.status !== 'info' || targets.length === 0) return own;
  const out: Finding[] = [];
  for (const target of targets.slice(0, MAX_SCRAPED_TARGETS)) {
    const answer = await httpGet(url, `scrape?target=${encodeURIComponent(target)}`, ms);
    out.push(...diagnoseExporterScrape(`exporter ${displayUrl(url)} /scrape?target=${target}`, answer));
  }
  return out;
}

/** Prometheus: its targets, its rules, and where its alerts go. */
export async function diagnosePrometheus(url: URL, ms: number): Promise<Finding[]> {
  const subject = `prometheus ${displayUrl(url)}`;
  const targets = await httpGet(url, 'api/v1/targets?state=active', ms);
  const out = diagnoseTargets(subject, targets);
  if (!targets.ok) return out;
  out.push(...diagnoseRules(subject, await httpGet(url, 'api/v1/rules', ms)));
  out.push(...diagnoseAlertmanagers(subject, await httpGet(url, 'api/v1/alertmanagers', ms)));
  return out;
}

export async function diagnoseAlertmanagerAt(url: URL, ms: number): Promise<Finding[]> {
  const subject = `alertmanager ${displayUrl(url)}`;
  const healthy = await httpGet(url, '-/healthy', ms);
  const status = healthy.ok && healthy.status === 200 ? await httpGet(url, 'api/v2/status', ms) : undefined;
  return diagnoseAlertmanager(subject, healthy, status);
}

/** `redoubt up`: healthy, and its targets (its API answers like Prometheus's; it may want credentials). */
export async function diagnoseUp(url: URL, ms: number): Promise<Finding[]> {
  const subject = `redoubt up ${displayUrl(url)}`;
  const healthy = await httpGet(url, '-/healthy', ms);
  if (!healthy.ok)
    return [
      finding(
        subject,
        'up',
        'fail',
        `redoubt up is not reachable: ${unreachableText(healthy)}`,
        'start it (redoubt up --config redoubt.yml) and check up.listenAddress',
      ),
    ];
  if (healthy.status !== 200 || !healthy.body.startsWith('redoubt'))
    return [
      finding(
        subject,
        'up',
        'fail',
        `/-/healthy answered HTTP ${healthy.status}, not as redoubt up does`,
        "check that the address is redoubt up's (up.listenAddress, 127.0.0.1:9122 by default)",
      ),
    ];
  const out = [finding(subject, 'up', 'ok', 'redoubt up is healthy')];
  const targets = await httpGet(url, 'api/v1/targets?state=active', ms);
  if (targets.ok && targets.status === 401)
    out.push(
      finding(
        subject,
        'targets',
        'info',
        'its API needs credentials to list targets: give them in the address (http://user:password@host:port)',
      ),
    );
  else out.push(...diagnoseTargets(subject, targets));
  return out;
}
