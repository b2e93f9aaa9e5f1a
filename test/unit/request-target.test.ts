import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestTarget, queryParams } from '../../src/exporter/request-target.ts';

type Parsed = { pathname: string; params: [string, string][] } | 'throws';

/** What the server did before: new URL() per request (which throws on some targets: a 500). */
function viaUrl(raw: string): Parsed {
  try {
    const url = new URL(raw, 'http://exporter');
    return { pathname: url.pathname, params: [...url.searchParams] };
  } catch {
    return 'throws';
  }
}

function viaParse(raw: string): Parsed {
  try {
    const t = parseRequestTarget(raw);
    if (!t) return 'throws';
    return { pathname: t.pathname, params: [...queryParams(t)] };
  } catch {
    return 'throws';
  }
}

test('request targets: path and query as new URL() has them', () => {
  const cases = [
    '/',
    '/metrics',
    '/metrics/',
    '/metrics?',
    '/metrics?x',
    '/health',
    '/scrape?target=redis://10.0.0.1:6379',
    '/scrape?target=redis%3A%2F%2Fh%3A1&check-keys=a*,b',
    '/scrape?target=redis://u:p%40ss@h:1&target=second',
    '/scrape?target=a+b&x=%zz&y=%E2%82%AC&z=€',
    '/scrape?target="quoted"&q=\'<x>\'',
    '/scrape?a=1&&b=2&=3&c',
    '/metrics??x=1',
    '/metrics?"??x',
    '/scrape?target=x#frag',
    '/scrape#frag?target=x',
    '//metrics',
    '//host/metrics',
    '/./metrics',
    '/a/../metrics',
    '/metrics/.',
    '/.hidden',
    '/%6Detrics',
    '/me%74rics?x=1',
    '/metrics\\x',
    '/métrics',
    '/a b',
    '/metrics?target=a b',
    'metrics',
    '*',
    'http://other/metrics?target=x',
    '/metrics;x',
    '/metrics.txt',
    '/~user/a_b-c',
    '\\\\',
    '//',
  ];
  for (const raw of cases) assert.deepEqual(viaParse(raw), viaUrl(raw), raw);
});

test('request targets: random targets agree with new URL()', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };
  const alphabet = [
    '/',
    '/',
    '.',
    '?',
    '&',
    '=',
    '%',
    '%2',
    '%41',
    '#',
    '+',
    'a',
    'Z',
    '0',
    '-',
    '_',
    '~',
    '\\',
    '"',
    "'",
  ];
  alphabet.push('<', '>', ' ', '\t', ':', '@', '€', 'é', '\u0000', '\u007f', 'metrics', 'scrape', 'target=');
  for (let i = 0; i < 20000; i++) {
    let raw = rnd(4) === 0 ? '' : '/';
    const n = rnd(12);
    for (let k = 0; k < n; k++) raw += alphabet[rnd(alphabet.length)];
    assert.deepEqual(viaParse(raw), viaUrl(raw), JSON.stringify(raw));
  }
});
