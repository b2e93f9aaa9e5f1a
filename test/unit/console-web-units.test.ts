import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allPanels } from '../../src/catalog/panels.ts';
import type { InstanceSummary } from '../../src/console/contract.ts';
import { loginPathFor, safeNext } from '../../src/console/return-path.ts';
import { parsePromql } from '../../src/promql/parse.ts';
import { compileAnchoredRegex } from '../../src/promql/regex.ts';
import type { Matcher } from '../../src/promql/types.ts';
import { alignSeries, gridTimes, pointCount } from '../../web/charts/series-data.ts';
import { formatDuration, formatValue } from '../../web/lib/format.ts';
import {
  legendName,
  rateIntervalSeconds,
  regexEscape,
  stepFor,
  substitutePanelExpr,
} from '../../web/lib/panel-query.ts';
import { mappingFor, thresholdColor } from '../../web/lib/thresholds.ts';
import { RANGES, resolveRange } from '../../web/lib/time-range.ts';
import { sortInstances } from '../../web/pages/overview-columns.ts';

function selectors(node: unknown, out: Matcher[][] = []): Matcher[][] {
  if (node && typeof node === 'object') {
    const n = node as { kind?: string; matchers?: Matcher[] };
    if (n.kind === 'vector-selector' && n.matchers) out.push(n.matchers);
    for (const v of Object.values(node)) selectors(v, out);
  }
  return out;
}

describe('the console draws the catalogue panels for one instance', () => {
  const instances = ['redis://127.0.0.1:6379', 'rediss://a.b-c:1/x?y=$1&z=(1)|2', 'unix:///run/redis "q".sock'];
  for (const instance of instances) {
    test(`every panel query parses and selects exactly ${JSON.stringify(instance)}`, () => {
      for (const { panel } of allPanels()) {
        for (const t of panel.targets) {
          const expr = substitutePanelExpr(t.expr, instance, 40);
          assert.ok(!expr.includes('$job') && !expr.includes('$__rate_interval'), expr);
          const found = selectors(parsePromql(expr));
          assert.ok(found.length > 0, `panel ${panel.id}: no selector in ${expr}`);
          for (const matchers of found) {
            const m = matchers.find((x) => x.name === 'instance');
            assert.ok(m, `panel ${panel.id}: a selector without instance in ${expr}`);
            const re = compileAnchoredRegex(m.value);
            assert.equal(re.test(instance), true, `panel ${panel.id} matches its instance`);
            assert.equal(re.test(`${instance}0`), false, `panel ${panel.id} matches only its instance`);
            assert.equal(re.test(instance.replaceAll('.', 'x')), !instance.includes('.'));
          }
        }
      }
    });
  }

  test('$__rate_interval is Grafana’s: four scrape intervals, or a step plus one when steps are longer', () => {
    assert.equal(rateIntervalSeconds(2, 1), 4);
    assert.equal(rateIntervalSeconds(144, 10), 154);
    assert.match(substitutePanelExpr('rate(x{instance=~"$instance"}[$__rate_interval])', 'a', 40), /\[40s\]/);
  });

  test('about 600 points per range, never finer than the scrape interval', () => {
    assert.equal(stepFor(900, 10), 10);
    assert.equal(stepFor(86400, 10), 144);
    assert.equal(stepFor(30 * 86400, 10), 4320);
    for (const r of RANGES) {
      const { startS, endS, stepS } = resolveRange({ live: true, seconds: r.seconds }, 1_800_000_000, 1);
      const points = (endS - startS) / stepS + 1;
      assert.ok(points >= 300 && points <= 1001, `${r.label}: ${points} points`);
      assert.equal(endS % stepS, 0, 'aligned to the step so live refreshes reuse the grid');
    }
  });

  test('regexEscape leaves no metacharacter active; legends fill {{label}}', () => {
    assert.equal(regexEscape('a.b*c'), 'a\\.b\\*c');
    assert.equal(legendName('{{cmd}} on {{instance}}', { cmd: 'get' }, 'x'), 'get on ');
    assert.equal(legendName('', {}, 'Panel'), 'Panel');
  });

  test('series land on the grid by time; gaps stay null; -Y flips', () => {
    const g = { startS: 100, endS: 130, stepS: 10 };
    assert.deepEqual(gridTimes(g), [100, 110, 120, 130]);
    const s = {
      metric: {},
      values: [
        [110, '5'],
        [130, 'NaN'],
        [999, '1'],
      ] as Array<[number, string]>,
    };
    assert.deepEqual(alignSeries(g, s, -1), [null, -5, null, null]);
    assert.equal(
      pointCount([
        [1, null],
        [null, 2],
      ]),
      2,
    );
  });
});

