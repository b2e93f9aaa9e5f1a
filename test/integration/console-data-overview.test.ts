import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConsoleHttpError, type InstanceDetail, type OverviewResponse } from '../../src/console/contract.ts';
import { type ConsoleUp, callRoute, startConsoleUp } from '../support/console-data-up.ts';
import { waitFor } from '../support/prom-stack.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function info(server: RedisServer): Promise<Map<string, string>> {
  const text = String(await server.command('INFO', 'ALL'));
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

async function overview(up: ConsoleUp): Promise<OverviewResponse> {
  return (await callRoute(up.deps, 'GET', '/console/api/overview')) as OverviewResponse;
}

async function detail(up: ConsoleUp, instance: string): Promise<InstanceDetail> {
  return (await callRoute(up.deps, 'GET', '/console/api/instances/:instance', {
    params: { instance },
  })) as InstanceDetail;
}

test('overview and instance detail match INFO of real servers: a master with a replica, and one that is down', async () => {
  const master = await startRedis({ config: ['maxmemory 10mb'] });
  cleanups.push(() => master.stop());
  const replica = await startRedis({ replicaOf: master });
  cleanups.push(() => replica.stop());
  const gone = await startRedis();
  await gone.stop();
  const up = await startConsoleUp({
    targets: [master, replica, gone].map((s) => ({ url: s.url, instance: `127.0.0.1:${s.port}` })),
  });
  cleanups.push(() => up.stop());
  const [mi, ri, gi] = [master, replica, gone].map((s) => `127.0.0.1:${s.port}`);

  for (let i = 0; i < 5; i++) await master.command('SET', `k${i}`, 'v');
  await master.command('EXPIRE', 'k0', 1000);
  await master.command('EXPIRE', 'k1', 1000);
  await master.command('HSET', 'h', 'f', '1');
  await master.command('MOVE', 'h', '1');

  // Two scrapes into the history before the reads, so the 5-minute increase sees them.
  await waitFor(
    'two scrapes of the master',
    async () => {
      const o = await overview(up);
      const row = o.instances.find((r) => r.instance === mi);
      return row?.health === 'up' && row.opsPerSecond !== null && up.deps.history.stats() !== undefined ? o : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const firstScrape = up.deps.monitor.targets[0].health.lastScrapeMs;
  await waitFor('a later scrape', () => up.deps.monitor.targets[0].health.lastScrapeMs > firstScrape + 1000, {
    timeoutMs: 60_000,
  });
  for (const k of ['k2', 'k3', 'k4', 'missing']) await master.command('GET', k);

  // Three hits and one miss in the last 5 minutes.
  const o = await waitFor(
    'the hit ratio of the reads',
    async () => {
      const r = await overview(up);
      const row = r.instances.find((x) => x.instance === mi);
      return row && row.hitRatio !== null && Math.abs(row.hitRatio - 0.75) < 1e-9 ? r : undefined;
    },
    { timeoutMs: 60_000, detail: () => 'hit ratio never 0.75' },
  );
  const m = o.instances.find((x) => x.instance === mi);
  assert.ok(m);
  const mInfo = await info(master);
  assert.equal(o.scrapeIntervalMs, 1000);
  assert.ok(o.generatedAt > 0);
  assert.equal(m.health, 'up');
  assert.equal(m.lastError, '');
  assert.equal(m.role, 'master');
  assert.equal(m.version, mInfo.get('redis_version'));
  assert.equal(m.maxmemoryBytes, 10 * 1024 * 1024);
  assert.equal(m.maxmemoryBytes, Number(mInfo.get('maxmemory')));
  const used = Number(mInfo.get('used_memory'));
  assert.ok(m.usedMemoryBytes !== null && m.usedMemoryBytes > used / 2 && m.usedMemoryBytes < used * 2);
  assert.ok(m.uptimeSeconds !== null && Math.abs(m.uptimeSeconds - Number(mInfo.get('uptime_in_seconds'))) <= 5);
  assert.ok(m.connectedClients !== null && m.connectedClients >= 1, 'the monitor (replicas are not counted)');
  assert.ok(m.opsPerSecond !== null && m.opsPerSecond > 0);
  assert.deepEqual(m.replication, { connectedReplicas: 1 });
  assert.equal(m.firingAlerts + m.pendingAlerts >= 0, true);

  const r = o.instances.find((x) => x.instance === ri);
  assert.equal(r?.role, 'replica');
  assert.equal(r?.maxmemoryBytes, null, 'no limit');
  assert.ok(r?.replication && 'linkUp' in r.replication && r.replication.linkUp);

  const g = o.instances.find((x) => x.instance === gi);
  assert.equal(g?.health, 'down');
  assert.ok((g?.lastError ?? '').length > 0, 'the reason it is down');
  assert.equal(g?.usedMemoryBytes, null);
  assert.equal(g?.role, null);

  // The rule fires for each target that is up: counted per instance.
  await waitFor(
    'the alert counted on the overview',
    async () => {
      const rows = (await overview(up)).instances;
      return rows.find((x) => x.instance === mi)?.firingAlerts === 1 &&
        rows.find((x) => x.instance === gi)?.firingAlerts === 0
        ? true
        : undefined;
    },
    { timeoutMs: 60_000 },
  );

  // The detail: keyspace, clients, persistence, replication as INFO says.
  const d = await detail(up, mi);
  assert.equal(d.summary.instance, mi);
  assert.deepEqual(
    d.keyspace.map((k) => [k.db, k.keys, k.expires]),
    [
      [0, 5, 2],
      [1, 1, 0],
    ],
  );
  assert.ok(d.keyspace[0].avgTtlMs > 0);
  assert.equal(d.clients.maxclients, Number(mInfo.get('maxclients')));
  assert.equal(d.clients.blocked, 0);
  assert.equal(d.persistence.aofEnabled, false);
  assert.equal(d.persistence.rdbLastBgsaveOk, true);
  assert.equal(d.persistence.rdbLastSaveAt, Number(mInfo.get('rdb_last_save_time')) * 1000);
  assert.equal(d.replication.role, 'master');
  assert.equal(d.replication.connectedReplicas.length, 1);
  assert.equal(d.replication.connectedReplicas[0].state, 'online');
  assert.match(d.replication.connectedReplicas[0].address, /^127\.0\.0\.1:\d+$/);
  assert.equal(d.replication.master, null);

  const rd = await detail(up, ri);
  assert.equal(rd.replication.role, 'replica');
  assert.equal(rd.replication.master?.address, mi);
  assert.equal(rd.replication.master?.linkUp, true);

  const gd = await detail(up, gi);
  assert.equal(gd.summary.health, 'down');
  assert.deepEqual(gd.keyspace, []);

  await assert.rejects(
    async () => detail(up, '127.0.0.1:1'),
    (e: unknown) => e instanceof ConsoleHttpError && e.status === 404,
  );
});
