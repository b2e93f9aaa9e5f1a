import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Monitor } from '../../../src/monitor/monitor.ts';
import { isStaleNaN } from '../../../src/promql/types.ts';
import { parseTarget } from '../../../src/redis/target.ts';
import { startFakeListener } from '../../support/fake-listener.ts';
import { RecordingStore } from '../../support/memory-store.ts';
import { startRedis } from '../../support/redis-server.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function last(store: RecordingStore, labels: Record<string, string>): number | undefined {
  const s = store.get(labels);
  return s && s.v.length > 0 ? s.v[s.v.length - 1] : undefined;
}

test('several targets at once: up with reasons, job and instance labels, a blackholed target delays no other, a killed one goes stale and comes back', async () => {
  const a = await startRedis();
  cleanups.push(() => a.stop());
  const b = await startRedis();
  cleanups.push(() => b.stop());
  const hole = await startFakeListener('silent');
  cleanups.push(() => hole.close());
  // A hostile Redis whose first reply never ends.
  const endless = await startFakeListener('endless-bulk');
  cleanups.push(() => endless.close());
  const instances = [a.url, b.url, `redis://127.0.0.1:${hole.port}`, `redis://127.0.0.1:${endless.port}`];
  const store = new RecordingStore();
  const monitor = new Monitor(
    instances.map((i) => ({ target: parseTarget(i), instance: i })),
    store,
    { job: 'redis', scrapeIntervalMs: 2000, scrapeTimeoutMs: 1500, securityIntervalMs: 4000, configCommand: 'CONFIG' },
  );
  cleanups.push(() => monitor.stop());
  monitor.start();
  const up = (i: string) => last(store, { __name__: 'up', job: 'redis', instance: i });

  // The blackholed target answers nothing: down with the deadline as its reason, the others up.
  await until(() => (up(instances[2]) === 0 ? true : undefined), 'the blackholed target reported down');
  assert.equal(up(instances[0]), 1);
  assert.equal(up(instances[1]), 1);
  const holeHealth = monitor.health()[2];
  assert.equal(holeHealth.health, 'down');
  assert.match(holeHealth.lastError, /deadline|did not answer|timed out|timeout/i);
  await until(() => (up(instances[3]) === 0 ? true : undefined), 'the endless target reported down');
  assert.match(monitor.health()[3].lastError, /not answering like Redis/);
  assert.equal(last(store, { __name__: 'redis_up', job: 'redis', instance: instances[0] }), 1);
  assert.equal(
    last(store, { __name__: 'redis_exporter_last_scrape_error', job: 'redis', instance: instances[2] }),
    undefined,
    'the error message is a label: the series without it is the healthy one',
  );

  // Every series carries job="redis" and one of the instances as written.
  for (const s of store.all()) {
    assert.equal(s.labels.job, 'redis', JSON.stringify(s.labels));
    assert.ok(instances.includes(s.labels.instance), JSON.stringify(s.labels));
  }

  // One tick for everyone; a healthy target's samples of that tick were written while the blackholed one's scrape
  // of the same tick was still waiting for its deadline.
  const holeUp = store.get({ __name__: 'up', job: 'redis', instance: instances[2] });
  const aUp = store.get({ __name__: 'up', job: 'redis', instance: instances[0] });
  const tick = holeUp?.t[0] ?? -1;
  assert.ok(Array.from(aUp?.t ?? []).includes(tick), 'the same tick timestamps for every target');
  const order = (i: string) =>
    store.appends.findIndex((x) => x.t === tick && x.labels.__name__ === 'up' && x.labels.instance === i);
  assert.ok(order(instances[0]) >= 0 && order(instances[0]) < order(instances[2]));
  const duration = (i: string) => last(store, { __name__: 'scrape_duration_seconds', job: 'redis', instance: i }) ?? 0;
  assert.ok(duration(instances[0]) < duration(instances[2]));

  // The security posture arrives on its own schedule as redis_security_* series.
  await until(
    () => last(store, { __name__: 'redis_security_score', job: 'redis', instance: instances[0] }),
    'posture series',
  );

  // Killed: down with the reason, its series stale at once; restarted: up again.
  const memory = { __name__: 'redis_memory_used_bytes', job: 'redis', instance: instances[1] };
  await b.kill();
  await until(() => (up(instances[1]) === 0 ? true : undefined), 'the killed target reported down');
  assert.match(monitor.health()[1].lastError, /refused|closed|reset|unreachable|connect/i);
  const mem = store.get(memory);
  assert.ok(mem && isStaleNaN(mem.v[mem.v.length - 1]), 'its series got a stale marker');
  assert.ok(monitor.health()[1].lastError.length > 0);
  await b.restart();
  await until(() => (up(instances[1]) === 1 ? true : undefined), 'the restarted target back up');
  await until(() => {
    const m = store.get(memory);
    return m && !Number.isNaN(m.v[m.v.length - 1]) ? true : undefined;
  }, 'its series back');
  assert.equal(store.dropped, 0);
});