describe('units read well', () => {
  const cases: Array<[number, string, string]> = [
    [0, 'bytes', '0 B'],
    [1536, 'bytes', '1.5 KiB'],
    [3 * 1024 ** 3, 'bytes', '3 GiB'],
    [2048, 'Bps', '2 KiB/s'],
    [0.25, 'percentunit', '25%'],
    [1234, 'ops', '1.23 k ops/s'],
    [0.0005, 's', '500 µs'],
    [0.25, 's', '250 ms'],
    [5400, 's', '90 min'],
    [1500, 'µs', '1.5 ms'],
    [42, 'short', '42'],
    [1_500_000, 'short', '1.5 M'],
  ];
  for (const [v, unit, want] of cases) test(`${v} ${unit} → ${want}`, () => assert.equal(formatValue(v, unit), want));
  test('exact values for tooltips keep their digits; missing is a dash', () => {
    assert.equal(formatValue(1234567, 'bytes', true), '1.17737 MiB');
    assert.equal(formatValue(0.123456789, 'percentunit', true), '12.3457%');
    assert.equal(formatValue(null, 'bytes'), '–');
    assert.equal(formatValue(Number.POSITIVE_INFINITY, 'short'), '+Inf');
    assert.equal(formatDuration(90061), '1 d 1 h');
  });
  test('thresholds and mappings colour a value', () => {
    const t = {
      base: 'green' as const,
      steps: [
        { value: 0.8, color: 'orange' as const },
        { value: 0.9, color: 'red' as const },
      ],
    };
    assert.equal(thresholdColor(0.5, t), 'green');
    assert.equal(thresholdColor(0.85, t), 'orange');
    assert.equal(thresholdColor(0.95, t), 'red');
    assert.equal(mappingFor(1, [{ value: 1, text: 'UP', color: 'green' }])?.text, 'UP');
  });
});

describe('the overview and login', () => {
  const row = (instance: string, over: Partial<InstanceSummary>): InstanceSummary => ({
    instance,
    health: 'up',
    lastError: '',
    lastScrapeAt: 0,
    role: 'master',
    version: '7.0.15',
    uptimeSeconds: 10,
    usedMemoryBytes: 1,
    maxmemoryBytes: null,
    opsPerSecond: null,
    hitRatio: null,
    connectedClients: 1,
    replication: null,
    securityScore: null,
    firingAlerts: 0,
    pendingAlerts: 0,
    ...over,
  });
  test('sorting puts down first by status, missing values last either way', () => {
    const rows = [
      row('b', { opsPerSecond: 5 }),
      row('a', { health: 'down', opsPerSecond: null }),
      row('c', { opsPerSecond: 9 }),
    ];
    assert.deepEqual(
      sortInstances(rows, 'health', true).map((r) => r.instance),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      sortInstances(rows, 'ops', false).map((r) => r.instance),
      ['c', 'b', 'a'],
    );
    assert.deepEqual(
      sortInstances(rows, 'ops', true).map((r) => r.instance),
      ['b', 'c', 'a'],
    );
  });
  test('login returns only to a path on this site', () => {
    assert.equal(safeNext('/alerts'), '/alerts');
    for (const bad of [
      null,
      '',
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      'http:evil.example',
      'evil.example/',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '\t//evil.example',
      ' //evil.example',
      '/\u0000/evil.example',
      '/\u007f/evil.example',
      '/alerts\\..\\..\\evil',
      '\\\\evil.example',
      `/${'a'.repeat(3000)}`,
      // dot segments that leave a path starting with // (the browser lands on https://console//evil.example)
      '/..//evil.example',
      '/a/../..//evil.example/x',
      '/./..//evil.example',
      undefined,
    ]) {
      assert.equal(safeNext(bad), '/', JSON.stringify(bad));
    }
    for (const good of ['/', '/instances/redis%3A%2F%2F10.0.0.1%3A6379', '/instances/x?range=3600', '/security#x']) {
      assert.equal(safeNext(good), good);
    }
    assert.equal(loginPathFor('/instances/a%2Fb?range=60'), '/login?next=%2Finstances%2Fa%252Fb%3Frange%3D60');
    assert.equal(loginPathFor('/'), '/login');
    assert.equal(loginPathFor('//evil.example/'), '/login');
    // What the login page reads back from its own address is what the redirect put there.
    const next = new URL(loginPathFor('/instances/a%2Fb?range=60'), 'http://h').searchParams.get('next');
    assert.equal(safeNext(next), '/instances/a%2Fb?range=60');
  });
});
