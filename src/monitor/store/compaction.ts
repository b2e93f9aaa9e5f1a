import type { BlockFile } from './block-file.ts';
import type { BlockWriter } from './block-format.ts';
import { wordsOf } from './float-bits.ts';
import type { Head } from './head.ts';
import { COLUMNS, columnChunks, looksLikeCounter, rollUp } from './rollup.ts';
import type { SeriesIndex } from './series-index.ts';
import { DAY, HOUR, RAW_WINDOW } from './time-windows.ts';
import { chunkSampleCount, decodeXorChunkInto } from './xor-chunk.ts';

/** Rollup resolutions, as Thanos's: 5 minutes and 1 hour. */
export const RESOLUTIONS = { '5m': 5 * 60_000, '1h': HOUR } as const;

/**
 * Writes the head's chunks of one 2 h window to a raw block, series by series (the head cuts chunks at window
 * boundaries), in the order of their keys: a metric's series sit side by side, so a query reads them together.
 */
export function writeRawBlock(head: Head, index: SeriesIndex, start: number, out: BlockWriter): void {
  const end = start + RAW_WINDOW - 1;
  for (const id of byKey(head.ids(), index)) {
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
  for (const id of byKey([...ids], index)) {
    const { t, v } = daySamples(rawBlocks, id, day);
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

/** Series ids in the order of their keys (labels sorted by name, so the metric name first). */
function byKey(ids: number[], index: SeriesIndex): number[] {
  const keys = new Map(ids.map((id) => [id, index.keyOf(id)]));
  return ids.sort((a, b) => {
    const x = keys.get(a)!;
    const y = keys.get(b)!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
}

/** Where a day's samples of one series are decoded: one pair of arrays for every series, grown when needed. */
let scratch: { t: Float64Array; v: Float64Array; vWords: Uint32Array } = {
  t: new Float64Array(0),
  v: new Float64Array(0),
  vWords: new Uint32Array(0),
};

/** A series' samples in `day` from the day's raw blocks (disjoint windows, in time order), as views of `scratch`. */
function daySamples(rawBlocks: readonly BlockFile[], id: number, day: number): { t: Float64Array; v: Float64Array } {
  const chunks = rawBlocks.flatMap((b) => b.chunks(id, 0, day, day + DAY - 1));
  let total = 0;
  for (const c of chunks) total += chunkSampleCount(c.bytes);
  if (total > scratch.t.length) {
    const v = new Float64Array(Math.max(total, scratch.t.length * 2));
    scratch = { t: new Float64Array(v.length), v, vWords: wordsOf(v) };
  }
  const { t, vWords: w } = scratch;
  let n = 0;
  for (const c of chunks) {
    const from = n;
    const got = decodeXorChunkInto(c.bytes, t, w, from);
    // Keep, in place, the samples inside the day and after the last one kept (as a query's SampleCollector does).
    let last = from === 0 ? Number.NEGATIVE_INFINITY : t[from - 1]!;
    for (let i = from; i < from + got; i++) {
      const ts = t[i]!;
      if (ts < day || ts <= last || ts >= day + DAY) continue;
      t[n] = ts;
      w[2 * n] = w[2 * i]!;
      w[2 * n + 1] = w[2 * i + 1]!;
      last = ts;
      n++;
    }
  }
  return { t: t.subarray(0, n), v: scratch.v.subarray(0, n) };
}
