import { ChunkFormatError } from './bit-stream.ts';
import type { BlockFile } from './block-file.ts';
import { StoreFileFormatError } from './byte-buffer.ts';
import type { Chunk, Head } from './head.ts';
import { type Aggregate, COLUMNS } from './rollup.ts';
import type { SampleCollector } from './sample-collector.ts';
import { chunkSampleCount, decodeXorChunk } from './xor-chunk.ts';

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

/** Raw blocks' chunks of a selection's series, read together (BlockFile.chunksOfMany), by block then series. */
export type Prefetched = ReadonlyMap<BlockFile, ReadonlyMap<number, Chunk[] | Error>>;

/**
 * The most chunk bytes prefetchRaw reads for one selection. Past it the blocks left are read series by series, as
 * before batching, where the query's deadline and samples limit are checked between series: `{__name__=~".+"}[15d]`
 * would otherwise read every raw chunk of the store into memory before either is looked at.
 */
export const MAX_PREFETCH_BYTES = 32 * 1024 * 1024;

/** Reads the raw blocks' chunks of every series of a selection at once; a block that fails is left to per-series reads. */
export function prefetchRaw(
  src: SelectionSources,
  ids: readonly number[],
  start: number,
  end: number,
  maxBytes = MAX_PREFETCH_BYTES,
): Prefetched {
  const out = new Map<BlockFile, ReadonlyMap<number, Chunk[] | Error>>();
  if (ids.length < 2) return out;
  let bytes = 0;
  for (const b of src.raw) {
    if (b.maxT < start || b.minT > end) continue;
    if (bytes >= maxBytes) break;
    try {
      const got = b.chunksOfMany(ids, 0, start, end);
      out.set(b, got);
      for (const chunks of got.values()) if (Array.isArray(chunks)) for (const c of chunks) bytes += c.bytes.length;
    } catch {
      // read series by series below, where a failure is reported against the block
    }
  }
  return out;
}

/** Samples to add to a collector: a chunk, or a rollup's averages with their counts. */
type Part =
  | { readonly bytes: Uint8Array; readonly until: number }
  | { readonly t: Float64Array; readonly v: Float64Array; readonly counts: Float64Array; readonly until: number };

/** A series' parts and how many samples they hold at most. */
export interface SeriesParts {
  readonly parts: readonly Part[];
  readonly total: number;
}

/**
 * One series' samples in the collector's window, each time range from the finest data that covers it. Every
 * chunk is read first and the collector sized once for all of them (growing it chunk by chunk cost more than
 * decoding).
 */
export function collectSeries(
  src: SelectionSources,
  id: number,
  c: SampleCollector,
  agg: Aggregate | 'avg',
  prefetched?: Prefetched,
): void {
  fillSeries(c, seriesParts(src, id, c.window, agg, prefetched));
}

/** What one series' samples in the window are made of, finest data first where sources overlap, not decoded yet. */
export function seriesParts(
  src: SelectionSources,
  id: number,
  window: { start: number; end: number },
  agg: Aggregate | 'avg',
  prefetched?: Prefetched,
): SeriesParts {
  const { start, end } = window;
  const parts: Part[] = [];
  const rawFrom = src.rawFrom;
  if (start < rawFrom) {
    const fiveFrom = Math.min(src.fiveMinute[0]?.minT ?? rawFrom, rawFrom);
    if (start < fiveFrom) collectRollup(src, src.hourly, id, window, agg, fiveFrom, parts);
    collectRollup(src, src.fiveMinute, id, window, agg, rawFrom, parts);
  }
  for (const b of src.raw) {
    if (b.maxT < start || b.minT > end) continue;
    const ready = prefetched?.get(b);
    if (ready) {
      const got = ready.get(id);
      if (got instanceof Error) src.onBadBlock(b, got);
      else for (const chunk of got ?? []) parts.push({ bytes: chunk.bytes, until: Infinity });
      continue;
    }
    guarded(src, b, () => {
      for (const chunk of b.chunks(id, 0, start, end)) parts.push({ bytes: chunk.bytes, until: Infinity });
    });
  }
  for (const chunk of src.head.chunks(id, start, end)) parts.push({ bytes: chunk.bytes, until: Infinity });
  let total = 0;
  for (const p of parts) total += 'bytes' in p ? chunkSampleCount(p.bytes) : p.t.length;
  return { parts, total };
}

/** Decodes a series' parts into a collector, sized once for all of them. */
export function fillSeries(c: SampleCollector, series: SeriesParts): void {
  c.reserve(series.total);
  for (const p of series.parts) {
    if ('bytes' in p) c.addChunk(p.bytes, p.until);
    else c.addArrays(p.t, p.v, p.until, p.counts);
  }
}

function collectRollup(
  src: SelectionSources,
  blocks: readonly BlockFile[],
  id: number,
  window: { start: number; end: number },
  agg: Aggregate | 'avg',
  until: number,
  parts: Part[],
): void {
  const { start, end } = window;
  for (const b of blocks) {
    if (b.maxT < start || b.minT > end || b.minT >= until) continue;
    guarded(src, b, () => {
      if (agg !== 'avg') {
        for (const chunk of b.chunks(id, COLUMNS.indexOf(agg), start, end)) parts.push({ bytes: chunk.bytes, until });
        return;
      }
      const sums = b.chunks(id, COLUMNS.indexOf('sum'), start, end);
      const counts = b.chunks(id, COLUMNS.indexOf('count'), start, end);
      sums.forEach((s, i) => {
        const sum = decodeXorChunk(s.bytes);
        const count = decodeXorChunk(counts[i]!.bytes);
        const avg = new Float64Array(sum.v.length);
        for (let j = 0; j < avg.length; j++) avg[j] = sum.v[j]! / count.v[j]!;
        parts.push({ t: sum.t, v: avg, counts: count.v, until });
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
