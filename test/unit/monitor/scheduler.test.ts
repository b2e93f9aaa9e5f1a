import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../../src/monitor/scheduler.ts';

test('a job that never settles is skipped on later ticks while the others run each tick', async () => {
  const s = new Scheduler({ intervalMs: 1000, timeoutMs: 800, now: () => 0 });
  const fast: Array<[number, number]> = [];
  s.add({ id: 'hung', run: () => new Promise(() => {}) });
  s.add({
    id: 'fast',
    run: async (tick, deadline) => {
      fast.push([tick, deadline]);
    },
  });
  await Promise.race([s.runTick(1000), new Promise((r) => setTimeout(r, 50))]);
  await Promise.race([s.runTick(2000), new Promise((r) => setTimeout(r, 50))]);
  await Promise.race([s.runTick(3000), new Promise((r) => setTimeout(r, 50))]);
  assert.deepEqual(fast, [
    [1000, 1800],
    [2000, 2800],
    [3000, 3800],
  ]);
  assert.deepEqual(s.stats('hung'), { runs: 1, skipped: 2, overran: 0, failed: 0 });
  assert.deepEqual(s.stats('fast'), { runs: 3, skipped: 0, overran: 0, failed: 0 });
});

test('a failing job is counted, not thrown, and runs again on the next tick', async () => {
  let calls = 0;
  const s = new Scheduler({ intervalMs: 100, timeoutMs: 50 });
  s.add({
    id: 'bad',
    run: () => {
      calls++;
      throw new Error('boom');
    },
  });
  await s.runTick(0);
  await s.runTick(100);
  assert.equal(calls, 2);
  assert.equal(s.stats('bad')?.failed, 2);
});

test('a timeout at or above the interval is refused', () => {
  assert.throws(() => new Scheduler({ intervalMs: 1000, timeoutMs: 1000 }), /less than the interval/);
});

test('started, it ticks on its own every interval, with the same tick time for every job', async () => {
  const s = new Scheduler({ intervalMs: 100, timeoutMs: 80 });
  const ticks: Record<string, number[]> = { a: [], b: [] };
  for (const id of ['a', 'b'])
    s.add({
      id,
      run: async (tick) => {
        ticks[id].push(tick);
      },
    });
  s.start();
  const deadline = Date.now() + 20_000;
  while (ticks.b.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await s.stop();
  assert.ok(ticks.b.length >= 3);
  assert.deepEqual(ticks.a.slice(0, 3), ticks.b.slice(0, 3));
  assert.equal(ticks.a[1] - ticks.a[0], 100);
  assert.equal(ticks.a[2] - ticks.a[1], 100);
});
