import type { BlockFile } from './block-file.ts';
import type { BlockContents, BlockSeries } from './block-format.ts';
import type { Head } from './head.ts';
import { COLUMNS, columnChunks, looksLikeCounter, rollUp } from './rollup.ts';
import { SampleCollector } from './sample-collector.ts';
import type { SeriesIndex } from './series-index.ts';
import { DAY, HOUR, RAW_WINDOW } from './time-windows.ts';

/** Rollup resolutions, as Thanos's: 5 minutes and 1 hour. */
export const RESOLUTIONS = { '5m': 5 * 60_000, '1h': HOUR } as const;

/** The head's chunks of one 2 h window as a raw block (the head cuts chunks at window boundaries). */
export function rawBlockOf(head: Head, index: SeriesIndex, start: number): BlockContents {
  const end = start + RAW_WINDOW - 1;
  const series: BlockSeries[] = [];
  for (const id of head.ids()) {
    const chunks = head.chunks(id, start, end);
    if (chunks.length > 0) series.push({ key: index.keyOf(id), columns: [chunks] });
  }
  return { kind: 'raw', minT: start, maxT: end, series };
}

/**
 * The 5 min and 1 h rollups of one UTC day, from that day's raw blocks, read one series at a time (a day of
 * raw blocks can be hundreds of MB: reading them whole would set the process's peak memory).
 */
export function rollupBlocksOf(
  day: number,
  rawBlocks: readonly BlockFile[],
  index: SeriesIndex,
): { '5m': BlockContents; '1h': BlockContents } {
  const ids = new Set<number>();
  for (const b of rawBlocks) for (const id of b.seriesIds()) ids.add(id);
  const out = { '5m': [] as BlockSeries[], '1h': [] as BlockSeries[] };
  for (const id of [...ids].sort((a, b) => a - b)) {
    const c = new SampleCollector(day, day + DAY - 1);
    for (const b of rawBlocks) for (const chunk of b.chunks(id, 0, day, day + DAY - 1)) c.addChunk(chunk.bytes);
    const { t, v } = c.result();
    if (t.length === 0) continue;
    const counter = looksLikeCounter(index.labelsOf(id)?.__name__);
    for (const res of ['5m', '1h'] as const) {
      const r = rollUp(t, v, RESOLUTIONS[res], counter);
      out[res].push({ key: index.keyOf(id), columns: COLUMNS.map((col) => columnChunks(r[col])) });
    }
  }
  const span = { minT: day, maxT: day + DAY - 1 };
  return { '5m': { kind: '5m', ...span, series: out['5m'] }, '1h': { kind: '1h', ...span, series: out['1h'] } };
}
