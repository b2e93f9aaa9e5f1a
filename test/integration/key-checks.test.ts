import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderText } from '../../src/metrics/exposition.ts';
import { FamilyBuilder } from '../../src/metrics/family.ts';
import { addKeyFamilies } from '../../src/metrics/key-families.ts';
import type { Command, RedisConnection, Reply } from '../../src/redis/connection.ts';
import { collectKeyChecks, type KeyCheckOptions, type KeyChecksResult } from '../../src/redis/key-checks.ts';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import type { KeyInfo } from '../../src/redis/snapshot.ts';
import { parseTarget } from '../../src/redis/target.ts';
import { labelNames, type ParsedFamily, parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { startPeerExporter } from '../support/peer-exporter.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { respCommands } from '../support/resp.ts';

let server: RedisServer;
const open: RedisConnection[] = [];

// String values chosen to exercise Go's strconv.ParseFloat (key_value) versus key_value_as_string.
const STRINGS: Record<string, string> = {
  'v:int': '42',
  'v:float': '3.25',
  'v:neg': '-7',
  'v:sci': '1e3',
  'v:underscore': '1_000',
  'v:hexfloat': '0x1p-2',
  'v:hexint': '0x10',
  'v:inf': 'inf',
  'v:nan': 'NaN',
  'v:space': ' 12',
  'v:overflow': '1e400',
  'v:text': 'hello world',
  'v:quote': 'a "q" \\ b',
  'v:unicode': 'héllo ✓',
  'v:empty': '',
};

before(async () => {
  server = await startRedis({ aclUsers: ['limited on >limpw ~allowed:* &* +@all'] });
  const setup: Array<Array<string | number>> = [];
  for (const [k, v] of Object.entries(STRINGS)) setup.push(['SET', k, v]);
  setup.push(
    ['RPUSH', 'mylist', 'a', 'b', 'c'],
    ['SADD', 'myset', 'a', 'b'],
    ['ZADD', 'myzset', 1, 'a', 2, 'b', 3, 'c', 4, 'd'],
    ['HSET', 'myhash', 'f1', 'v1', 'f2', 'v2'],
    ['PFADD', 'myhll', 'a', 'b', 'c', 'd', 'e'],
    ['SET', 'single:str', 'solo'],
    ['SET', 'allowed:a', '1'],
    ['SET', 'secret:b', '2'],
    ['SET', 'evnotstream', 'x'],
    // a stream with two groups, two consumers, a deleted entry
    ['XADD', 'events', '1700000000001-0', 'f', '1'],
    ['XADD', 'events', '1700000000002-0', 'f', '2'],
    ['XADD', 'events', '1700000000003-0', 'f', '3'],
    ['XADD', 'events', '1700000000004-0', 'f', '4'],
    ['XGROUP', 'CREATE', 'events', 'g1', '0'],
    ['XGROUP', 'CREATE', 'events', 'g2', '$'],
    ['XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', 2, 'STREAMS', 'events', '>'],
    ['XREADGROUP', 'GROUP', 'g1', 'c2', 'COUNT', 1, 'STREAMS', 'events', '>'],
    ['XDEL', 'events', '1700000000004-0'],
    ['SELECT', 3],
    ['SET', 'k3:num', '5'],
    ['RPUSH', 'k3:list', 'x', 'y'],
    ['SET', 'solo', 'three'],
    ['XADD', 'orders', '1600000000000-7', 'item', 'a'],
    ['SELECT', 2],
  );
  const bulk: Array<string | number> = ['MSET'];
  for (let i = 0; i < 5000; i++) bulk.push(`bulk:${i}`, i);
  setup.push(bulk, ['SELECT', 0]);
  await respCommands(server.endpoint, setup);
});

after(async () => {
  for (const c of open) await c.close();
  await server?.stop();
});

async function connect(suffix = '', userinfo = ''): Promise<RedisConnection> {
  const url = userinfo ? server.url.replace('redis://', `redis://${userinfo}@`) : server.url;
  const conn = new RespConnection(parseTarget(`${url}${suffix}`));
  open.push(conn);
  await conn.ready();
  return conn;
}

/** INFO commandstats calls per command (lower case, subcommands as `xinfo|stream`) plus total_reads_processed. */
async function serverCounters(): Promise<Map<string, number>> {
  const [stats, info] = (await respCommands(server.endpoint, [
    ['INFO', 'commandstats'],
    ['INFO', 'stats'],
  ])) as string[];
  const m = new Map<string, number>();
  for (const [, cmd, calls] of stats.matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)) m.set(cmd, Number(calls));
  const reads = /^total_reads_processed:(\d+)/m.exec(info);
  m.set('reads', Number(reads?.[1] ?? Number.NaN));
  return m;
}

