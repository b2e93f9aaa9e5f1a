import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FamilyBuilder, type MetricFamily } from '../../src/metrics/family.ts';
import { addConfigFamilies, addLatencyFamilies, addSlowlogFamilies } from '../../src/metrics/server-families.ts';
import type { Snapshot } from '../../src/redis/snapshot.ts';
import { assertGolden, fixtureSnapshot, INFO_FIXTURES } from '../support/info-fixtures.ts';

function build(snapshot: Partial<Snapshot>): MetricFamily[] {
  const b = new FamilyBuilder('redis');
  const snap: Snapshot = { info: '', config: {}, takenAtMs: 0, unavailable: [], ...snapshot };
  addConfigFamilies(b, snap);
  addSlowlogFamilies(b, snap);
  addLatencyFamilies(b, snap);
  return b.families();
}

const byName = (fs: MetricFamily[]) => Object.fromEntries(fs.map((f) => [f.name.slice('redis_'.length), f]));
const plain = (fs: MetricFamily[]) =>
  Object.fromEntries(fs.filter((f) => f.samples.length === 1).map((f) => [f.name.slice(6), f.samples[0].value]));

describe('golden: CONFIG / SLOWLOG / LATENCY from redis-server 7.0.15', () => {
  for (const name of INFO_FIXTURES) test(name, () => assertGolden(`server-${name}.json`, build(fixtureSnapshot(name))));
});

describe('addConfigFamilies', () => {
  test('CONFIG values, and client-output-buffer-limit per class', () => {
    const fs = byName(build(fixtureSnapshot('stats')));
    assert.equal(fs.config_maxmemory.samples[0].value, 0);
    assert.equal(fs.config_maxclients.samples[0].value, 10000);
    assert.equal(fs.config_io_threads.samples[0].value, 1);
    assert.equal(fs.config_repl_backlog_size.samples[0].value, 1048576);
    assert.deepEqual(
      fs.config_client_output_buffer_limit_bytes.samples.map((s) => [s.labels.class, s.labels.limit, s.value]),
      [
        ['normal', 'hard', 0],
        ['normal', 'soft', 0],
        ['slave', 'hard', 268435456],
        ['slave', 'soft', 67108864],
        ['pubsub', 'hard', 33554432],
        ['pubsub', 'soft', 8388608],
      ],
    );
    assert.deepEqual(
      fs.config_client_output_buffer_limit_overcome_seconds.samples.map((s) => [s.labels, s.value]),
      [
        [{ class: 'normal', limit: 'soft' }, 0],
        [{ class: 'slave', limit: 'soft' }, 60],
        [{ class: 'pubsub', limit: 'soft' }, 60],
      ],
    );
    for (const f of Object.values(fs)) if (f.name.startsWith('redis_config_')) assert.equal(f.type, 'gauge');
  });

  test('CONFIG blocked: maxmemory, maxclients, repl-backlog-size fall back to INFO; the rest is absent', () => {
    const snap = fixtureSnapshot('master');
    const fs = build({ ...snap, config: {} });
    const v = plain(fs);
    assert.equal(v.config_maxmemory, 0);
    assert.equal(v.config_maxclients, 10000);
    assert.equal(v.config_repl_backlog_size, 1048576);
    assert.equal(v.config_io_threads, undefined);
    assert.equal(byName(fs).config_client_output_buffer_limit_bytes, undefined);
  });

  test('CONFIG wins over INFO; junk values are dropped', () => {
    const fs = plain(
      build({
        info: '# Memory\nmaxmemory:100\n',
        config: { maxmemory: '200', maxclients: 'lots', 'client-output-buffer-limit': 'normal x 0' },
      }),
    );
    assert.equal(fs.config_maxmemory, 200);
    assert.equal(fs.config_maxclients, undefined);
  });
});

describe('addSlowlogFamilies', () => {
  test('entry present', () => {
    const v = plain(build({ slowlogLength: 2, slowlogLast: { id: 7, timestamp: 1, durationMicros: 10092 } }));
    assert.deepEqual([v.slowlog_length, v.slowlog_last_id, v.last_slow_execution_duration_seconds], [2, 7, 0.010092]);
  });

  test('empty slowlog: last id and duration are 0, as 1.45 emits', () => {
    const v = plain(build({ slowlogLength: 0 }));
    assert.deepEqual([v.slowlog_length, v.slowlog_last_id, v.last_slow_execution_duration_seconds], [0, 0, 0]);
  });

  test('SLOWLOG unavailable: nothing', () => {
    const fs = build({ unavailable: ['SLOWLOG'] });
    assert.deepEqual(fs, []);
  });
});

describe('addLatencyFamilies', () => {
  test('LATENCY LATEST: last spike time and its latest duration in seconds', () => {
    const fs = byName(
      build({ latencyLatest: [{ event: 'command', timestamp: 1795640524, latestMs: 20, maxMs: 250 }] }),
    );
    assert.deepEqual(fs.latency_spike_last.samples, [
      { labels: { event_name: 'command' }, value: 1795640524, suffix: '' },
    ]);
    assert.equal(fs.latency_spike_duration_seconds.samples[0].value, 0.02);
  });

  test('LATENCY HISTOGRAM: sorted le buckets + Inf, sum in µs incl. subcommands and odd names', () => {
    const info = [
      '# Commandstats',
      'cmdstat_config|get:calls=2,usec=30,usec_per_call=15.00,rejected_calls=0,failed_calls=0',
      'cmdstat_config|set:calls=1,usec=12,usec_per_call=12.00,rejected_calls=0,failed_calls=0',
      'cmdstat_client|no-evict:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=0',
    ].join('\r\n');
    const fs = byName(
      build({
        info,
        latencyHistogram: [
          {
            command: 'config',
            calls: 3,
            buckets: [
              [2048, 3],
              [16, 1],
              [1048576, 3],
            ],
          },
          { command: 'client|no-evict', calls: 1, buckets: [[8, 1]] },
        ],
      }),
    );
    const h = fs.commands_latencies_usec;
    assert.equal(h.type, 'histogram');
    assert.deepEqual(
      h.samples.map((s) => [s.labels.cmd, s.suffix, s.labels.le, s.value]),
      [
        ['client|no-evict', '_bucket', '8', 1],
        ['client|no-evict', '_bucket', '+Inf', 1],
        ['client|no-evict', '_sum', undefined, 5],
        ['client|no-evict', '_count', undefined, 1],
        ['config', '_bucket', '16', 1],
        ['config', '_bucket', '2048', 3],
        ['config', '_bucket', '1.048576e+06', 3],
        ['config', '_bucket', '+Inf', 3],
        ['config', '_sum', undefined, 42],
        ['config', '_count', undefined, 3],
      ],
    );
  });

  test('stats fixture: one series per histogram command', () => {
    const snap = fixtureSnapshot('stats');
    const h = byName(build(snap)).commands_latencies_usec;
    const counts = h.samples.filter((s) => s.suffix === '_count').map((s) => s.labels.cmd);
    assert.deepEqual(counts, snap.latencyHistogram?.map((x) => x.command).sort());
  });
});

test('every snapshot part missing: no families, no throw', () => {
  const b = new FamilyBuilder('redis');
  const bare = { info: '', takenAtMs: 0, unavailable: [] } as unknown as Snapshot;
  addConfigFamilies(b, bare);
  addSlowlogFamilies(b, bare);
  addLatencyFamilies(b, bare);
  assert.deepEqual(b.families(), []);
});
