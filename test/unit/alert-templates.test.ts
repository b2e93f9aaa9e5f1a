import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { formatGoFloatVerb, goSprintf } from '../../src/monitor/alerting/go-printf.ts';
import { compileTemplate, expandOrExplain, TemplateError } from '../../src/monitor/alerting/template.ts';
import { runPromtool } from '../catalog/promtool-tests.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const data = (value: number, labels: Record<string, string> = {}) => ({
  labels,
  externalLabels: { env: 'prod' },
  externalURL: 'http://redoubt:9122',
  value,
});

const VALUES = [
  '0',
  '1',
  '2.5',
  '0.5',
  '1234.5678',
  '12345',
  '1e6',
  '0.000123',
  '-3.75',
  '97.5',
  '123456789',
  '0.1',
  '99.95',
  '0.3333333333333333',
  '12.5',
  '0.125',
  'NaN',
  'Inf',
  '-Inf',
  '1e-7',
  '86400',
  '3600.5',
  '1024',
  '1048576',
  '-1234567',
  '0.005',
  '2.675',
  '1e21',
];
const TEMPLATE =
  'v={{ $value }} h={{ humanize $value }} h2={{ $value | humanize1024 }} d={{ humanizeDuration $value }} ' +
  'p={{ humanizePercentage $value }} f={{ printf "%.2f" $value }} f0={{ printf "%.0f" $value }} ' +
  'f1={{ printf "%.1f" $value }} g={{ printf "%g" $value }} e={{ printf "%e" $value }} ' +
  'g4={{ printf "%.4g" $value }} i={{ $labels.i }} x={{ $externalLabels.env }} m={{ $labels.missing }}|{{ .Labels.i }}';

describe('alert templates', () => {
  test("agree with Prometheus 2.42's expansion (promtool) on humanize*, printf and $value for awkward numbers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-templates-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'r.yml'),
      stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'x', annotations: { s: TEMPLATE } }] }] }),
    );
    const pad = (i: number) => String(i).padStart(2, '0');
    writeFileSync(
      join(dir, 't.yml'),
      stringify({
        rule_files: ['r.yml'],
        tests: [
          {
            interval: '1m',
            external_labels: { env: 'prod' },
            input_series: VALUES.map((v, i) => ({ series: `x{i="${pad(i)}"}`, values: v })),
            alert_rule_test: [{ eval_time: '0m', alertname: 'A' }],
          },
        ],
      }),
    );
    const r = await runPromtool(['test', 'rules', 't.yml'], dir);
    // The expected alerts are none, so promtool prints every alert it got, sorted by labels (i=00, 01, …).
    const got = [...r.stderr.matchAll(/Annotations:\{s="(.*)"\}/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    assert.equal(got.length, VALUES.length, r.stderr);
    VALUES.forEach((v, i) => {
      const n = v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
      const ours = expandOrExplain(compileTemplate(TEMPLATE, '__alert_A'), data(n, { __name__: 'x', i: pad(i) }));
      if (got[i].startsWith('<error expanding template'))
        assert.match(ours, /^<error expanding template: .*overflows int64>$/, `value ${v}`);
      else assert.equal(ours, got[i], `value ${v}`);
    });
  });

  test('Go rounding: ties to even on the exact binary value', () => {
    assert.equal(formatGoFloatVerb(2.5, 'f', 0), '2');
    assert.equal(formatGoFloatVerb(3.5, 'f', 0), '4');
    assert.equal(formatGoFloatVerb(0.125, 'f', 2), '0.12');
    assert.equal(formatGoFloatVerb(2.675, 'f', 2), '2.67'); // 2.67499999… in binary
    assert.equal(formatGoFloatVerb(12345, 'g', 4), '1.234e+04');
    assert.equal(goSprintf('%d|%s|%5.1f|%-4s|%%', ['x', 'y', 3.25, 'ab']), '%!d(string=x)|y|  3.2|ab  |%');
    assert.equal(goSprintf('%s %s', ['a']), 'a %!s(MISSING)');
  });

  test('pipes, parentheses, variables, index and comments', () => {
    const t = compileTemplate(
      '{{/* note */}}{{ $v := $value }}{{ printf "%.1f" $v }} {{ index $labels "job" | toUpper }} {{ (humanize 2048) }} {{- "  x" }}',
      't',
    );
    assert.equal(t.expand(data(1.25, { job: 'redis' })), '1.2 REDIS 2.048k  x');
    assert.equal(compileTemplate('no actions', 't').expand(data(1)), 'no actions');
    assert.equal(
      compileTemplate('{{ $.Labels.a }} {{ $externalURL }}', 't').expand(data(1, { a: 'b' })),
      'b http://redoubt:9122',
    );
  });

  test('what Prometheus allows and redoubt does not is refused at load, naming it', () => {
    assert.throws(
      () => compileTemplate('{{ if gt $value 1.0 }}big{{ end }}', 't'),
      /\{\{if\}\} is not supported by redoubt/,
    );
    assert.throws(() => compileTemplate('{{ range $labels }}x{{ end }}', 't'), /\{\{range\}\} is not supported/);
    assert.throws(() => compileTemplate('{{ query "up" }}', 't'), /function "query" is not supported by redoubt/);
    assert.throws(() => compileTemplate('{{ nosuch $value }}', 't'), /function "nosuch" not defined/);
    assert.throws(() => compileTemplate('{{ $nope }}', 't'), /undefined variable "\$nope"/);
    assert.throws(() => compileTemplate('a {{ $value ', 't'), /unclosed action/);
    assert.throws(() => compileTemplate('{{ humanize }}', 't').expand(data(1)), TemplateError);
  });

  test('an error at expansion becomes the annotation text, as in Prometheus', () => {
    const t = compileTemplate('{{ humanize $labels.job }}', 't');
    assert.match(
      expandOrExplain(t, data(1, { job: 'redis' })),
      /^<error expanding template: .*can't convert redis to float>$/,
    );
  });
});