async function counted(
  fn: () => Promise<KeyChecksResult>,
): Promise<{ r: KeyChecksResult; delta: (cmd: string) => number }> {
  const before = await serverCounters();
  const r = await fn();
  const afterwards = await serverCounters();
  // one connection per serverCounters call = one read event for its pipeline of two INFOs
  return { r, delta: (cmd) => (afterwards.get(cmd) ?? 0) - (before.get(cmd) ?? 0) - (cmd === 'reads' ? 1 : 0) };
}

async function currentDb(conn: RedisConnection): Promise<number> {
  const info = String(await conn.call('CLIENT', 'INFO'));
  return Number(/\bdb=(\d+)/.exec(info)?.[1]);
}

const soon = () => Date.now() + 10000;
const byKey = (r: KeyChecksResult, db: string, key: string): KeyInfo | undefined =>
  r.keys.find((k) => k.db === db && k.key === key);

test('values of every type, in db 0 and db 3, pipelined, connection left on its own db', async () => {
  const conn = await connect();
  const { r, delta } = await counted(() =>
    collectKeyChecks(conn, {
      checkKeys: 'db0=v:*,db0=my*,db3=k3:*',
      checkSingleKeys: 'db0=single:str,db0=nope,db3=solo',
      countKeys: 'db0=v:*,db2=bulk:*,db3=*',
      checkStreams: 'db0=ev*',
      checkSingleStreams: 'db3=orders',
      batchSize: 1000,
      deadlineMs: soon(),
    }),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.truncated, { keys: false, streams: false, deadline: false });
  assert.equal(await currentDb(conn), 0);

  const nStrings = Object.keys(STRINGS).length;
  assert.equal(r.keys.length, nStrings + 5 + 2 + 3, r.keys.map((k) => k.key).join());
  // single keys first, in flag order
  assert.deepEqual(
    r.keys.slice(0, 3).map((k) => `${k.db}/${k.key}/${k.type}`),
    ['db0/single:str/string', 'db0/nope/none', 'db3/solo/string'],
  );
  assert.equal(byKey(r, 'db0', 'v:int')?.value, 42);
  assert.equal(byKey(r, 'db0', 'v:int')?.size, 2);
  assert.equal(byKey(r, 'db0', 'v:float')?.value, 3.25);
  assert.equal(byKey(r, 'db0', 'v:underscore')?.value, 1000);
  assert.equal(byKey(r, 'db0', 'v:hexfloat')?.value, 0.25);
  assert.equal(byKey(r, 'db0', 'v:inf')?.value, Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(byKey(r, 'db0', 'v:nan')?.value));
  for (const k of ['v:hexint', 'v:space', 'v:overflow', 'v:text', 'v:quote', 'v:unicode']) {
    assert.equal(byKey(r, 'db0', k)?.value, undefined, k);
    assert.equal(byKey(r, 'db0', k)?.valueString, STRINGS[k], k);
  }
  const empty = byKey(r, 'db0', 'v:empty');
  assert.equal(empty?.size, 0);
  assert.equal(empty?.value, undefined);
  assert.equal(empty?.valueString, undefined);
  assert.equal(byKey(r, 'db0', 'v:unicode')?.size, Buffer.byteLength(STRINGS['v:unicode']));
  assert.deepEqual(
    ['mylist', 'myset', 'myzset', 'myhash'].map((k) => [byKey(r, 'db0', k)?.type, byKey(r, 'db0', k)?.size]),
    [
      ['list', 3],
      ['set', 2],
      ['zset', 4],
      ['hash', 2],
    ],
  );
  const hll = byKey(r, 'db0', 'myhll');
  assert.equal(hll?.hyperLogLog, true);
  assert.equal(hll?.size, 5);
  assert.equal(hll?.valueString, undefined);
  assert.equal(byKey(r, 'db3', 'k3:num')?.value, 5);
  assert.equal(byKey(r, 'db3', 'k3:list')?.size, 2);
  assert.equal(byKey(r, 'db3', 'solo')?.valueString, 'three');
  assert.equal(byKey(r, 'db0', 'nope')?.type, 'none');
  assert.equal(byKey(r, 'db0', 'nope')?.memoryBytes, undefined);
  for (const k of r.keys) if (k.type !== 'none') assert.ok((k.memoryBytes ?? 0) > 0, k.key);

  assert.deepEqual(r.keyCounts, [
    { db: 'db0', pattern: 'v:*', count: nStrings },
    { db: 'db2', pattern: 'bulk:*', count: 5000 },
    { db: 'db3', pattern: '*', count: 4 },
  ]);

  // the stream pattern also matches a string key: SCAN TYPE stream leaves it out, without an error reply
  assert.deepEqual(
    r.streams.map((s) => `${s.db}/${s.stream}`),
    ['db3/orders', 'db0/events'],
  );
  const events = r.streams.find((s) => s.stream === 'events')!;
  assert.equal(events.length, 3);
  assert.equal(events.groups, 2);
  assert.equal(events.lastGeneratedId, '1700000000004-0');
  assert.equal(events.firstEntryId, '1700000000001-0');
  assert.equal(events.lastEntryId, '1700000000003-0');
  assert.equal(events.maxDeletedEntryId, '1700000000004-0');
  assert.equal(events.entriesAdded, 4);
  const g1 = events.groupDetails.find((g) => g.name === 'g1')!;
  assert.deepEqual(
    { consumers: g1.consumers, pending: g1.pending, last: g1.lastDeliveredId, read: g1.entriesRead },
    { consumers: 2, pending: 3, last: '1700000000003-0', read: 3 },
  );
  assert.deepEqual(
    g1.consumerDetails.map((c) => [c.name, c.pending]),
    [
      ['c1', 2],
      ['c2', 1],
    ],
  );
  const g2 = events.groupDetails.find((g) => g.name === 'g2')!;
  assert.equal(g2.consumers, 0);
  assert.equal(g2.lastDeliveredId, '1700000000004-0');
  const orders = r.streams.find((s) => s.stream === 'orders')!;
  assert.deepEqual([orders.length, orders.groups, orders.lastGeneratedId], [1, 0, '1600000000000-7']);

  // Pipelined: a constant number of round trips, one command of each kind per key, not per key × round trip.
  const nKeys = r.keys.length;
  const nStringKeys = r.keys.filter((k) => k.type === 'string').length;
  assert.ok(r.roundTrips <= 6, `round trips: ${r.roundTrips}`);
  assert.equal(delta('type'), nKeys);
  assert.equal(delta('memory|usage'), nKeys);
  assert.equal(delta('strlen'), nStringKeys);
  assert.equal(delta('get'), nStringKeys);
  assert.equal(delta('pfcount'), 1, 'PFCOUNT only for the HyperLogLog, no WRONGTYPE error replies');
  assert.equal(delta('llen'), 2);
  assert.equal(delta('xinfo|stream'), 2);
  assert.equal(delta('xinfo|groups'), 2);
  assert.equal(delta('xinfo|consumers'), 2);
  assert.ok(delta('scan') <= 12, `scan: ${delta('scan')}`);
  // at most one SELECT per database per round trip, plus the one back to db 0
  assert.ok(delta('select') <= r.roundTrips * 4, `select: ${delta('select')} in ${r.roundTrips} round trips`);
  assert.ok(delta('reads') <= r.roundTrips + 2, `server read events: ${delta('reads')} for ${r.roundTrips} pipelines`);
});

