import { diagnoseAlertmanager } from './alertmanager-health.ts';
import { diagnoseExporterScrape, notAnExporter } from './exporter-scrape.ts';
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
  const subject = `exporter ${displayUrl(url)}`;
  const metrics = await httpGet(url, 'metrics', ms);
  const own = diagnoseExporterScrape(subject, metrics);
  // An answer that is not an exporter's (no redis_up, a refusal): is it redoubt up, given in the wrong place?
  if (metrics.ok && own[0]?.status !== 'ok' && (await isRedoubtUp(url, ms))) return [notAnExporter(subject)];
  if (own[0]?.status !== 'info' || targets.length === 0) return own;
  const out: Finding[] = [];
  for (const target of targets.slice(0, MAX_SCRAPED_TARGETS)) {
    const path = `/scrape?target=${encodeURIComponent(target)}`;
    const answer = await httpGet(url, path.slice(1), ms);
    out.push(...diagnoseExporterScrape(`${subject} /scrape?target=${target}`, answer, path));
  }
  return out;
}

/** redoubt up answers /-/healthy with "redoubt is Healthy." (an exporter has /health, and 404 there). */
async function isRedoubtUp(url: URL, ms: number): Promise<boolean> {
  const healthy = await httpGet(url, '-/healthy', ms);
  return healthy.ok && healthy.status === 200 && healthy.body.startsWith('redoubt');
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
