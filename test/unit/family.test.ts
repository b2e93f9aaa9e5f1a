import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FamilyBuilder, type MetricFamily } from '../../src/metrics/family.ts';

/** Families as plain data (what renderers and golden files see). */
const plain = (fs: MetricFamily[]) => JSON.parse(JSON.stringify(fs)) as unknown;

/** The same additions on a builder of namespace ns: n samples of `multi`, one of each other family. */
function fill(b: FamilyBuilder, n: number): void {
  b.gauge('one', 1);
  for (let i = 0; i < n; i++) b.counter('multi_total', i, { i: String(i) }, 'help text');
  b.add('summary', 'summary', 2, { cmd: 'x' }, undefined, '_sum');
  b.gauge('one', 3, { second: 'yes' });
}

function expected(n: number): unknown {
  return [
    {
      name: 'ns_one',
      type: 'gauge',
      help: 'ns_one metric',
      samples: [
        { labels: {}, value: 1, suffix: '' },
        { labels: { second: 'yes' }, value: 3, suffix: '' },
      ],
    },
    ...(n > 0
      ? [
          {
            name: 'ns_multi_total',
            type: 'counter',
            help: 'help text',
            samples: Array.from({ length: n }, (_, i) => ({ labels: { i: String(i) }, value: i, suffix: '' })),
          },
        ]
      : []),
    {
      name: 'ns_summary',
      type: 'summary',
      help: 'ns_summary metric',
      samples: [{ labels: { cmd: 'x' }, value: 2, suffix: '_sum' }],
    },
  ];
}

describe('FamilyBuilder', () => {
  test('merges samples by name in first-seen order, whatever the builders before it held', () => {
    // Each builder starts a family's samples array as long as the last builder's was: longer, shorter, absent.
    for (const n of [3, 50, 1, 0, 7, 7, 5000, 2]) {
      const b = new FamilyBuilder('ns');
      fill(b, n);
      const fs = b.families();
      assert.deepEqual(plain(fs), expected(n), `n = ${n}`);
      for (const f of fs) for (let i = 0; i < f.samples.length; i++) assert.ok(i in f.samples, 'no holes');
    }
  });

  test('builders used side by side do not mix', () => {
    const a = new FamilyBuilder('ns');
    const b = new FamilyBuilder('ns');
    a.gauge('one', 1);
    b.counter('multi_total', 0, { i: '0' }, 'help text');
    a.counter('multi_total', 0, { i: '0' }, 'help text');
    b.gauge('one', 1);
    const fromA = a.families().map((f) => [f.name, f.samples.length]);
    a.gauge('one', 9); // after families(): still its own family, appended to
    const c = new FamilyBuilder('ns'); // takes the slots a handed on
    c.gauge('one', 5);
    b.gauge('one', 2);
    assert.deepEqual(fromA, [
      ['ns_one', 1],
      ['ns_multi_total', 1],
    ]);
    assert.deepEqual(
      a.families().map((f) => [f.name, f.samples.map((s) => s.value)]),
      [
        ['ns_one', [1, 9]],
        ['ns_multi_total', [0]],
      ],
    );
    assert.deepEqual(
      b.families().map((f) => [f.name, f.samples.map((s) => s.value)]),
      [
        ['ns_multi_total', [0]],
        ['ns_one', [1, 2]],
      ],
    );
    assert.deepEqual(
      c.families().map((f) => [f.name, f.samples.map((s) => s.value)]),
      [['ns_one', [5]]],
    );
  });

  test('addSample shares the sample; has() and raw() families', () => {
    const b = new FamilyBuilder('ns');
    const sample = { labels: { a: '1' }, value: 4, suffix: '' as const };
    b.addSample('shared', 'gauge', sample, 'h');
    b.gauge('multi', 1);
    b.gauge('multi', 2);
    assert.equal(b.has('shared'), true);
    assert.equal(b.has('absent'), false);
    b.raw({ name: 'ns_absent', type: 'gauge', help: 'raw', samples: [{ labels: {}, value: 7 }] });
    b.raw({ name: 'ns_multi', type: 'gauge', help: 'x', samples: [{ labels: {}, value: 3 }] });
    assert.equal(b.has('absent'), true);
    b.gauge('absent', 8);
    b.gauge('multi', 4);
    const fs = b.families();
    assert.equal(fs[0].samples[0], sample);
    assert.deepEqual(
      fs.map((f) => [f.name, f.samples.map((s) => s.value)]),
      [
        ['ns_shared', [4]],
        ['ns_multi', [1, 2, 3, 4]],
        ['ns_absent', [7, 8]],
      ],
    );
  });

  test('families() returns a new array each time', () => {
    const b = new FamilyBuilder('ns');
    b.gauge('one', 1);
    const first = b.families();
    first.push(first[0]);
    assert.equal(b.families().length, 1);
  });
});