test('the connection stays on its own database (db 5), also after a SELECT that fails', async () => {
  const conn = await connect('/5');
  assert.equal(await currentDb(conn), 5);
  const r = await collectKeyChecks(conn, {
    checkKeys: 'db0=my*,db3=k3:*',
    checkSingleKeys: 'db99=x,db0=v:int',
    checkStreams: 'db0=events',
    countKeys: 'db99=*,db3=*',
    deadlineMs: soon(),
  });
  assert.equal(await currentDb(conn), 5);
  assert.equal(await conn.call('DBSIZE'), 0);
  assert.equal(byKey(r, 'db0', 'v:int')?.value, 42);
  assert.equal(byKey(r, 'db3', 'k3:list')?.size, 2);
  assert.equal(byKey(r, 'db99', 'x'), undefined);
  assert.deepEqual(r.keyCounts, [{ db: 'db3', pattern: '*', count: 4 }]);
  const selectErrors = r.errors.filter((e) => e.db === 'db99');
  assert.equal(selectErrors.length, 2, JSON.stringify(r.errors));
  for (const e of selectErrors) assert.match(e.message, /SELECT 99 failed: .*out of range/i);
  assert.equal(r.errors.length, 2);
  assert.equal(r.streams.length, 1);
});

test('a pattern matching 5,000 keys is bounded by maxKeys; count-keys counts without storing', async () => {
  const conn = await connect();
  const first = await counted(() => collectKeyChecks(conn, { checkKeys: 'db2=bulk:*', deadlineMs: soon() }));
  assert.equal(first.r.keys.length, 1000);
  assert.equal(first.r.truncated.keys, true);
  assert.equal(first.delta('type'), 1000);
  assert.equal(first.delta('get'), 1000);
  assert.ok(first.delta('scan') <= 2, `scan: ${first.delta('scan')}`);
  assert.ok(first.r.roundTrips <= 5);
  for (const k of first.r.keys) assert.equal(k.value, Number(k.key.slice('bulk:'.length)));

  const small = await counted(() =>
    collectKeyChecks(conn, { checkKeys: 'db2=bulk:*', batchSize: 10, maxKeys: 25, deadlineMs: soon() }),
  );
  assert.equal(small.r.keys.length, 25);
  assert.equal(small.delta('type'), 25);
  assert.ok(small.delta('scan') <= 4, `scan: ${small.delta('scan')}`);

  const count = await counted(() =>
    collectKeyChecks(conn, { countKeys: 'db2=bulk:*,db2=bulk:1*', batchSize: 1000, deadlineMs: soon() }),
  );
  assert.deepEqual(count.r.keyCounts, [
    { db: 'db2', pattern: 'bulk:*', count: 5000 },
    { db: 'db2', pattern: 'bulk:1*', count: 1111 },
  ]);
  assert.equal(count.delta('type'), 0);
  // both patterns' SCANs share each round trip
  assert.equal(count.delta('scan'), count.r.roundTrips * 2);
  assert.equal(await currentDb(conn), 0);
});

