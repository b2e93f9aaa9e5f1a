import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { labelNames, type ParsedFamily, parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { type PeerExporter, startPeerExporter } from '../support/peer-exporter.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningExporter, startExporter } from '../support/redoubt.ts';

// Values that differ between any two exporters by construction: the exporters' own connections and commands.
const EXPORTER_DEPENDENT = new Set([
  'redis_connected_clients',
  'redis_client_recent_max_input_buffer_bytes',
  'redis_client_recent_max_output_buffer_bytes',
  'redis_exporter_last_scrape_connect_time_seconds',
  'redis_exporter_last_scrape_duration_seconds',
  'redis_exporter_scrape_duration_seconds',
  'redis_exporter_build_info',
  'redis_exporter_scrapes_total',
  'redis_mem_clients_normal',
  'redis_memory_used_bytes', // includes the connected exporters' client buffers
  'redis_memory_used_dataset_bytes',
  'redis_target_scrape_request_errors_total',
  'redis_start_time_seconds', // computed from the scrape's own clock (second resolution)
]);

// Per-command stats of the commands the exporters themselves send differ by construction.
const EXPORTER_COMMANDS = new Set([
  'info',
  'config|get',
  'slowlog|len',
  'slowlog|get',
  'latency|latest',
  'latency|histogram',
  'client|setname',
  'command|info',
  'ping',
  'auth',
  'select',
  'hello',
]);

let master: RedisServer;
let replica: RedisServer;
let peer: PeerExporter;
let ours: RunningExporter;

before(async () => {
  master = await startRedis({
    config: [
      'maxmemory 128mb',
      'maxmemory-policy allkeys-lru',
      'slowlog-log-slower-than 5000',
      'enable-debug-command yes',
    ],
  });
  replica = await startRedis({ replicaOf: master });
  for (let i = 0; i < 200; i++) await master.command('SET', `k${i}`, `v${i}`, 'EX', '3600');
  await master.command('SELECT', '2');
  await master.command('HSET', 'h', 'f', 'v');
  await master.command('GET', 'k1');
  await master.command('GET', 'nokey');
  await master.command('CONFIG', 'SET', 'latency-monitor-threshold', '1');
  await master.command('DEBUG', 'SLEEP', '0.02'); // a slowlog entry and a latency event
  await master.command('NOSUCHCOMMAND').catch(() => undefined);
  peer = await startPeerExporter({ redisAddr: master.url });
  ours = await startExporter(['--redis.addr', master.url, '--scrape.allowed-targets', `${master.url},${replica.url}`]);
});

after(async () => {
  await ours?.stop();
  await peer?.stop();
  await replica?.stop();
  await master?.stop();
});

function redisFamilies(text: string): Map<string, ParsedFamily> {
  const all = parseExposition(text);
  for (const k of [...all.keys()]) if (!k.startsWith('redis_')) all.delete(k);
  return all;
}

function key(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort());
}

for (const [label, server] of [
  ['master', () => master],
  ['replica', () => replica],
] as const) {
  test(`every redis_* family of redis_exporter 1.45 is emitted with the same type and label names (${label})`, async () => {
    const target = server().url;
    const peerText = (await httpGet(`${peer.url}/scrape?target=${encodeURIComponent(target)}`)).body;
    const ourText = (await httpGet(`${ours.url}/scrape?target=${encodeURIComponent(target)}`)).body;
    const theirs = redisFamilies(peerText);
    const mine = redisFamilies(ourText);
    assert.ok(theirs.size > 50, `peer emitted only ${theirs.size} families`);
    const missing: string[] = [];
    const differing: string[] = [];
    for (const [name, f] of theirs) {
      const m = mine.get(name);
      if (!m) {
        missing.push(name);
        continue;
      }
      if (m.type !== f.type) differing.push(`${name}: type ${m.type} != ${f.type}`);
      const a = labelNames(m).join(',');
      const b = labelNames(f).join(',');
      if (a !== b) differing.push(`${name}: labels {${a}} != {${b}}`);
    }
    assert.deepEqual(missing, [], `families redis_exporter emits that redoubt does not: ${missing.join(', ')}`);
    assert.deepEqual(differing, []);
  });
}

test('values equal redis_exporter 1.45 where they do not change between two scrapes', async () => {
  await httpGet(`${ours.url}/metrics`); // connect and probe first, so our own one-off commands are counted in a1 and a2
  const a1 = redisFamilies((await httpGet(`${peer.url}/metrics`)).body);
  const a2 = redisFamilies((await httpGet(`${peer.url}/metrics`)).body);
  const b = redisFamilies((await httpGet(`${ours.url}/metrics`)).body);
  // A third peer scrape after ours: a value that did not move across a1, a2 and a3 was stable while we scraped.
  const a3 = redisFamilies((await httpGet(`${peer.url}/metrics`)).body);
  const mismatches: string[] = [];
  let compared = 0;
  for (const [name, f2] of a2) {
    if (EXPORTER_DEPENDENT.has(name)) continue;
    // Allocator and memory figures move with every connection's buffers, between any two scrapes.
    if (/allocator|memory|mem_|rss|fragmentation/.test(name)) continue;
    // CPU and clock readings advance with time even when two back-to-back peer scrapes happen to agree.
    if (/cpu|uptime|_time|eventloop|instantaneous|avg_ttl|_ago|since/.test(name)) continue;
    const f1 = a1.get(name);
    const mine = b.get(name);
    if (!f1 || !mine) continue;
    const first = new Map(f1.samples.map((s) => [s.name + key(s.labels), s.value]));
    const third = new Map((a3.get(name)?.samples ?? []).map((s) => [s.name + key(s.labels), s.value]));
    const ourSamples = new Map(mine.samples.map((s) => [s.name + key(s.labels), s.value]));
    for (const s of f2.samples) {
      const k = s.name + key(s.labels);
      if (first.get(k) !== s.value || third.get(k) !== s.value) continue; // changes between scrapes
      if (s.labels.cmd && EXPORTER_COMMANDS.has(s.labels.cmd)) continue;
      compared++;
      // redoubt may add labels (instance_info has upstream's newer master_replid): match on the peer's labels.
      const v =
        ourSamples.get(k) ??
        mine.samples.find((o) => o.name === s.name && Object.entries(s.labels).every(([lk, lv]) => o.labels[lk] === lv))
          ?.value;
      if (v === undefined) mismatches.push(`${s.name}${key(s.labels)} missing (peer ${s.value})`);
      else if (Math.abs(v - s.value) > 1e-9 * Math.max(1, Math.abs(s.value)))
        mismatches.push(`${s.name}${key(s.labels)}: ${v} != ${s.value}`);
    }
  }
  assert.ok(compared > 100, `only ${compared} stable samples compared`);
  assert.deepEqual(mismatches, []);
});
