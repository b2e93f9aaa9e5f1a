import { type MetricFamily, type MetricType, metricName, NO_LABELS } from '../metrics/family.ts';
import { VERSION } from '../version.ts';
import type { ScrapeOutcome } from './scraper.ts';

export interface SelfCounters {
  scrapesTotal: number;
  durationSum: number;
  durationCount: number;
  targetRequestErrors: number;
}

const SUFFIXES = [
  'up',
  'exporter_last_scrape_error',
  'exporter_last_scrape_duration_seconds',
  'exporter_last_scrape_connect_time_seconds',
  'exporter_last_scrape_ping_time_seconds',
  'last_key_groups_scrape_duration_milliseconds',
  'exporter_scrapes_total',
  'exporter_scrape_duration_seconds',
  'target_scrape_request_errors_total',
  'exporter_build_info',
] as const;
type Names = Record<(typeof SUFFIXES)[number], string>;

/** namespace → full names (as FamilyBuilder names them). */
const namesByNamespace = new Map<string, Names>();

function selfNames(namespace: string): Names {
  let names = namesByNamespace.get(namespace);
  if (names === undefined) {
    names = {} as Names;
    for (const s of SUFFIXES) names[s] = metricName(namespace, s);
    if (namesByNamespace.size < 64) namesByNamespace.set(namespace, names);
  }
  return names;
}

const BUILD_INFO_LABELS: Record<string, string> = Object.freeze({
  version: VERSION,
  commit_sha: 'redoubt',
  build_date: '',
  golang_version: `node${process.versions.node}`,
});

/** The `err` label set of the last error (the same on every scrape of a healthy or a steadily failing target). */
let errLabels: Record<string, string> = Object.freeze({ err: '' });

function errorLabels(err: string): Record<string, string> {
  if (errLabels.err !== err) errLabels = Object.freeze({ err });
  return errLabels;
}

function family(name: string, type: MetricType, help: string, value: number, labels = NO_LABELS): MetricFamily {
  return { name, type, help, samples: [{ labels, value, suffix: '' }] };
}

/**
 * redis_exporter's self metrics, with its names, around one scrape outcome. Built directly rather than through a
 * FamilyBuilder: a dozen families whose names, labels and helps are known, on every scrape.
 */
export function scrapeSelfFamilies(
  namespace: string,
  outcome: ScrapeOutcome,
  counters: SelfCounters,
  opts: { buildInfo: boolean; scrapeEndpoint: boolean; target?: boolean },
): MetricFamily[] {
  const n = selfNames(namespace);
  const out: MetricFamily[] = [];
  // Without a target (an empty --redis.addr), redis_exporter emits no up, last scrape error or duration: a
  // redis_up 0 would read as a Redis that is down.
  if (opts.target !== false) {
    out.push(family(n.up, 'gauge', 'Information about the Redis instance', outcome.up ? 1 : 0));
    out.push(
      family(
        n.exporter_last_scrape_error,
        'gauge',
        'The last scrape error status.',
        outcome.error ? 1 : 0,
        errorLabels(outcome.error),
      ),
    );
    out.push(
      family(
        n.exporter_last_scrape_duration_seconds,
        'gauge',
        'exporter_last_scrape_duration_seconds metric',
        outcome.durationSeconds,
      ),
    );
  }
  if (outcome.up)
    out.push(
      family(
        n.exporter_last_scrape_connect_time_seconds,
        'gauge',
        'exporter_last_scrape_connect_time_seconds metric',
        outcome.connectSeconds,
      ),
    );
  if (outcome.pingSeconds !== undefined)
    out.push(
      family(
        n.exporter_last_scrape_ping_time_seconds,
        'gauge',
        'exporter_last_scrape_ping_time_seconds metric',
        outcome.pingSeconds,
      ),
    );
  // Emitted by redis_exporter even with key groups off; kept so dashboards and the compatibility diff match.
  if (outcome.up)
    out.push(
      family(
        n.last_key_groups_scrape_duration_milliseconds,
        'gauge',
        'Duration of the last key group metrics scrape in milliseconds',
        0,
      ),
    );
  out.push(family(n.exporter_scrapes_total, 'counter', 'Current total redis scrapes.', counters.scrapesTotal));
  out.push({
    name: n.exporter_scrape_duration_seconds,
    type: 'summary',
    help: 'Durations of scrapes by the exporter',
    samples: [
      { labels: NO_LABELS, value: counters.durationSum, suffix: '_sum' },
      { labels: NO_LABELS, value: counters.durationCount, suffix: '_count' },
    ],
  });
  if (opts.scrapeEndpoint)
    out.push(
      family(
        n.target_scrape_request_errors_total,
        'counter',
        'Errors in requests to the exporter',
        counters.targetRequestErrors,
      ),
    );
  if (opts.buildInfo)
    out.push(family(n.exporter_build_info, 'gauge', 'redis exporter build_info', 1, BUILD_INFO_LABELS));
  return out;
}
