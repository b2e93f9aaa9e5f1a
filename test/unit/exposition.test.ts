import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateFormat, renderOpenMetrics, renderText } from '../../src/metrics/exposition.ts';
import type { MetricFamily } from '../../src/metrics/family.ts';

const families: MetricFamily[] = [
  {
    name: 'redis_up',
    type: 'gauge',
    help: 'Information about the Redis instance',
    samples: [{ labels: {}, value: 1 }],
  },
  {
    name: 'redis_commands_total',
    type: 'counter',
    help: 'Total number of calls per command',
    samples: [
      { labels: { cmd: 'set' }, value: 5 },
      { labels: { cmd: 'get' }, value: 7 },
    ],
  },
  {
    name: 'redis_total_error_replies',
    type: 'counter',
    help: 'quirk: counter without _total',
    samples: [{ labels: {}, value: 3 }],
  },
  {
    name: 'redis_exporter_last_scrape_error',
    type: 'gauge',
    help: 'The last scrape error status.',
    samples: [{ labels: { err: 'a "quoted"\\ line\nbreak' }, value: 1 }],
  },
  {
    name: 'redis_latency_percentiles_usec',
    type: 'summary',
    help: 'A summary',
    samples: [
      { labels: { cmd: 'get', quantile: '50' }, value: 1.5 },
      { labels: { cmd: 'get' }, value: 10, suffix: '_sum' },
      { labels: { cmd: 'get' }, value: 4, suffix: '_count' },
    ],
  },
  { name: 'redis_nan', type: 'gauge', help: 'special values', samples: [{ labels: {}, value: Number.NaN }] },
];

test('text format: sorted families, samples in produced order, escaped labels and special values', () => {
  const text = renderText(families);
  assert.equal(
    text,
    [
      '# HELP redis_commands_total Total number of calls per command',
      '# TYPE redis_commands_total counter',
      'redis_commands_total{cmd="set"} 5',
      'redis_commands_total{cmd="get"} 7',
      '# HELP redis_exporter_last_scrape_error The last scrape error status.',
      '# TYPE redis_exporter_last_scrape_error gauge',
      'redis_exporter_last_scrape_error{err="a \\"quoted\\"\\\\ line\\nbreak"} 1',
      '# HELP redis_latency_percentiles_usec A summary',
      '# TYPE redis_latency_percentiles_usec summary',
      'redis_latency_percentiles_usec{cmd="get",quantile="50"} 1.5',
      'redis_latency_percentiles_usec_sum{cmd="get"} 10',
      'redis_latency_percentiles_usec_count{cmd="get"} 4',
      '# HELP redis_nan special values',
      '# TYPE redis_nan gauge',
      'redis_nan NaN',
      '# HELP redis_total_error_replies quirk: counter without _total',
      '# TYPE redis_total_error_replies counter',
      'redis_total_error_replies 3',
      '# HELP redis_up Information about the Redis instance',
      '# TYPE redis_up gauge',
      'redis_up 1',
      '',
    ].join('\n'),
  );
});

test('OpenMetrics: counters named without _total, counters lacking _total kept as unknown, ends with # EOF', () => {
  const om = renderOpenMetrics(families);
  assert.match(om, /^# TYPE redis_commands counter$/m);
  assert.match(om, /^redis_commands_total\{cmd="get"\} 7$/m);
  assert.match(om, /^# TYPE redis_total_error_replies unknown$/m);
  assert.match(om, /^redis_total_error_replies 3$/m);
  assert.ok(om.endsWith('# EOF\n'));
});

test('content negotiation follows the Accept header Prometheus sends', () => {
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat('text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'text');
  assert.equal(
    negotiateFormat(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
    'openmetrics',
  );
  assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'text');
});
