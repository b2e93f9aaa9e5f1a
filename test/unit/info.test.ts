import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FamilyBuilder, type MetricFamily } from '../../src/metrics/family.ts';
import { addInfoFamilies, type InfoFamilyOptions } from '../../src/metrics/info.ts';
import {
  COUNTERS,
  GAUGES,
  REDOUBT_COUNTERS,
  REDOUBT_GAUGES,
  REDOUBT_REPLICA_GAUGES,
} from '../../src/metrics/info-map.ts';
import { parseInfo } from '../../src/redis/info-lines.ts';
import type { Snapshot } from '../../src/redis/snapshot.ts';
import { atoiOrZero, formatGoFloat, parseGoFloat } from '../../src/text/go-format.ts';
import { assertGolden, fixtureSnapshot, INFO_FIXTURES } from '../support/info-fixtures.ts';

const NOW = 1_800_000_000.75;

function families(snapshot: Partial<Snapshot>, opts: Partial<InfoFamilyOptions> = {}): MetricFamily[] {
  const b = new FamilyBuilder('redis');
  const snap: Snapshot = { info: '', config: {}, takenAtMs: NOW * 1000, unavailable: [], ...snapshot };
  addInfoFamilies(b, snap, { includeSystemMetrics: false, nowSeconds: NOW, ...opts });
  return b.families();
}

function fam(fs: MetricFamily[], name: string): MetricFamily {
  const f = fs.find((x) => x.name === `redis_${name}`);
  assert.ok(f, `family redis_${name} missing`);
  return f;
}

function value(fs: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const s = fam(fs, name).samples.find((x) => JSON.stringify(x.labels) === JSON.stringify(labels));
  assert.ok(s, `redis_${name}${JSON.stringify(labels)} missing`);
  return s.value;
}

const names = (fs: MetricFamily[]) => fs.map((f) => f.name);

describe('golden: INFO fixtures from redis-server 7.0.15', () => {
  for (const name of INFO_FIXTURES) {
    test(name, () => {
      const snap = fixtureSnapshot(name);
      const b = new FamilyBuilder('redis');
      addInfoFamilies(b, snap, { includeSystemMetrics: false, nowSeconds: snap.takenAtMs / 1000 });
      assertGolden(`info-${name}.json`, b.families());
    });
  }
});

describe('parseInfo', () => {
  test('CRLF and LF give the same result; sections keep INFO order', () => {
    const lf = '# Server\nredis_version:7.0.15\nos:Linux\n\n# Clients\nconnected_clients:3\n';
    const a = parseInfo(lf);
    const b = parseInfo(lf.replaceAll('\n', '\r\n'));
    assert.deepEqual(a, b);
    assert.deepEqual([...a.sections.keys()], ['Server', 'Clients']);
    assert.equal(a.sections.get('Server')?.get('redis_version'), '7.0.15');
    assert.equal(a.fields.get('connected_clients'), '3');
  });

  test('values keep everything after the first colon (IPv6 hosts, paths)', () => {
    const p = parseInfo('# Replication\r\nmaster_host:::1\r\nexecutable:/usr/bin/redis-server\r\n');
    assert.equal(p.fields.get('master_host'), '::1');
    assert.equal(p.fields.get('executable'), '/usr/bin/redis-server');
  });

  test('skips garbage: no colon, empty key, bare "#", blank, binary; fields before a header go to ""', () => {
    const p = parseInfo('orphan:1\n#\n# \nnocolon\n:novalue\n\u0000\u0001:\u0002\n# Stats\n  spaced_key:5  \n');
    assert.equal(p.sections.get('')?.get('orphan'), '1');
    assert.equal(p.sections.get('Stats')?.get('spaced_key'), '5');
    assert.equal(p.fields.has(''), false);
    assert.equal(p.fields.has('nocolon'), false);
  });

  test('a repeated field keeps its first value (upstream exported both; the registry kept the first)', () => {
    const fs = families({ info: '# Clients\nconnected_clients:3\nconnected_clients:9\n' });
    assert.deepEqual(
      fam(fs, 'connected_clients').samples.map((s) => s.value),
      [3],
    );
  });
});