test('the deadline bounds the scrape: nothing after it, a count that did not finish is not reported', async () => {
  const conn = await connect();
  const past = await collectKeyChecks(conn, {
    checkKeys: 'db2=bulk:*',
    checkSingleKeys: 'v:int',
    countKeys: 'db2=*',
    deadlineMs: Date.now() - 1,
  });
  assert.equal(past.roundTrips, 0);
  assert.deepEqual([past.keys, past.keyCounts, past.streams], [[], [], []]);
  assert.equal(past.truncated.deadline, true);
  assert.ok(past.errors.some((e) => /count-keys did not finish/.test(e.message)));

  // a connection whose every round trip takes 200 ms, and a count that needs 500 SCAN steps (round trips this long,
  // against a 3 s deadline, leave room for a loaded machine's stalls)
  const slow: RedisConnection = {
    target: conn.target,
    get generation() {
      return conn.generation;
    },
    reset: () => conn.reset(),
    ready: (d) => conn.ready(d),
    call: (name, ...args) => conn.call(name, ...args),
    isReady: () => conn.isReady(),
    close: async () => undefined,
    pipeline: async (commands: Command[]): Promise<Reply[]> => {
      await new Promise((r) => setTimeout(r, 200));
      return conn.pipeline(commands);
    },
  };
  const deadlineMs = Date.now() + 3000;
  const r = await collectKeyChecks(slow, {
    checkSingleKeys: 'v:int',
    countKeys: 'db2=*',
    batchSize: 10,
    deadlineMs,
  });
  assert.ok(Date.now() < deadlineMs, 'returns before the deadline, so the scrape around it does not time out');
  assert.equal(r.truncated.deadline, true);
  assert.ok(r.roundTrips < 20, `round trips: ${r.roundTrips}`);
  assert.equal(byKey(r, 'db0', 'v:int')?.value, 42, 'key checks run before the long count');
  assert.deepEqual(r.keyCounts, []);
  assert.equal(await currentDb(conn), 0);
});

