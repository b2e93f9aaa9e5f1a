import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ExpositionRenderer,
  negotiateFormat,
  renderOpenMetrics,
  renderText,
  utf16Length,
} from '../../src/metrics/exposition.ts';
import type { MetricFamily } from '../../src/metrics/family.ts';

const families: MetricFamily[] = [
  {
    name: 'redis_up',
    type: 'gauge',
    help: 'Information about the Redis instance',
    samples: [{ labels: {}, value: 1 }],
  },
  {
    name: 'redis_commands_total',
    type: 'counter',
    help: 'Total number of calls per command',
    samples: [
      { labels: { cmd: 'set' }, value: 5 },
      { labels: { cmd: 'get' }, value: 7 },
    ],
  },
  {
    name: 'redis_total_error_replies',
    type: 'counter',
    help: 'quirk: counter without _total',
    samples: [{ labels: {}, value: 3 }],
  },
  {
    name: 'redis_exporter_last_scrape_error',
    type: 'gauge',
    help: 'The last scrape error status.',
    samples: [{ labels: { err: 'a "quoted"\\ line\nbreak' }, value: 1 }],
  },
  {
    name: 'redis_latency_percentiles_usec',
    type: 'summary',
    help: 'A summary',
    samples: [
      { labels: { cmd: 'get', quantile: '50' }, value: 1.5 },
      { labels: { cmd: 'get' }, value: 10, suffix: '_sum' },
      { labels: { cmd: 'get' }, value: 4, suffix: '_count' },
    ],
  },
  { name: 'redis_nan', type: 'gauge', help: 'special values', samples: [{ labels: {}, value: Number.NaN }] },
];

test('text format: sorted families, samples in produced order, escaped labels and special values', () => {
  const text = renderText(families);
  assert.equal(
    text,
    [
      '# HELP redis_commands_total Total number of calls per command',
      '# TYPE redis_commands_total counter',
      'redis_commands_total{cmd="set"} 5',
      'redis_commands_total{cmd="get"} 7',
      '# HELP redis_exporter_last_scrape_error The last scrape error status.',
      '# TYPE redis_exporter_last_scrape_error gauge',
      'redis_exporter_last_scrape_error{err="a \\"quoted\\"\\\\ line\\nbreak"} 1',
      '# HELP redis_latency_percentiles_usec A summary',
      '# TYPE redis_latency_percentiles_usec summary',
      'redis_latency_percentiles_usec{cmd="get",quantile="50"} 1.5',
      'redis_latency_percentiles_usec_sum{cmd="get"} 10',
      'redis_latency_percentiles_usec_count{cmd="get"} 4',
      '# HELP redis_nan special values',
      '# TYPE redis_nan gauge',
      'redis_nan NaN',
      '# HELP redis_total_error_replies quirk: counter without _total',
      '# TYPE redis_total_error_replies counter',
      'redis_total_error_replies 3',
      '# HELP redis_up Information about the Redis instance',
      '# TYPE redis_up gauge',
      'redis_up 1',
      '',
    ].join('\n'),
  );
});

