import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anchoredRegex, MatcherError } from '../../../src/monitor/store/label-matchers.ts';
import { SeriesIndex, seriesKey } from '../../../src/monitor/store/series-index.ts';
import type { Matcher } from '../../../src/promql/types.ts';

const m = (name: string, type: Matcher['type'], value: string): Matcher => ({ name, type, value });

function indexOf(...sets: Record<string, string>[]): SeriesIndex {
  const index = new SeriesIndex();
  for (const s of sets) index.idFor(s);
  return index;
}

describe('series index', () => {
  const index = indexOf(
    { __name__: 'redis_up', instance: 'a:6379', job: 'redis' },
    { __name__: 'redis_up', instance: 'b:6379', job: 'redis' },
    { __name__: 'redis_commands_total', instance: 'a:6379', job: 'redis', cmd: 'get' },
    { __name__: 'redis_commands_total', instance: 'a:6379', job: 'redis', cmd: 'set' },
    { __name__: 'up', instance: 'a:6379' },
  );

  it('gives one id per label set, whatever the order of its labels; empty values are no label', () => {
    const a = index.idFor({ job: 'redis', instance: 'a:6379', __name__: 'redis_up' });
    assert.equal(a, 0);
    assert.equal(index.idFor({ __name__: 'up', instance: 'a:6379', job: '' }), 4);
    assert.equal(seriesKey({ b: '1', a: '2' }), seriesKey({ a: '2', b: '1' }));
    assert.deepEqual(Object.keys(index.labelsOf(2)!), ['__name__', 'cmd', 'instance', 'job']);
  });

  it('selects with equality, inequality and anchored regexes', () => {
    assert.deepEqual(index.select([m('__name__', '=', 'redis_up')]), [0, 1]);
    assert.deepEqual(index.select([m('__name__', '=', 'redis_up'), m('instance', '!=', 'a:6379')]), [1]);
    assert.deepEqual(index.select([m('__name__', '=~', 'redis_.*')]), [0, 1, 2, 3]);
    // Anchored: 'redis' alone matches no name, though it is a substring of several.
    assert.deepEqual(index.select([m('__name__', '=~', 'redis')]), []);
    assert.deepEqual(index.select([m('__name__', '=~', 'redis_commands_total'), m('cmd', '!~', 'g.t')]), [3]);
    assert.deepEqual(index.select([m('__name__', '=~', 'REDIS_UP|up'), m('instance', '=', 'a:6379')]), [4]);
    assert.deepEqual(index.select([m('__name__', '=~', '(?i)REDIS_UP')]), [0, 1]);
  });

  it('treats an absent label as the empty value, as Prometheus does', () => {
    assert.deepEqual(index.select([m('job', '=', '')]), [4]);
    assert.deepEqual(index.select([m('job', '!=', '')]), [0, 1, 2, 3]);
    assert.deepEqual(index.select([m('cmd', '=~', '.*')]), [0, 1, 2, 3, 4]);
    assert.deepEqual(index.select([m('cmd', '=~', '.+')]), [2, 3]);
    assert.deepEqual(index.select([m('cmd', '!~', 'get|')]), [3]);
    assert.deepEqual(index.select([m('nosuch', '=', 'x')]), []);
  });

  it('forgets removed series and rebuilds postings', () => {
    const idx = indexOf({ __name__: 'a' }, { __name__: 'b' });
    idx.remove([0]);
    assert.equal(idx.size, 1);
    assert.deepEqual(idx.select([m('__name__', '=~', '.+')]), [1]);
    assert.equal(idx.idFor({ __name__: 'a' }), 2);
  });

  it('tracks the span each series covers', () => {
    const idx = indexOf({ __name__: 'a' });
    idx.cover(0, 100, 200);
    idx.cover(0, 50, 150);
    assert.ok(idx.overlaps(0, 0, 50));
    assert.ok(!idx.overlaps(0, 201, 300));
    assert.equal(idx.lastTime(0), 200);
  });

  it('names a regex that does not compile', () => {
    assert.throws(() => anchoredRegex('a('), MatcherError);
    assert.throws(() => anchoredRegex('a('), /invalid regular expression "a\("/);
  });
});
