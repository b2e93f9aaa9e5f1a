import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/monitor/store/store.ts';
import { DAY, HOUR } from '../../src/monitor/store/time-windows.ts';
import { instantQuery, rangeQuery } from '../../src/promql/engine.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';
import { type Labels, STALE_NAN } from '../../src/promql/types.ts';

/**
 * Instant selectors tell the store the times they are read at (SelectHints.readAt), and the store keeps only the
 * samples those times read. Queries over the store must answer exactly as over every sample (a MemorySeries holding
 * the same data): irregular scrapes, staleness markers, gaps, NaNs, offsets, `@`, steps finer and coarser than the
 * scrape interval, off the grid, and instant queries; and range functions, which read the store one series at a
 * time (Queryable.selectLazy), must answer as over every series held at once.
 */

const BASE = 20_000 * DAY;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-read-at-'));
  dirs.push(dir);
  return dir;
}

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function samples(): Array<[Labels, number, number]> {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out: Array<[Labels, number, number]> = [];
  for (let s = 0; s < 4; s++) {
    const labels = { __name__: 'x', job: 'redis', instance: `r${s}:6379` };
    let t = BASE + s * 1_000;
    for (let i = 0; t < BASE + 5 * HOUR; i++) {
      t += 7_000 + Math.floor(rand() * 6_000);
      if (s === 1 && i === 300) out.push([labels, t, STALE_NAN]);
      else if (s === 1 && i > 300 && i < 400) continue;
      else if (s === 2 && i % 50 === 0) out.push([labels, t, Number.NaN]);
      else out.push([labels, t, s * 100 + i + rand()]);
    }
  }
  return out.sort((a, b) => a[1] - b[1]);
}

describe('the store keeps only what instant selectors read', () => {
  it('answers range and instant queries exactly as over every sample', async () => {
    const store = await openStore(tempDir(), { flushIntervalMs: 0, now: () => BASE + DAY });
    const memory = new MemorySeries();
    for (const [labels, t, v] of samples()) {
      store.append(labels, t, v);
      memory.append(labels, t, v);
    }
    await store.flush();
    const at = (BASE + 2 * HOUR + 12_345) / 1000;
    const exprs = [
      'x',
      'x offset 7m',
      `x @ ${at}`,
      'sum(x)',
      'timestamp(x)',
      'x > 150',
      'x and x offset 1m',
      'rate(x[1m])',
    ];
    const ranges = [
      { start: BASE, end: BASE + 5 * HOUR + 10 * 60_000, step: 60_000 },
      { start: BASE + HOUR + 123, end: BASE + 3 * HOUR, step: 37_000 },
      { start: BASE + HOUR, end: BASE + HOUR + 20 * 60_000, step: 3_000 },
    ];
    try {
      for (const expr of exprs) {
        for (const r of ranges) {
          assert.deepStrictEqual(
            rangeQuery(store, expr, r.start, r.end, r.step),
            rangeQuery(memory, expr, r.start, r.end, r.step),
            `${expr} step ${r.step}`,
          );
        }
        for (let t = BASE; t < BASE + 6 * HOUR; t += 17 * 60_000 + 4_321) {
          assert.deepStrictEqual(instantQuery(store, expr, t), instantQuery(memory, expr, t), `${expr} at ${t}`);
        }
      }
      // And it does leave samples out: a 60 s step over ~10 s scrapes reads about one sample in six.
      const hints = { start: BASE, end: BASE + 5 * HOUR, readAt: { first: BASE, step: 60_000, count: 301 } };
      const kept = [...store.select([{ name: '__name__', type: '=', value: 'x' }], hints)];
      const all = [
        ...store.select([{ name: '__name__', type: '=', value: 'x' }], { start: hints.start, end: hints.end }),
      ];
      for (let k = 0; k < kept.length; k++) {
        assert.ok(kept[k]!.t.length <= 302, `at most one sample per time (${kept[k]!.t.length})`);
        assert.ok(kept[k]!.t.length < all[k]!.t.length / 4);
      }
    } finally {
      await store.close();
    }
  });
});
