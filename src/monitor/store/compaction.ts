import type { BlockFile } from './block-file.ts';
import type { BlockWriter } from './block-format.ts';
import type { Head } from './head.ts';
import { COLUMNS, columnChunks, looksLikeCounter, rollUp } from './rollup.ts';
import { SampleCollector } from './sample-collector.ts';
import type { SeriesIndex } from './series-index.ts';
import { DAY, HOUR, RAW_WINDOW } from './time-windows.ts';

/** Rollup resolutions, as Thanos's: 5 minutes and 1 hour. */
export const RESOLUTIONS = { '5m': 5 * 60_000, '1h': HOUR } as const;

/** Writes the head's chunks of one 2 h window to a raw block, series by series (the head cuts chunks at window boundaries). */
export function writeRawBlock(head: Head, index: SeriesIndex, start: number, out: BlockWriter): void {
  const end = start + RAW_WINDOW - 1;
  for (const id of head.ids()) {
    const chunks = head.chunks(id, start, end);
    if (chunks.length > 0) out.add(index.keyOf(id), [chunks]);
  }
}

/**
 * Writes the 5 min and 1 h rollups of one UTC day, from that day's raw blocks, one series at a time: a day of raw
 * blocks can be hundreds of MB, and neither they nor the rollups are ever held whole.
 */
export function writeRollups(
  day: number,
  rawBlocks: readonly BlockFile[],
  index: SeriesIndex,
  out: Readonly<Record<keyof typeof RESOLUTIONS, BlockWriter>>,
): void {
  const ids = new Set<number>();
  for (const b of rawBlocks) for (const id of b.seriesIds()) ids.add(id);
  for (const id of [...ids].sort((a, b) => a - b)) {
    const c = new SampleCollector(day, day + DAY - 1);
    for (const b of rawBlocks) for (const chunk of b.chunks(id, 0, day, day + DAY - 1)) c.addChunk(chunk.bytes);
    const { t, v } = c.result();
    if (t.length === 0) continue;
    const counter = looksLikeCounter(index.labelsOf(id)?.__name__);
    for (const res of ['5m', '1h'] as const) {
      const r = rollUp(t, v, RESOLUTIONS[res], counter);
      out[res].add(
        index.keyOf(id),
        COLUMNS.map((col) => columnChunks(r[col])),
      );
    }
  }
}
