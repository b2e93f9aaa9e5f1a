import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goSprintf } from '../../src/monitor/alerting/go-printf.ts';
import { expandValues, parseSeriesLabels, STALE } from '../../src/monitor/rules-test/series-notation.ts';

describe("promtool's series notation", () => {
  test('expands a+bxN to N+1 values, axN to N+1 copies, _xN to N gaps, stale to a marker', () => {
    assert.deepEqual(expandValues('0+10x3'), [0, 10, 20, 30]);
    assert.deepEqual(expandValues('5x2 _ -1-2x2'), [5, 5, 5, undefined, -1, -3, -5]);
    assert.deepEqual(expandValues('_x2 stale 1e3 Inf -Inf'), [undefined, undefined, STALE, 1000, Infinity, -Infinity]);
    assert.deepEqual(expandValues('0x8').length, 9, '0x8 is 0 repeated, not hexadecimal');
    assert.ok(Number.isNaN(expandValues('NaN')[0] as number));
  });

  test('refuses what promtool refuses, and a series too long to hold', () => {
    assert.throws(() => expandValues('1 two'), /bad value "two"/);
    assert.throws(() => expandValues('1+1x1000000000000'), /too many values/);
  });

  test('series labels: name and labels, any quote, sorted', () => {
    assert.deepEqual(parseSeriesLabels(`up{job="redis", instance='a:1',x=\`b\\n\`}`), {
      __name__: 'up',
      instance: 'a:1',
      job: 'redis',
      x: 'b\\n',
    });
    assert.deepEqual(parseSeriesLabels('{__name__="a:b", z="\\"q\\""}'), { __name__: 'a:b', z: '"q"' });
    assert.throws(() => parseSeriesLabels('up{job=redis}'), /quoted label value/);
    assert.throws(() => parseSeriesLabels('up{a="1",a="2"}'), /appears twice/);
  });

  test('printf refuses absurd widths instead of allocating them', () => {
    assert.equal(goSprintf('%.5000f', [1]), '%!f(BADWIDTH)');
    assert.equal(goSprintf('%9999999d', [1]), '%!d(BADWIDTH)');
  });
});
