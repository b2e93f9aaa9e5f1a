import type { MetricFamily, MetricType } from '../metrics/family.ts';
import { processFamilies } from '../metrics/process.ts';
import type { ApiCounters } from './api/server.ts';
import type { Monitor } from './monitor.ts';

function family(
  name: string,
  type: MetricType,
  help: string,
  samples: Array<[Record<string, string>, number]>,
): MetricFamily {
  return { name, type, help, samples: samples.map(([labels, value]) => ({ labels, value, suffix: '' })) };
}

/** redoubt's own metrics for its /metrics: scraping, the API, the process (and the store's, passed in). */
export function upSelfFamilies(
  version: string,
  monitor: Monitor,
  api: ApiCounters,
  extra: () => MetricFamily[] = () => [],
): MetricFamily[] {
  const c = monitor.counters;
  const perTarget = (pick: (s: { skipped: number; overran: number }) => number) =>
    monitor.targets.map((t): [Record<string, string>, number] => {
      const s = monitor.scrapes.stats(t.health.labels.instance);
      return [{ instance: t.health.labels.instance }, s ? pick(s) : 0];
    });
  const handlers = [...api.requests.keys()].sort();
  return [
    family('redoubt_build_info', 'gauge', 'redoubt version', [[{ version }, 1]]),
    family('redoubt_targets', 'gauge', 'Redis servers watched', [[{}, monitor.targets.length]]),
    family('redoubt_scrapes_total', 'counter', 'Scrapes of all targets', [[{}, c.scrapes]]),
    family('redoubt_scrape_failures_total', 'counter', 'Scrapes that found a target down', [[{}, c.failedScrapes]]),
    family('redoubt_samples_appended_total', 'counter', 'Samples scraped into the store', [[{}, c.samplesAppended]]),
    family(
      'redoubt_scrape_ticks_skipped_total',
      'counter',
      'Ticks a target was not scraped because its previous scrape had not finished',
      perTarget((s) => s.skipped),
    ),
    family(
      'redoubt_scrape_overruns_total',
      'counter',
      'Scrapes that finished after their deadline',
      perTarget((s) => s.overran),
    ),
    family('redoubt_scheduler_missed_ticks_total', 'counter', 'Ticks missed because the process was busy', [
      [{}, monitor.scrapes.missedTicks],
    ]),
    family(
      'redoubt_api_requests_total',
      'counter',
      'API requests by handler',
      handlers.map((h) => [{ handler: h }, api.requests.get(h) ?? 0]),
    ),
    family(
      'redoubt_api_request_duration_seconds_total',
      'counter',
      'Time spent answering API requests, by handler',
      handlers.map((h) => [{ handler: h }, api.durationSeconds.get(h) ?? 0]),
    ),
    family('redoubt_api_unauthorized_requests_total', 'counter', 'API requests refused for their credentials', [
      [{}, api.unauthorized],
    ]),
    ...extra(),
    ...processFamilies(),
  ];
}
