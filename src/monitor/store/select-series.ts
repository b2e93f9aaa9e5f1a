import { ChunkFormatError } from './bit-stream.ts';
import type { BlockFile } from './block-file.ts';
import { StoreFileFormatError } from './byte-buffer.ts';
import type { Head } from './head.ts';
import { type Aggregate, COLUMNS } from './rollup.ts';
import type { SampleCollector } from './sample-collector.ts';
import { decodeXorChunk } from './xor-chunk.ts';

/** Where a selection reads from: rollups before raw data begins, raw blocks, then the head. */
export interface SelectionSources {
  readonly head: Head;
  /** Each list in time order. */
  readonly raw: readonly BlockFile[];
  readonly fiveMinute: readonly BlockFile[];
  readonly hourly: readonly BlockFile[];
  /** The time raw samples start at (rawCoverageStart): earlier, only rollups remain. */
  readonly rawFrom: number;
  /** A block whose chunk fails to read; the selection goes on without it. */
  readonly onBadBlock: (block: BlockFile, err: Error) => void;
}

export function rawCoverageStart(raw: readonly BlockFile[], head: Head): number {
  return raw[0]?.minT ?? head.minTime() ?? Number.POSITIVE_INFINITY;
}

/** One series' samples in the collector's window, each time range from the finest data that covers it. */
export function collectSeries(src: SelectionSources, id: number, c: SampleCollector, agg: Aggregate | 'avg'): void {
  const [start, end] = [c.window.start, c.window.end];
  const rawFrom = src.rawFrom;
  if (start < rawFrom) {
    const fiveFrom = Math.min(src.fiveMinute[0]?.minT ?? rawFrom, rawFrom);
    if (start < fiveFrom) collectRollup(src, src.hourly, id, c, agg, fiveFrom);
    collectRollup(src, src.fiveMinute, id, c, agg, rawFrom);
  }
  for (const b of src.raw) {
    if (b.maxT < start || b.minT > end) continue;
    guarded(src, b, () => {
      for (const chunk of b.chunks(id, 0, start, end)) c.addChunk(chunk.bytes);
    });
  }
  for (const chunk of src.head.chunks(id, start, end)) c.addChunk(chunk.bytes);
}

function collectRollup(
  src: SelectionSources,
  blocks: readonly BlockFile[],
  id: number,
  c: SampleCollector,
  agg: Aggregate | 'avg',
  until: number,
): void {
  const { start, end } = c.window;
  for (const b of blocks) {
    if (b.maxT < start || b.minT > end || b.minT >= until) continue;
    guarded(src, b, () => {
      if (agg !== 'avg') {
        for (const chunk of b.chunks(id, COLUMNS.indexOf(agg), start, end)) c.addChunk(chunk.bytes, until);
        return;
      }
      const sums = b.chunks(id, COLUMNS.indexOf('sum'), start, end);
      const counts = b.chunks(id, COLUMNS.indexOf('count'), start, end);
      sums.forEach((s, i) => {
        const sum = decodeXorChunk(s.bytes);
        const count = decodeXorChunk(counts[i]!.bytes);
        const avg = new Float64Array(sum.v.length);
        for (let j = 0; j < avg.length; j++) avg[j] = sum.v[j]! / count.v[j]!;
        c.addArrays(sum.t, avg, until, count.v);
      });
    });
  }
}

function guarded(src: SelectionSources, b: BlockFile, read: () => void): void {
  try {
    read();
  } catch (err) {
    if (!(err instanceof StoreFileFormatError || err instanceof ChunkFormatError || isIoError(err))) throw err;
    src.onBadBlock(b, err as Error);
  }
}

function isIoError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException)?.code === 'string';
}
