import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderText } from '../../src/metrics/exposition.ts';
import type { ScrapeOutcome } from '../../src/scrape/scraper.ts';
import { type SelfCounters, scrapeSelfFamilies } from '../../src/scrape/self-metrics.ts';

const NODE = `node${process.versions.node}`;
const counters: SelfCounters = { scrapesTotal: 5, durationSum: 0.25, durationCount: 4, targetRequestErrors: 2 };
const outcome = (o: Partial<ScrapeOutcome>): ScrapeOutcome => ({
  families: [],
  postureFamilies: [],
  up: false,
  error: '',
  durationSeconds: 0,
  connectSeconds: 0,
  ...o,
});

// The expected texts are what the FamilyBuilder-based version rendered.
test('self metrics of a scraped target, as redis_exporter names them', () => {
  const o = outcome({ up: true, durationSeconds: 0.0015, connectSeconds: 0.0002, pingSeconds: 0.0001 });
  assert.equal(
    renderText(scrapeSelfFamilies('redis', o, counters, { buildInfo: true, scrapeEndpoint: true, target: true })),
    [
      `# HELP redis_exporter_build_info redis exporter build_info`,
      `# TYPE redis_exporter_build_info gauge`,
      `redis_exporter_build_info{version="0.1.0",commit_sha="redoubt",build_date="",golang_version="${NODE}"} 1`,
      `# HELP redis_exporter_last_scrape_connect_time_seconds exporter_last_scrape_connect_time_seconds metric`,
      `# TYPE redis_exporter_last_scrape_connect_time_seconds gauge`,
      `redis_exporter_last_scrape_connect_time_seconds 0.0002`,
      `# HELP redis_exporter_last_scrape_duration_seconds exporter_last_scrape_duration_seconds metric`,
      `# TYPE redis_exporter_last_scrape_duration_seconds gauge`,
      `redis_exporter_last_scrape_duration_seconds 0.0015`,
      `# HELP redis_exporter_last_scrape_error The last scrape error status.`,
      `# TYPE redis_exporter_last_scrape_error gauge`,
      `redis_exporter_last_scrape_error{err=""} 0`,
      `# HELP redis_exporter_last_scrape_ping_time_seconds exporter_last_scrape_ping_time_seconds metric`,
      `# TYPE redis_exporter_last_scrape_ping_time_seconds gauge`,
      `redis_exporter_last_scrape_ping_time_seconds 0.0001`,
      `# HELP redis_exporter_scrape_duration_seconds Durations of scrapes by the exporter`,
      `# TYPE redis_exporter_scrape_duration_seconds summary`,
      `redis_exporter_scrape_duration_seconds_sum 0.25`,
      `redis_exporter_scrape_duration_seconds_count 4`,
      `# HELP redis_exporter_scrapes_total Current total redis scrapes.`,
      `# TYPE redis_exporter_scrapes_total counter`,
      `redis_exporter_scrapes_total 5`,
      `# HELP redis_last_key_groups_scrape_duration_milliseconds Duration of the last key group metrics scrape in milliseconds`,
      `# TYPE redis_last_key_groups_scrape_duration_milliseconds gauge`,
      `redis_last_key_groups_scrape_duration_milliseconds 0`,
      `# HELP redis_target_scrape_request_errors_total Errors in requests to the exporter`,
      `# TYPE redis_target_scrape_request_errors_total counter`,
      `redis_target_scrape_request_errors_total 2`,
      `# HELP redis_up Information about the Redis instance`,
      `# TYPE redis_up gauge`,
      `redis_up 1`,
      '',
    ].join('\n'),
  );
});

test('self metrics of a failed scrape, without namespace', () => {
  const o = outcome({ error: 'dial "x"', durationSeconds: 0.5 });
  assert.equal(
    renderText(scrapeSelfFamilies('', o, counters, { buildInfo: false, scrapeEndpoint: false })),
    [
      `# HELP exporter_last_scrape_duration_seconds exporter_last_scrape_duration_seconds metric`,
      `# TYPE exporter_last_scrape_duration_seconds gauge`,
      `exporter_last_scrape_duration_seconds 0.5`,
      `# HELP exporter_last_scrape_error The last scrape error status.`,
      `# TYPE exporter_last_scrape_error gauge`,
      `exporter_last_scrape_error{err="dial \\"x\\""} 1`,
      `# HELP exporter_scrape_duration_seconds Durations of scrapes by the exporter`,
      `# TYPE exporter_scrape_duration_seconds summary`,
      `exporter_scrape_duration_seconds_sum 0.25`,
      `exporter_scrape_duration_seconds_count 4`,
      `# HELP exporter_scrapes_total Current total redis scrapes.`,
      `# TYPE exporter_scrapes_total counter`,
      `exporter_scrapes_total 5`,
      `# HELP up Information about the Redis instance`,
      `# TYPE up gauge`,
      `up 0`,
      '',
    ].join('\n'),
  );
});

test('self metrics without a target: no up, error or duration', () => {
  assert.equal(
    renderText(
      scrapeSelfFamilies('redis', outcome({}), counters, { buildInfo: false, scrapeEndpoint: true, target: false }),
    ),
    [
      `# HELP redis_exporter_scrape_duration_seconds Durations of scrapes by the exporter`,
      `# TYPE redis_exporter_scrape_duration_seconds summary`,
      `redis_exporter_scrape_duration_seconds_sum 0.25`,
      `redis_exporter_scrape_duration_seconds_count 4`,
      `# HELP redis_exporter_scrapes_total Current total redis scrapes.`,
      `# TYPE redis_exporter_scrapes_total counter`,
      `redis_exporter_scrapes_total 5`,
      `# HELP redis_target_scrape_request_errors_total Errors in requests to the exporter`,
      `# TYPE redis_target_scrape_request_errors_total counter`,
      `redis_target_scrape_request_errors_total 2`,
      '',
    ].join('\n'),
  );
});