test('NOPERM and WRONGTYPE on one key are recorded; the other keys are still checked', async () => {
  const conn = await connect('', 'limited:limpw');
  const r = await collectKeyChecks(conn, {
    checkSingleKeys: 'allowed:a,secret:b',
    checkSingleStreams: 'allowed:a',
    deadlineMs: soon(),
  });
  assert.equal(byKey(r, 'db0', 'allowed:a')?.value, 1);
  assert.equal(byKey(r, 'db0', 'secret:b'), undefined);
  assert.deepEqual(
    r.errors.map((e) => [e.key, e.command]),
    [
      ['secret:b', 'TYPE'],
      ['allowed:a', 'XINFO STREAM'],
    ],
  );
  assert.match(r.errors[0].message, /NOPERM/);
  assert.match(r.errors[1].message, /WRONGTYPE/);
  assert.equal(r.streams.length, 0);
});

test('bad flag syntax is a typed error before any command is sent', async () => {
  const conn = await connect();
  await assert.rejects(
    collectKeyChecks(conn, { checkKeys: 'dbx=foo', deadlineMs: soon() }),
    /--check-keys: "dbx=foo": database "dbx" is not a number/,
  );
});

// ---- comparison with Debian's prometheus-redis-exporter 1.45 ----

const FLAGS = {
  checkKeys: 'db0=v:*,db0=my*,db3=k3:*',
  checkSingleKeys: 'db0=single:str,db0=nope,db3=solo',
  countKeys: 'db0=v:*,db2=bulk:*,db3=*',
  checkStreams: 'db0=ev*',
  checkSingleStreams: 'db3=orders',
} satisfies Partial<KeyCheckOptions>;

/** Families 1.45 does not have (added upstream later). */
const NEWER_THAN_145 = new Set([
  'redis_key_memory_usage_bytes',
  'redis_stream_max_deleted_entry_id',
  'redis_stream_first_entry_id',
  'redis_stream_last_entry_id',
  'redis_stream_entries_added_total',
  'redis_stream_group_entries_read',
  'redis_stream_group_lag',
]);

function sampleId(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort());
}

