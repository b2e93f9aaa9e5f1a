import { FamilyBuilder, type MetricFamily } from '../metrics/family.ts';
import type { ScrapeOutcome } from './scraper.ts';

export const VERSION = '0.1.0';

export interface SelfCounters {
  scrapesTotal: number;
  durationSum: number;
  durationCount: number;
  targetRequestErrors: number;
}

/** redis_exporter's self metrics, with its names, around one scrape outcome. */
export function scrapeSelfFamilies(
  namespace: string,
  outcome: ScrapeOutcome,
  counters: SelfCounters,
  opts: { buildInfo: boolean; scrapeEndpoint: boolean; target?: boolean },
): MetricFamily[] {
  const b = new FamilyBuilder(namespace);
  // Without a target (an empty --redis.addr), redis_exporter emits no up, last scrape error or duration: a
  // redis_up 0 would read as a Redis that is down.
  if (opts.target !== false) {
    b.gauge('up', outcome.up ? 1 : 0, {}, 'Information about the Redis instance');
    b.gauge(
      'exporter_last_scrape_error',
      outcome.error ? 1 : 0,
      { err: outcome.error },
      'The last scrape error status.',
    );
    b.gauge(
      'exporter_last_scrape_duration_seconds',
      outcome.durationSeconds,
      {},
      'exporter_last_scrape_duration_seconds metric',
    );
  }
  if (outcome.up)
    b.gauge(
      'exporter_last_scrape_connect_time_seconds',
      outcome.connectSeconds,
      {},
      'exporter_last_scrape_connect_time_seconds metric',
    );
  if (outcome.pingSeconds !== undefined)
    b.gauge(
      'exporter_last_scrape_ping_time_seconds',
      outcome.pingSeconds,
      {},
      'exporter_last_scrape_ping_time_seconds metric',
    );
  // Emitted by redis_exporter even with key groups off; kept so dashboards and the compatibility diff match.
  if (outcome.up)
    b.gauge(
      'last_key_groups_scrape_duration_milliseconds',
      0,
      {},
      'Duration of the last key group metrics scrape in milliseconds',
    );
  b.counter('exporter_scrapes_total', counters.scrapesTotal, {}, 'Current total redis scrapes.');
  b.add(
    'exporter_scrape_duration_seconds',
    'summary',
    counters.durationSum,
    {},
    'Durations of scrapes by the exporter',
    '_sum',
  );
  b.add('exporter_scrape_duration_seconds', 'summary', counters.durationCount, {}, undefined, '_count');
  if (opts.scrapeEndpoint)
    b.counter(
      'target_scrape_request_errors_total',
      counters.targetRequestErrors,
      {},
      'Errors in requests to the exporter',
    );
  if (opts.buildInfo)
    b.gauge(
      'exporter_build_info',
      1,
      { version: VERSION, commit_sha: 'redoubt', build_date: '', golang_version: `node${process.versions.node}` },
      'redis exporter build_info',
    );
  return b.families();
}
