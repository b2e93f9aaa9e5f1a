import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarize } from '../../bench/paced-report.ts';
import type { Segment } from '../../bench/paced-segment.ts';
import { parseMatrix, scrapeConfig, within } from '../../bench/prometheus-scraper.ts';
import { cpuByGroup, nodeThreadRole, parseSchedstat, threadGroups, total } from '../../bench/schedstat.ts';
import { percentile } from '../../bench/stats.ts';

describe('schedstat', () => {
  test('the first field is the run time in ns', () => {
    assert.equal(parseSchedstat('170368615 2143 57\n'), 170368615);
    assert.ok(Number.isNaN(parseSchedstat('')));
    assert.ok(Number.isNaN(parseSchedstat('-5 1 1')));
  });

  test('Node threads are grouped by creation rank, others by name, the leader is main', () => {
    assert.deepEqual([0, 1, 2, 5, 6, 7, 10].map(nodeThreadRole), [
      'main',
      'v8-delayed-tasks',
      'v8-workers',
      'v8-workers',
      'inspector-signal',
      'libuv-pool',
      'libuv-pool',
    ]);
    const threads = [
      { tid: 900, name: 'node', ns: 0 },
      { tid: 100, name: 'node', ns: 0 },
      { tid: 101, name: 'node', ns: 0 },
      { tid: 102, name: 'gc-helper', ns: 0 },
    ];
    assert.deepEqual(
      [...threadGroups(100, threads)].sort(),
      [
        [100, 'main'],
        [101, 'v8-delayed-tasks'],
        [102, 'gc-helper'],
        [900, 'v8-workers'],
      ].sort(),
    );
  });

  test('CPU by group is the difference per thread; a new thread counts from zero, an exited one is lost', () => {
    const before = [
      { tid: 10, name: 'x', ns: 1000 },
      { tid: 11, name: 'w', ns: 50 },
      { tid: 12, name: 'w', ns: 70 },
    ];
    const after = [
      { tid: 10, name: 'x', ns: 1600 },
      { tid: 11, name: 'w', ns: 80 },
      { tid: 13, name: 'w', ns: 5 },
    ];
    const groups = cpuByGroup(10, before, after);
    assert.deepEqual(groups, { main: 600, w: 35 });
    assert.equal(total(groups), 635);
  });
});

describe('Prometheus answers', () => {
  test('a matrix answer becomes [seconds, value] pairs, filtered to a window', () => {
    const body = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [100.5, '0.006'],
              [101.5, '0.0072'],
              [102.5, '0.1'],
            ],
          },
        ],
      },
    });
    const samples = parseMatrix(body);
    assert.deepEqual(samples, [
      [100.5, 0.006],
      [101.5, 0.0072],
      [102.5, 0.1],
    ]);
    assert.deepEqual(within(samples, 101, 102.5), [[101.5, 0.0072]]);
    assert.throws(() => parseMatrix('{"data":{"resultType":"vector","result":[]}}'), /not a matrix/);
  });

  test('the scrape timeout is the pace, at most 10 s', () => {
    assert.match(scrapeConfig('j', '127.0.0.1:1', 1), /scrape_interval: 1s\n {2}scrape_timeout: 1s/);
    assert.match(scrapeConfig('j', '127.0.0.1:1', 15), /scrape_interval: 15s\n {2}scrape_timeout: 10s/);
    assert.match(scrapeConfig('j', '127.0.0.1:1', 15), /targets: \["127\.0\.0\.1:1"\]/);
  });
});

describe('paced summaries', () => {
  const seg = (round: number, cpuNs: number, scrapes: number, p50Ms: number): Segment => ({
    pace: 1,
    round,
    subject: 'redoubt',
    windowSeconds: 45,
    scrapes,
    failed: 0,
    durationsMs: [],
    p50Ms,
    p99Ms: p50Ms * 3,
    cpuNsByThread: { main: cpuNs, 'v8-workers': cpuNs / 2 },
    cpuMsPerScrape: (cpuNs * 1.5) / 1e6 / scrapes,
    warmupScrapes: 5,
    warmupCpuMsPerScrape: round + 10,
    warmupCpuNsByThread: {},
    redisCpuMs: 0,
    redisIdleMs: 0,
    redisCpuMsPerScrape: 0.5,
    redisCommandMsPerScrape: 0.2,
    redisCallsPerScrape: 5,
    redisCalls: {},
    redisUsec: {},
    redisConnectionsPerScrape: 0,
    rssMb: 60,
    peakRssMb: 62,
  });

  test('medians over rounds, scrapes summed, per-thread CPU per scrape', () => {
    const s = summarize([seg(0, 100e6, 10, 5), seg(1, 300e6, 10, 7), seg(2, 200e6, 10, 100)]);
    assert.ok(s);
    assert.equal(s.rounds, 3);
    assert.equal(s.scrapes, 30);
    assert.equal(s.p50Ms, 7);
    assert.equal(s.cpuMsPerScrape, 30);
    assert.equal(s.warmupCpuMsPerScrape, 11);
    assert.equal(s.redisCommandMsPerScrape, 0.2);
    assert.deepEqual(s.cpuMsPerScrapeByThread, { main: 20, 'v8-workers': 10 });
    assert.equal(summarize([]), undefined);
  });

  test('percentile is nearest-rank', () => {
    const xs = Array.from({ length: 45 }, (_, i) => 45 - i);
    assert.equal(percentile(xs, 50), 23);
    assert.equal(percentile(xs, 99), 45);
    assert.equal(percentile([3], 99), 3);
  });
});