test('OpenMetrics: counters named without _total, counters lacking _total kept as unknown, ends with # EOF', () => {
  const om = renderOpenMetrics(families);
  assert.match(om, /^# TYPE redis_commands counter$/m);
  assert.match(om, /^redis_commands_total\{cmd="get"\} 7$/m);
  assert.match(om, /^# TYPE redis_total_error_replies unknown$/m);
  assert.match(om, /^redis_total_error_replies 3$/m);
  assert.ok(om.endsWith('# EOF\n'));
});

test('content negotiation follows the Accept header Prometheus sends', () => {
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat('text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'text');
  assert.equal(
    negotiateFormat(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
    'openmetrics',
  );
  assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'text');
});

// --- Memoised rendering: every render must equal a fresh one, whatever changed since the last. ---

/** A plain reference renderer: the formats written out directly, nothing remembered. */
function reference(fams: MetricFamily[], om: boolean): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const escHelp = (v: string) => {
    const s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    return om ? s.replace(/"/g, '\\"') : s;
  };
  const value = (v: number) =>
    Number.isNaN(v)
      ? 'NaN'
      : v === Number.POSITIVE_INFINITY
        ? '+Inf'
        : v === Number.NEGATIVE_INFINITY
          ? '-Inf'
          : String(v);
  let out = '';
  for (const f of [...fams].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (f.samples.length === 0) continue;
    let name = f.name;
    let type: string = f.type;
    if (om && f.type === 'counter') {
      if (name.endsWith('_total')) name = name.slice(0, -6);
      else type = 'unknown';
    } else if (om && f.type === 'untyped') type = 'unknown';
    out += `# HELP ${name} ${escHelp(f.help)}\n# TYPE ${name} ${type}\n`;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${esc(v)}"`);
      const suffix = om && f.type === 'counter' ? '' : (s.suffix ?? '');
      out += `${f.name}${suffix}${labels.length ? `{${labels.join(',')}}` : ''} ${value(s.value)}\n`;
    }
  }
  return om ? `${out}# EOF\n` : out;
}

/** A copy to change; label sets are shared (as a scrape reuses them) or copied. */
const clone = (fams: MetricFamily[], copyLabels = false): MetricFamily[] =>
  fams.map((f) => ({
    ...f,
    samples: f.samples.map((s) => ({ ...s, labels: copyLabels ? { ...s.labels } : s.labels })),
  }));

/** Renders each step with one long-lived renderer and checks it against a fresh renderer and the reference. */
function checkSteps(steps: Array<(fams: MetricFamily[]) => void>): void {
  for (const [format, copyLabels] of [
    ['text', false],
    ['openmetrics', false],
    ['text', true],
    ['openmetrics', true],
  ] as const) {
    const om = format === 'openmetrics';
    const memo = new ExpositionRenderer();
    let fams = clone(families);
    const kept: Array<[Buffer, string]> = [];
    for (const [i, step] of [() => {}, ...steps, () => {}].entries()) {
      fams = clone(fams, copyLabels);
      step(fams);
      const got = memo.render(fams, format);
      // (through a Buffer: a lone surrogate is sent as U+FFFD, as Buffer.from(text) always did)
      const want = Buffer.from(reference(fams, om)).toString('utf8');
      assert.equal(got.toString('utf8'), want, `${format} step ${i}`);
      assert.deepEqual(got, Buffer.from(want), `${format} step ${i} bytes`);
      assert.deepEqual(new ExpositionRenderer().render(fams, format), got);
      kept.push([got, want]);
    }
    // render() hands out copies: later renders leave earlier results alone.
    for (const [buf, want] of kept) assert.equal(buf.toString('utf8'), want);
  }
}

const byName = (fams: MetricFamily[], name: string) => fams.find((f) => f.name === name)!;

test('memoised render equals a fresh one after value changes (incl. special and large values)', () => {
  const values = [2, 1023, 1024, -1, -0, 0.1 + 0.2, 123456789012345, 1e15, -1e15, 2 ** 53, 1e21, 5e-324, Number.NaN];
  checkSteps([
    ...values.map((v) => (fams: MetricFamily[]) => {
      byName(fams, 'redis_up').samples[0].value = v;
      byName(fams, 'redis_commands_total').samples[1].value = -v;
    }),
    (fams) => {
      byName(fams, 'redis_nan').samples[0].value = Number.POSITIVE_INFINITY;
    },
    (fams) => {
      byName(fams, 'redis_nan').samples[0].value = Number.NEGATIVE_INFINITY;
    },
  ]);
});

test('memoised render equals a fresh one after label, suffix and sample-count changes', () => {
  checkSteps([
    (fams) => {
      byName(fams, 'redis_commands_total').samples[0].labels = { cmd: 'del' };
    },
    (fams) => {
      byName(fams, 'redis_commands_total').samples[0].labels = { cmd: 'del', db: 'db0' };
    },
    (fams) => {
      byName(fams, 'redis_commands_total').samples[0].labels = { db: 'db0', cmd: 'del' }; // order is rendered
    },
    (fams) => {
      byName(fams, 'redis_latency_percentiles_usec').samples[1].suffix = '_count';
    },
    (fams) => {
      byName(fams, 'redis_commands_total').samples.splice(0, 1); // removed sample
    },
    (fams) => {
      byName(fams, 'redis_commands_total').samples.push({ labels: { cmd: 'hset' }, value: 9 }); // new sample
    },
    (fams) => {
      byName(fams, 'redis_commands_total').samples.pop(); // gone for a scrape…
    },
    (fams) => {
      byName(fams, 'redis_commands_total').samples.push({ labels: { cmd: 'hset' }, value: 9 }); // …and back, the same
    },
    (fams) => {
      byName(fams, 'redis_exporter_last_scrape_error').samples[0].labels = { err: 'héllo \ud83d\ude00 \ud800 "x"' };
    },
  ]);
});

test('memoised render equals a fresh one as families come, go, empty out and change help or type', () => {
  checkSteps([
    (fams) => {
      fams.push({ name: 'redis_aaa', type: 'gauge', help: 'new first', samples: [{ labels: {}, value: 1 }] });
    },
    (fams) => {
      fams.splice(
        fams.findIndex((f) => f.name === 'redis_up'),
        1,
      ); // gone for a scrape…
    },
    (fams) => {
      fams.push({ name: 'redis_up', type: 'gauge', help: 'Information about the Redis instance', samples: [] });
    },
    (fams) => {
      byName(fams, 'redis_up').samples.push({ labels: {}, value: 1 }); // …and back
    },
    (fams) => {
      byName(fams, 'redis_up').help = 'changed "help"\nwith \\ escapes';
    },
    (fams) => {
      byName(fams, 'redis_commands_total').type = 'gauge';
    },
    (fams) => {
      byName(fams, 'redis_total_error_replies').type = 'untyped';
    },
    (fams) => {
      fams.push({ ...byName(fams, 'redis_up'), samples: [{ labels: { a: 'dup' }, value: 2 }] }); // same name twice
    },
    (fams) => {
      fams.reverse(); // input order does not matter
    },
  ]);
});

test('memoised render grows past its buffer and back', () => {
  const big = (n: number) => (fams: MetricFamily[]) => {
    fams.push({
      name: 'redis_key_size',
      type: 'gauge',
      help: 'many keys',
      samples: Array.from({ length: n }, (_, i) => ({ labels: { key: `key:${i}:${'x'.repeat(i % 50)}` }, value: i })),
    });
  };
  checkSteps([
    big(100),
    (fams) => {
      fams.pop();
      big(5000)(fams);
    },
    (fams) => {
      byName(fams, 'redis_key_size').samples[4000].value = 1.5;
    },
    (fams) => {
      fams.pop();
    },
  ]);
});

test('text and OpenMetrics renders of one renderer do not disturb each other', () => {
  const r = new ExpositionRenderer();
  let fams = clone(families);
  for (let i = 0; i < 20; i++) {
    fams = clone(fams);
    byName(fams, 'redis_up').samples[0].value = i % 3;
    const format = i % 3 === 0 ? 'openmetrics' : 'text';
    assert.equal(r.renderView(fams, format).toString('utf8'), reference(fams, format === 'openmetrics'));
  }
});

test('utf16Length counts the characters of UTF-8 text', () => {
  for (const s of ['', 'abc', 'héllo', '€', '😀 x', '\ud800', 'a\udc00b'])
    assert.equal(utf16Length(Buffer.from(s)), s.length, JSON.stringify(s));
});

test('memoised render of families that keep their sample objects (as info.ts hands them on) equals a fresh one', () => {
  // checkSteps clones every sample, so the copy of a whole unchanged family is only reached here: the same
  // sample objects from one render to the next, with other families before them changing length.
  for (const format of ['text', 'openmetrics'] as const) {
    const om = format === 'openmetrics';
    const r = new ExpositionRenderer();
    const fams = clone(families);
    const up = byName(fams, 'redis_up');
    const commands = byName(fams, 'redis_commands_total');
    for (let i = 0; i < 6; i++) {
      // Replaced, not changed in place: a shorter or longer line shifts the families after it.
      // (redis_commands_total sorts first, redis_up last)
      if (i % 2 === 1) commands.samples[0] = { ...commands.samples[0], value: 10 ** i };
      if (i === 2) up.samples[0] = { ...up.samples[0], value: 0 };
      if (i === 4) commands.samples = [...commands.samples, { labels: { cmd: 'zadd' }, value: 3 }];
      const want = Buffer.from(reference(fams, om));
      assert.deepEqual(r.render(fams, format), want, `${format} render ${i}`);
    }
  }
});
