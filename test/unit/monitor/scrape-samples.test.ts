import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricFamily } from '../../../src/metrics/family.ts';
import {
  familiesMetadata,
  familiesToSamples,
  scrapeReportSamples,
  seriesLabels,
} from '../../../src/monitor/scrape-samples.ts';
import { SeriesTracker } from '../../../src/monitor/staleness.ts';

const TARGET = { job: 'redis', instance: 'redis://10.0.0.1:6379' };

test('a sample gets the target labels, sorted, as Prometheus stores it (honor_labels: false)', () => {
  assert.deepEqual(Object.entries(seriesLabels('redis_up', {}, TARGET)), [
    ['__name__', 'redis_up'],
    ['instance', 'redis://10.0.0.1:6379'],
    ['job', 'redis'],
  ]);
  // An empty label is no label; a clash with a target label becomes exported_<name>.
  assert.deepEqual(seriesLabels('x', { err: '', instance: 'other', job: 'j', db: 'db0' }, TARGET), {
    __name__: 'x',
    db: 'db0',
    exported_instance: 'other',
    exported_job: 'j',
    instance: 'redis://10.0.0.1:6379',
    job: 'redis',
  });
});

test('families become samples: summary suffixes in the name, the first of duplicate series kept', () => {
  const families: MetricFamily[] = [
    { name: 'redis_connected_clients', type: 'gauge', help: 'clients', samples: [{ labels: {}, value: 3 }] },
    {
      name: 'redis_exporter_scrape_duration_seconds',
      type: 'summary',
      help: 'durations',
      samples: [
        { labels: {}, value: 0.5, suffix: '_sum' },
        { labels: {}, value: 4, suffix: '_count' },
      ],
    },
    {
      name: 'redis_db_keys',
      type: 'gauge',
      help: 'keys',
      samples: [
        { labels: { db: 'db0' }, value: 10 },
        { labels: { db: 'db0' }, value: 11 },
      ],
    },
  ];
  const samples = familiesToSamples([families], TARGET);
  assert.deepEqual(
    samples.map((s) => [s.labels.__name__, s.labels.db ?? '', s.value]),
    [
      ['redis_connected_clients', '', 3],
      ['redis_exporter_scrape_duration_seconds_sum', '', 0.5],
      ['redis_exporter_scrape_duration_seconds_count', '', 4],
      ['redis_db_keys', 'db0', 10],
    ],
  );
  assert.deepEqual(familiesMetadata([families]).get('redis_exporter_scrape_duration_seconds'), {
    type: 'summary',
    help: 'durations',
  });
});

test('the scrape report is the five series Prometheus writes per scrape', () => {
  const s = scrapeReportSamples({ up: false, durationSeconds: 1.5, samplesScraped: 7, seriesAdded: 2 }, TARGET);
  assert.deepEqual(
    s.map((x) => [x.labels.__name__, x.value, x.labels.job, x.labels.instance]),
    [
      ['up', 0, 'redis', TARGET.instance],
      ['scrape_duration_seconds', 1.5, 'redis', TARGET.instance],
      ['scrape_samples_scraped', 7, 'redis', TARGET.instance],
      ['scrape_samples_post_metric_relabeling', 7, 'redis', TARGET.instance],
      ['scrape_series_added', 2, 'redis', TARGET.instance],
    ],
  );
});

test('series missing from the next scrape are reported stale, new ones counted', () => {
  const tracker = new SeriesTracker();
  const sample = (name: string) => ({ labels: seriesLabels(name, {}, TARGET), value: 1 });
  assert.deepEqual(tracker.next([sample('a'), sample('b')]), { stale: [], added: 2 });
  const r = tracker.next([sample('b'), sample('c')]);
  assert.deepEqual(
    r.stale.map((l) => l.__name__),
    ['a'],
  );
  assert.equal(r.added, 1);
  // A target that went down: everything it had goes stale.
  assert.deepEqual(
    tracker.next([]).stale.map((l) => l.__name__),
    ['b', 'c'],
  );
});
