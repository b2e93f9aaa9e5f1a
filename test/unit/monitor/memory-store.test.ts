import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStaleNaN, STALE_NAN } from '../../../src/promql/types.ts';
import { MemoryStore } from '../../support/memory-store.ts';

const ALL = { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };

test('keeps the staleness marker, drops out-of-order samples, selects by name and matchers, sorted', () => {
  const store = new MemoryStore();
  const up = { __name__: 'up', job: 'redis', instance: 'b' };
  store.append(up, 1000, 1);
  store.append(up, 2000, STALE_NAN);
  store.append(up, 2000, 5);
  store.append({ job: 'redis', __name__: 'up', instance: 'a' }, 1000, 0);
  store.append({ __name__: 'redis_up', job: 'redis', instance: 'a' }, 1000, 1);
  assert.equal(store.dropped, 1);
  const got = store.select([{ name: '__name__', type: '=', value: 'up' }], ALL);
  assert.deepEqual(
    got.map((s) => s.labels.instance),
    ['a', 'b'],
  );
  assert.deepEqual(Object.keys(got[0].labels), ['__name__', 'instance', 'job'], 'labels sorted');
  assert.ok(isStaleNaN(got[1].v[1]), 'the marker keeps its bits');
  assert.equal(store.select([{ name: 'instance', type: '=~', value: 'a|c' }], ALL).length, 2);
  assert.deepEqual(store.labelValues('__name__', [], 0, 5000), ['redis_up', 'up']);
  const window = store.select([{ name: '__name__', type: '=', value: 'up' }], { start: 1500, end: 5000 });
  assert.deepEqual(Array.from(window[0].t), [2000]);
});

test('trims samples past the retention and forgets series left empty', () => {
  let now = 10_000;
  const store = new MemoryStore(5000, () => now);
  for (let t = 0; t <= 10_000; t += 1000) store.append({ __name__: 'a' }, t, t);
  store.append({ __name__: 'old' }, 1000, 1);
  store.trim();
  assert.deepEqual(
    Array.from(store.select([{ name: '__name__', type: '=', value: 'a' }], ALL)[0].t),
    [5000, 6000, 7000, 8000, 9000, 10_000],
  );
  assert.equal(store.select([{ name: '__name__', type: '=', value: 'old' }], ALL).length, 0);
  now = 20_000;
  store.append({ __name__: 'a' }, 20_000, 1);
  store.trim();
  assert.deepEqual(Array.from(store.select([{ name: '__name__', type: '=', value: 'a' }], ALL)[0].t), [20_000]);
});
