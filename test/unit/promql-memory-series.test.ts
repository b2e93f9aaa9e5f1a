import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySeries } from '../../src/promql/memory-series.ts';
import { isStaleNaN, STALE_NAN } from '../../src/promql/types.ts';

test('select: matchers with anchored regexes, the hinted window, results sorted by labels', () => {
  const m = new MemorySeries();
  m.append({ job: 'redis', __name__: 'up', instance: 'b' }, 1000, 1);
  m.append({ __name__: 'up', job: 'redis', instance: 'a' }, 1000, 0);
  m.append({ __name__: 'up', job: 'xredis', instance: 'c' }, 1000, 1);
  m.append({ __name__: 'up', job: 'redis', instance: 'a' }, 5000, 1);
  const got = m.select([{ name: 'job', type: '=~', value: 'redis' }], { start: 0, end: 2000 });
  assert.deepEqual(
    got.map((s) => [s.labels, Array.from(s.t), Array.from(s.v)]),
    [
      [{ __name__: 'up', instance: 'a', job: 'redis' }, [1000], [0]],
      [{ __name__: 'up', instance: 'b', job: 'redis' }, [1000], [1]],
    ],
  );
  assert.deepEqual(Object.keys(got[0]?.labels ?? {}), ['__name__', 'instance', 'job'], 'labels sorted by name');
  assert.equal(m.select([{ name: '__name__', type: '=', value: 'up' }], { start: 6000, end: 9000 }).length, 0);
});

test('out-of-order and duplicate samples are dropped and counted', () => {
  const m = new MemorySeries();
  m.append({ __name__: 'x' }, 2000, 1);
  m.append({ __name__: 'x' }, 2000, 2);
  m.append({ __name__: 'x' }, 1000, 3);
  m.append({ __name__: 'x' }, 3000, 4);
  assert.equal(m.dropped, 2);
  const [s] = m.select([{ name: '__name__', type: '=', value: 'x' }], { start: 0, end: 9000 });
  assert.deepEqual(Array.from(s?.v ?? []), [1, 4]);
});

test('staleness markers keep their bit pattern through storage and selection (past 16 samples too)', () => {
  const m = new MemorySeries();
  for (let i = 0; i < 40; i++) m.append({ __name__: 'x' }, i * 1000, i % 10 === 9 ? STALE_NAN : i);
  const [s] = m.select([{ name: '__name__', type: '=', value: 'x' }], { start: 0, end: 99_000 });
  const stale = Array.from(s?.v ?? [], (v, i) => (isStaleNaN(v) ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(stale, [9, 19, 29, 39]);
});

test('label names and values in a window', () => {
  const m = new MemorySeries();
  m.append({ __name__: 'up', job: 'redis', instance: 'a' }, 1000, 1);
  m.append({ __name__: 'redis_up', job: 'redis', zone: 'z' }, 1000, 1);
  m.append({ __name__: 'late', env: 'x' }, 9000, 1);
  assert.deepEqual(m.labelNames([], 0, 2000), ['__name__', 'instance', 'job', 'zone']);
  assert.deepEqual(m.labelValues('__name__', [{ name: 'job', type: '=', value: 'redis' }], 0, 2000), [
    'redis_up',
    'up',
  ]);
  assert.deepEqual(m.labelValues('env', [], 0, 2000), []);
});