describe('addInfoFamilies', () => {
  const master = fixtureSnapshot('master');
  const masterFs = families(master);

  test('never throws on garbage, and still emits instance_info and the empty-db series', () => {
    const junk = [
      '',
      '\r\n\r\n',
      '# Keyspace\ndb0:keys=abc\ndb1:\ndbx:keys=1,expires=2\n',
      '# Commandstats\ncmdstat_get:calls=x\ncmdstat_:\ncmdstat_set:calls=1\n',
      '# Replication\nslave0:ip=1,port\nslave1:offset=abc\nmaster_link_status\n',
      '# Latencystats\nlatency_percentiles_usec_get:\nlatency_percentiles_usec_set:p\n',
      '# Errorstats\nerrorstat_ERR:count=\nerrorstat_X:cnt=1,count=2=3\n',
      '# Sentinel\nmaster0:name=x,slaves=abc\nsentinel_masters:nope\n',
      '# Replication\nconstructor:1\n__proto__:2\ntoString:3\n# Stats\nhasOwnProperty:4\nconstructor:5\n',
      Array.from({ length: 500 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join(''),
    ];
    for (const info of junk) {
      const fs = families({ info });
      assert.equal(fam(fs, 'instance_info').samples.length, 1);
      assert.equal(fam(fs, 'db_keys').samples.length > 0, true);
    }
  });

  test('empty percentile key (#1115 panicked redis_exporter) drops only that line', () => {
    const info = [
      '# Commandstats',
      'cmdstat_get:calls=10,usec=20,usec_per_call=2.00,rejected_calls=0,failed_calls=0',
      'cmdstat_set:calls=4,usec=8,usec_per_call=2.00,rejected_calls=0,failed_calls=0',
      '# Latencystats',
      'latency_percentiles_usec_get:=1.003,p99=2.007',
      'latency_percentiles_usec_set:p50=1.003,p99=2.007,p99.9=3.007',
    ].join('\r\n');
    const fs = families({ info });
    const summary = fam(fs, 'latency_percentiles_usec');
    assert.equal(summary.type, 'summary');
    assert.deepEqual(summary.samples, [
      { labels: { cmd: 'set', quantile: '50' }, value: 1.003, suffix: '' },
      { labels: { cmd: 'set', quantile: '99' }, value: 2.007, suffix: '' },
      { labels: { cmd: 'set', quantile: '99.9' }, value: 3.007, suffix: '' },
      { labels: { cmd: 'set' }, value: 8, suffix: '_sum' },
      { labels: { cmd: 'set' }, value: 4, suffix: '_count' },
    ]);
  });

  test('keyspace: zero series for every absent db up to databases (16 when CONFIG is blocked)', () => {
    const keys = fam(masterFs, 'db_keys').samples;
    assert.deepEqual(
      keys.map((s) => s.labels.db),
      ['db0', 'db3', ...[1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((i) => `db${i}`)],
    );
    assert.equal(value(masterFs, 'db_keys', { db: 'db0' }), 123);
    assert.equal(value(masterFs, 'db_keys', { db: 'db7' }), 0);
    assert.equal(value(masterFs, 'db_keys_expiring', { db: 'db7' }), 0);
    assert.equal(value(masterFs, 'db_avg_ttl_seconds', { db: 'db0' }), 3609.4);
    // avg ttl has no zero series, as upstream
    assert.equal(fam(masterFs, 'db_avg_ttl_seconds').samples.length, 2);

    const four = families({ ...master, config: { databases: '4' } });
    assert.equal(fam(four, 'db_keys').samples.length, 4);
    const cluster = families(fixtureSnapshot('cluster'));
    assert.deepEqual(
      fam(cluster, 'db_keys').samples.map((s) => s.labels.db),
      ['db0'],
    );
    const off = families(master, { includeEmptyDatabases: false });
    assert.equal(fam(off, 'db_keys').samples.length, 2);
  });

  test('keyspace: cached_keys (KeyDB) by name; Redis 7.4 subexpiry is not mistaken for it', () => {
    const fs = families({
      info: '# Keyspace\ndb0:keys=5,expires=1,avg_ttl=2000,subexpiry=0\ndb1:keys=2,expires=0,avg_ttl=0,cached_keys=2\n',
    });
    assert.deepEqual(
      fam(fs, 'db_keys_cached').samples.map((s) => s.labels),
      [{ db: 'db1' }],
    );
    assert.equal(value(fs, 'db_avg_ttl_seconds', { db: 'db0' }), 2);
  });

  test('upstream quirks are kept: names and types as redis_exporter emits them', () => {
    const types = Object.fromEntries(masterFs.map((f) => [f.name.slice('redis_'.length), f.type]));
    assert.equal(types.defrag_hits, 'gauge');
    assert.equal(types.replica_resyncs_full, 'gauge');
    assert.equal(types.replica_partial_resync_accepted, 'gauge');
    assert.equal(types.migrate_cached_sockets_total, 'gauge');
    assert.equal(types.lazyfreed_objects, 'gauge');
    assert.equal(types.total_error_replies, 'counter');
    assert.equal(types.dump_payload_sanitizations, 'counter');
    assert.equal(types.expired_time_cap_reached_total, 'gauge'); // as 1.45 (HEAD made it a counter)
    assert.equal(types.memory_used_vm_total, 'gauge');
    assert.equal(types.rdb_last_bgsave_duration_sec, 'gauge');
    assert.equal(types.cpu_sys_seconds_total, 'counter');
    assert.equal(value(masterFs, 'latest_fork_seconds'), 389 / 1e6);
    assert.equal(types.latest_fork_usec, undefined);
    assert.equal(value(masterFs, 'rdb_last_bgsave_status'), 1); // "ok"
    assert.equal(value(masterFs, 'max_clients'), 10000);
    assert.equal(fam(masterFs, 'memory_used_bytes').help, 'memory_used_bytes metric');
  });

  test('fields outside the tables are not exported', () => {
    const fs = families({ info: '# Server\nlru_clock:1\nfoo_bar:2\nredis_version:7.0.15\n# Stats\nmystery_count:3\n' });
    assert.deepEqual(names(fs).sort(), ['redis_db_keys', 'redis_db_keys_expiring', 'redis_instance_info']);
  });

  test('start_time_seconds = whole now seconds − uptime; hz and configured_hz', () => {
    const fs = families({ info: '# Server\nuptime_in_seconds:100\nhz:10\nconfigured_hz:10\n' });
    assert.equal(value(fs, 'start_time_seconds'), 1_800_000_000 - 100);
    assert.equal(value(fs, 'hz'), 10);
    assert.equal(value(fs, 'configured_hz'), 10);
  });

  test('total_system_memory_bytes only with includeSystemMetrics', () => {
    assert.equal(names(masterFs).includes('redis_total_system_memory_bytes'), false);
    const withSys = families(master, { includeSystemMetrics: true });
    assert.equal(value(withSys, 'total_system_memory_bytes'), 25276514304);
  });

  test('instance_info carries 1.45 labels (no master_replid); Valkey labels only when present', () => {
    const s = fam(masterFs, 'instance_info').samples[0];
    assert.deepEqual(Object.keys(s.labels), [
      'role',
      'redis_version',
      'redis_build_id',
      'redis_mode',
      'os',
      'maxmemory_policy',
      'tcp_port',
      'run_id',
      'process_id',
    ]);
    assert.equal(s.labels.role, 'master');
    assert.equal(s.labels.master_replid, undefined);
    const valkey = families({ info: '# Server\nredis_version:7.2.4\nvalkey_version:8.1.0\nvalkey_release_stage:ga\n' });
    const labels = fam(valkey, 'instance_info').samples[0].labels;
    assert.equal(labels.valkey_version, '8.1.0');
    assert.equal(labels.valkey_release_stage, 'ga');
  });

  test('master side: connected_slave_* per replica', () => {
    const labels = { slave_ip: '127.0.0.1', slave_port: '33395', slave_state: 'online' };
    assert.equal(value(masterFs, 'connected_slave_offset_bytes', labels), 5194);
    assert.equal(value(masterFs, 'connected_slave_lag_seconds', labels), 0);
    assert.equal(names(masterFs).includes('redis_slave_info'), false);
    // pre-3.0 replica lines have no lag: offset only
    const old = families({ info: '# Replication\nslave0:ip=10.0.0.1,port=6379,state=online,offset=7\n' });
    assert.equal(names(old).includes('redis_connected_slave_lag_seconds'), false);
  });

  test('replica side: master_* with {master_host, master_port}, slave_info', () => {
    const fs = families(fixtureSnapshot('replica'));
    const master = { master_host: '127.0.0.1', master_port: '38291' };
    assert.equal(value(fs, 'master_link_up', master), 1);
    assert.equal(value(fs, 'master_last_io_seconds_ago', master), 0);
    assert.equal(value(fs, 'master_sync_in_progress', master), 0);
    assert.equal(value(fs, 'slave_repl_offset', master), 5194);
    assert.equal(value(fs, 'slave_info', { ...master, read_only: '1' }), 1);
    assert.equal(value(fs, 'slave_read_repl_offset', master), 5194); // redoubt addition

    const down = families(fixtureSnapshot('replica-link-down'));
    assert.equal(value(down, 'master_link_up', master), 0);
    assert.ok(value(down, 'master_link_down_since_seconds', master) >= 1);
  });

  test('redoubt additions: replica sync progress while a full sync runs', () => {
    const fs = families(fixtureSnapshot('replica-syncing'));
    const f = fam(fs, 'master_sync_total_bytes');
    assert.deepEqual(Object.keys(f.samples[0].labels), ['master_host', 'master_port']);
    assert.equal(f.samples[0].value, -1); // size unknown until the RDB transfer starts
    for (const n of ['master_sync_read_bytes', 'master_sync_left_bytes', 'master_sync_percentage'])
      assert.ok(names(fs).includes(`redis_${n}`), n);
    assert.equal(value(families(fixtureSnapshot('master-saving')), 'rdb_bgsave_in_progress'), 1);
  });

  test('redoubt additions: names, types, percent values; off gives exactly upstream', () => {
    assert.equal(fam(masterFs, 'instantaneous_ops_per_sec').type, 'gauge');
    assert.equal(value(masterFs, 'instantaneous_input_kbps'), 3.2);
    assert.equal(fam(masterFs, 'forks_total').type, 'counter');
    assert.equal(value(masterFs, 'forks_total'), 1);
    assert.equal(value(masterFs, 'memory_used_peak_percentage'), 100.01); // "100.01%"
    assert.equal(value(masterFs, 'memory_used_dataset_percentage'), 83.47);
    assert.equal(value(masterFs, 'rss_overhead_bytes'), 7200768);
    const upstream = families(master, { redoubtAdditions: false });
    const added = new Set(
      [
        ...Object.values(REDOUBT_GAUGES),
        ...Object.values(REDOUBT_COUNTERS),
        ...Object.values(REDOUBT_REPLICA_GAUGES),
      ].map((n) => `redis_${n}`),
    );
    assert.deepEqual(
      names(upstream).filter((n) => added.has(n)),
      [],
    );
    assert.deepEqual(
      names(masterFs).filter((n) => !added.has(n)),
      names(upstream),
    );
  });

  test('redoubt additions never collide with upstream names', () => {
    const upstream = new Set([...Object.values(GAUGES), ...Object.values(COUNTERS)]);
    for (const n of [
      ...Object.values(REDOUBT_GAUGES),
      ...Object.values(REDOUBT_COUNTERS),
      ...Object.values(REDOUBT_REPLICA_GAUGES),
    ])
      assert.equal(upstream.has(n), false, n);
  });

  test('commandstats, errorstats and latencystats (stats fixture)', () => {
    const fs = families(fixtureSnapshot('stats'));
    assert.equal(value(fs, 'commands_total', { cmd: 'get' }), 50);
    assert.equal(value(fs, 'commands_duration_seconds_total', { cmd: 'debug' }), 30174 / 1e6);
    assert.equal(fam(fs, 'commands_failed_calls_total').type, 'counter');
    assert.equal(value(fs, 'errors_total', { err: 'MYERR' }), 1);
    assert.equal(value(fs, 'errors_total', { err: 'WRONGTYPE' }), 1);
    const debug = fam(fs, 'latency_percentiles_usec').samples.filter((s) => s.labels.cmd === 'debug');
    assert.deepEqual(
      debug.map((s) => [s.labels.quantile, s.suffix, s.value]),
      [
        ['50', '', 10092.543],
        ['99', '', 20185.087],
        ['99.9', '', 20185.087],
        [undefined, '_sum', 30174],
        [undefined, '_count', 2],
      ],
    );
  });

  test('pre-6.2 commandstats have no rejected/failed series', () => {
    const fs = families({ info: '# Commandstats\ncmdstat_get:calls=21,usec=175,usec_per_call=8.33\n' });
    assert.equal(value(fs, 'commands_total', { cmd: 'get' }), 21);
    assert.equal(names(fs).includes('redis_commands_rejected_calls_total'), false);
  });

  test('cluster: CLUSTER INFO fields through the cluster_ rule, quirk-typed messages', () => {
    const fs = families(fixtureSnapshot('cluster'));
    assert.equal(value(fs, 'cluster_state'), 1);
    assert.equal(value(fs, 'cluster_slots_assigned'), 16384);
    assert.equal(value(fs, 'cluster_enabled'), 1);
    assert.equal(fam(fs, 'cluster_messages_sent_total').type, 'gauge');
    assert.equal(value(fs, 'cluster_links_buffer_limit_exceeded_total'), 0); // redoubt addition
    const failing = families({ info: '# Cluster\ncluster_enabled:1\n', clusterInfo: 'cluster_state:fail\r\n' });
    assert.equal(value(failing, 'cluster_state'), 0);
  });

  test('sentinel INFO section', () => {
    const info = [
      '# Sentinel',
      'sentinel_masters:2',
      'sentinel_tilt:0',
      'sentinel_running_scripts:0',
      'sentinel_scripts_queue_length:0',
      'sentinel_simulate_failure_flags:0',
      'master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=2,sentinels=3',
      'master1:name=other,status=odown,address=10.0.0.2:6379,slaves=0,sentinels=1',
    ].join('\n');
    const fs = families({ info });
    assert.equal(value(fs, 'sentinel_masters'), 2);
    const mine = { master_name: 'mymaster', master_address: '127.0.0.1:6379' };
    assert.equal(value(fs, 'sentinel_master_status', { ...mine, master_status: 'ok' }), 1);
    assert.equal(
      value(fs, 'sentinel_master_status', {
        master_name: 'other',
        master_address: '10.0.0.2:6379',
        master_status: 'odown',
      }),
      0,
    );
    assert.equal(value(fs, 'sentinel_master_slaves', mine), 2);
    assert.equal(value(fs, 'sentinel_master_sentinels', mine), 3);
  });

  test('KeyDB multi-master labels follow the numbered master_N_host/port', () => {
    const info = [
      '# Replication',
      'role:active-replica',
      'master_host:a',
      'master_port:1',
      'master_link_status:up',
      'master_1_host:b',
      'master_1_port:2',
      'master_1_link_status:down',
    ].join('\n');
    const fs = families({ info });
    assert.equal(value(fs, 'master_link_up', { master_host: 'a', master_port: '1' }), 1);
    assert.equal(value(fs, 'master_link_up', { master_host: 'b', master_port: '2' }), 0);
  });

  test('Valkey io-thread active time → active_time_io_thread_seconds_total{thread}', () => {
    const fs = families({ info: '# CPU\nused_active_time_io_thread_0:1.5\nused_active_time_io_thread_1:2\n' });
    const f = fam(fs, 'active_time_io_thread_seconds_total');
    assert.equal(f.type, 'counter');
    assert.deepEqual(
      f.samples.map((s) => [s.labels.thread, s.value]),
      [
        ['0', 1.5],
        ['1', 2],
      ],
    );
  });
});

describe('go-format', () => {
  test('formatGoFloat writes label numbers as client_golang does', () => {
    const cases: Array<[number, string]> = [
      [50, '50'],
      [99.9, '99.9'],
      [1024, '1024'],
      [100000, '100000'],
      [1048576, '1.048576e+06'],
      [1e6, '1e+06'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [0, '0'],
      [Number.POSITIVE_INFINITY, '+Inf'],
    ];
    for (const [v, s] of cases) assert.equal(formatGoFloat(v), s, String(v));
  });

  test('parseGoFloat / atoiOrZero follow strconv', () => {
    assert.equal(parseGoFloat('1.5'), 1.5);
    assert.equal(parseGoFloat('-0.00'), -0);
    assert.equal(parseGoFloat('1e3'), 1000);
    assert.equal(parseGoFloat('inf'), Number.POSITIVE_INFINITY);
    assert.equal(parseGoFloat(''), undefined);
    assert.equal(parseGoFloat('12abc'), undefined);
    assert.equal(parseGoFloat(' 1'), undefined);
    assert.equal(parseGoFloat('1e400'), undefined);
    assert.equal(atoiOrZero('-1'), -1);
    assert.equal(atoiOrZero('1.5'), 0);
  });
});
