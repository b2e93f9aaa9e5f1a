import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BlockFile } from '../../../src/monitor/store/block-file.ts';
import { encodeBlock } from '../../../src/monitor/store/block-format.ts';
import { prefetchRaw, type SelectionSources } from '../../../src/monitor/store/select-series.ts';
import { SeriesIndex, seriesKey } from '../../../src/monitor/store/series-index.ts';
import { XorChunkEncoder } from '../../../src/monitor/store/xor-chunk.ts';

/**
 * prefetchRaw reads a selection's raw chunks block by block before the query's deadline and samples limit are
 * looked at: it stops at its byte budget, and the blocks left are read series by series (checked between series).
 */

const HOUR = 3_600_000;

function chunkOf(t0: number, n: number) {
  const e = new XorChunkEncoder();
  for (let i = 0; i < n; i++) e.append(t0 + i * 1000, Math.random());
  return { bytes: e.bytes(), minT: t0, maxT: t0 + (n - 1) * 1000, count: n };
}

test('prefetchRaw stops reading blocks at its byte budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-prefetch-'));
  const index = new SeriesIndex();
  const blocks: BlockFile[] = [];
  try {
    const keys = [0, 1, 2].map((i) => seriesKey({ __name__: 'x', i: String(i) }));
    for (let b = 0; b < 4; b++) {
      const t0 = b * 2 * HOUR;
      const bytes = encodeBlock({
        kind: 'raw',
        minT: t0,
        maxT: t0 + 2 * HOUR - 1,
        series: keys.map((key) => ({ key, columns: [[chunkOf(t0, 120)]] })),
      });
      const path = join(dir, `raw-${b}.block`);
      writeFileSync(path, bytes);
      blocks.push(BlockFile.open(path, index));
    }
    const ids = keys.map((k) => index.idForKey(k));
    const src = { raw: blocks } as unknown as SelectionSources;
    assert.equal(prefetchRaw(src, ids, 0, 8 * HOUR).size, 4, 'within the default budget: every block');
    assert.equal(prefetchRaw(src, ids, 0, 8 * HOUR, 1).size, 1, 'a budget of one byte: the first block only');
  } finally {
    for (const b of blocks) b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
