import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueryable } from '../../../src/monitor/api/bounded-queryable.ts';
import { promqlEngine } from '../../../src/promql/engine.ts';
import { MemoryStore } from '../../support/memory-store.ts';

function store(): MemoryStore {
  const s = new MemoryStore();
  for (let i = 0; i < 50; i++) for (let t = 0; t < 100; t++) s.append({ __name__: 'm', i: String(i) }, t * 1000, t);
  return s;
}

test("a query past its deadline ends with Prometheus's timeout error, checked as series are read", () => {
  let now = 0;
  const clock = () => now;
  // Each series read advances the clock by a second: the deadline (10 s) passes on the 11th.
  const slow = new BoundedQueryable(
    {
      select: (m, h) => {
        const all = store().select(m, h);
        return all.map((s) => {
          now += 1000;
          return s;
        });
      },
      labelNames: () => [],
      labelValues: () => [],
    },
    10_000,
    1e9,
    clock,
  );
  assert.throws(
    () => promqlEngine.instantQuery(slow, 'sum(m)', 99_000),
    (err: Error & { errorType?: string }) => err.errorType === 'timeout' && /query timed out/.test(err.message),
  );
});

test('a query reading more samples than allowed ends with an execution error', () => {
  const q = new BoundedQueryable(store(), Number.POSITIVE_INFINITY, 1000);
  assert.throws(
    () => promqlEngine.rangeQuery(q, 'sum(m)', 0, 99_000, 1000),
    (err: Error & { errorType?: string }) => err.errorType === 'execution' && /too many samples/.test(err.message),
  );
  const ok = new BoundedQueryable(store(), Number.POSITIVE_INFINITY, 1e6);
  assert.equal(promqlEngine.instantQuery(ok, 'count(m)', 99_000).type, 'vector');
});

test('a query that reads nothing from the store still ends at its deadline (subquery and range steps are checkpoints)', () => {
  // The clock advances a millisecond per look: the deadline passes after a few thousand steps, long before the
  // 3.6 million subquery steps (or 10,800 range steps of a 6 h subquery each) these queries would take.
  let now = 0;
  const clock = () => now++;
  const timedOut = (run: (q: BoundedQueryable) => unknown) => {
    const q = new BoundedQueryable(store(), 1_000, 1e9, clock);
    assert.throws(
      () => run(q),
      (e: unknown) => (e as { errorType?: string }).errorType === 'timeout',
    );
  };
  timedOut((q) =>
    promqlEngine.instantQuery(q, 'count_over_time(vector(1)[1h:1ms])', 3_600_000, { checkpoint: () => q.check() }),
  );
  timedOut((q) =>
    promqlEngine.rangeQuery(q, 'max_over_time(vector(1)[6h:1s])', 0, 108_000_000, 10_000, {
      checkpoint: () => q.check(),
    }),
  );
});