test('same names, types, labels and values as prometheus-redis-exporter 1.45 with the same flags', async (t) => {
  const peer = await startPeerExporter({
    redisAddr: server.url,
    args: [
      '-redis-only-metrics',
      '-check-keys',
      FLAGS.checkKeys,
      '-check-single-keys',
      FLAGS.checkSingleKeys,
      '-count-keys',
      FLAGS.countKeys,
      '-check-streams',
      FLAGS.checkStreams,
      '-check-single-streams',
      FLAGS.checkSingleStreams,
    ],
  });
  let theirsText: string;
  let theirCommands: (cmd: string) => number;
  try {
    const before = await serverCounters();
    theirsText = (await httpGet(`${peer.url}/metrics`)).body;
    const afterwards = await serverCounters();
    theirCommands = (cmd) => (afterwards.get(cmd) ?? 0) - (before.get(cmd) ?? 0);
  } finally {
    await peer.stop();
  }
  const conn = await connect();
  const { r, delta } = await counted(() => collectKeyChecks(conn, { ...FLAGS, deadlineMs: soon() }));
  const b = new FamilyBuilder('redis');
  addKeyFamilies(b, r);
  const ours = parseExposition(renderText(b.families()));
  const theirs = parseExposition(theirsText);
  const relevant = (name: string) =>
    /^redis_(key_|keys_count|stream_)/.test(name) && !name.startsWith('redis_key_group');

  const theirNames = [...theirs.keys()].filter(relevant).sort();
  const ourNames = [...ours.keys()].filter(relevant).sort();
  assert.ok(theirNames.length >= 10, `1.45 emitted: ${theirNames.join(', ')}`);
  assert.deepEqual(
    theirNames.filter((n) => !ours.has(n)),
    [],
    'every key/stream family 1.45 emits is emitted',
  );
  assert.deepEqual(
    ourNames.filter((n) => !theirs.has(n)),
    [...NEWER_THAN_145].sort(),
    'the only extra families are the ones newer redis_exporter versions added',
  );

  // Known, intended differences (redis_exporter's later behaviour): 1.45 exports GET of an empty string and of
  // a HyperLogLog's binary representation as key_value_as_string.
  const expectedOnlyTheirs = (name: string, labels: Record<string, string>) =>
    name === 'redis_key_value_as_string' && (labels.key === 'v:empty' || labels.key === 'myhll');
  const onlyTheirs: string[] = [];
  let compared = 0;
  for (const name of theirNames) {
    const tf = theirs.get(name) as ParsedFamily;
    const of = ours.get(name) as ParsedFamily;
    assert.equal(of.type, tf.type, `${name} type`);
    assert.deepEqual(labelNames(of), labelNames(tf), `${name} label names`);
    assert.equal(of.help, tf.help, `${name} HELP`);
    const ourSamples = new Map(of.samples.map((s) => [sampleId(s.labels), s.value]));
    const theirIds = new Set<string>();
    for (const s of tf.samples) {
      const id = sampleId(s.labels);
      theirIds.add(id);
      if (!ourSamples.has(id)) {
        if (expectedOnlyTheirs(name, s.labels)) onlyTheirs.push(`${name}${id}`);
        else assert.fail(`1.45 has ${name}${id} = ${s.value}, we do not`);
        continue;
      }
      const v = ourSamples.get(id) as number;
      compared++;
      if (name === 'redis_stream_group_consumer_idle_seconds') assert.ok(Math.abs(v - s.value) < 5, `${name}${id}`);
      else if (Number.isNaN(s.value)) assert.ok(Number.isNaN(v), `${name}${id}`);
      else assert.equal(v, s.value, `${name}${id}`);
    }
    for (const id of ourSamples.keys()) assert.ok(theirIds.has(id), `we have ${name}${id}, 1.45 does not`);
  }
  assert.ok(compared >= 40, `compared ${compared} samples`);
  assert.ok(
    onlyTheirs.some((s) => s.includes('v:empty')),
    onlyTheirs.join('\n'),
  );

  t.diagnostic(`1.45 only (intended): ${onlyTheirs.join(' ')}`);
  const kinds = [
    'select',
    'scan',
    'type',
    'memory|usage',
    'pfcount',
    'strlen',
    'get',
    'xinfo|stream',
    'xinfo|consumers',
  ];
  t.diagnostic(`commands 1.45: ${kinds.map((k) => `${k}=${theirCommands(k)}`).join(' ')}`);
  t.diagnostic(`commands ours: ${kinds.map((k) => `${k}=${delta(k)}`).join(' ')}; round trips ${r.roundTrips}`);
  assert.ok(delta('select') < theirCommands('select'));
  assert.ok(delta('pfcount') < theirCommands('pfcount'));
  assert.ok(delta('reads') <= r.roundTrips + 2);
});
