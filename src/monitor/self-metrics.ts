import type { MetricFamily, MetricType } from '../metrics/family.ts';
import { processFamilies } from '../metrics/process.ts';
import type { ApiCounters } from './api/server.ts';
import type { Monitor } from './monitor.ts';
import type { StoreStats } from './store/store.ts';

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

/** The history store's size and health as redoubt_store_* metrics. */
export function storeFamilies(stats: StoreStats | undefined): MetricFamily[] {
  if (!stats) return [];
  return [
    family('redoubt_store_series', 'gauge', 'Series in the history store', [[{}, stats.series]]),
    family('redoubt_store_samples', 'gauge', 'Raw samples held (head and raw blocks)', [[{}, stats.samples]]),
    family('redoubt_store_bytes', 'gauge', 'Bytes of the history on disk', [[{}, stats.bytesOnDisk]]),
    family(
      'redoubt_store_blocks',
      'gauge',
      'Blocks on disk by resolution',
      Object.entries(stats.blocks).map(([kind, n]): [Record<string, string>, number] => [{ kind }, n]),
    ),
    family('redoubt_store_head_segments', 'gauge', 'Head segments on disk', [[{}, stats.headSegments]]),
    family(
      'redoubt_store_dropped_samples_total',
      'counter',
      'Samples the store refused, by reason',
      Object.entries(stats.dropped).map(([reason, n]): [Record<string, string>, number] => [{ reason }, n]),
    ),
    family('redoubt_store_corrupt_files_total', 'counter', 'Damaged files set aside since the start', [
      [{}, stats.corruptFiles],
    ]),
  ];
}
