import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes } from '../../src/text/bytes.ts';

test('one size format for every report: whole units as they are, anything else with one decimal', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [512 * 1024 ** 2, '512 MiB'],
    [1024 ** 3, '1 GiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [Math.floor(8 * 1024 ** 3 * 0.6), '4.8 GiB'],
    [1024 ** 3 - 1024, '1.0 GiB'], // (nearly: the decimal says it is not exact)
    [64 * 1024 ** 4, '64 TiB'],
    [-2048, '-2 KiB'],
  ];
  for (const [n, text] of cases) assert.equal(formatBytes(n), text, String(n));
});
