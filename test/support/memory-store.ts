import { compareLabels, labelsKey, sortedLabels } from '../../src/promql/labels.ts';
import { compileMatchers } from '../../src/promql/matchers.ts';
import type { Appendable, Labels, Matcher, Queryable, SelectHints, SeriesSamples } from '../../src/promql/types.ts';

interface Series {
  labels: Labels;
  t: Float64Array;
  /** A typed array: a plain array of doubles does not keep the staleness marker's NaN bits. */
  v: Float64Array;
  /** Samples in use, from `from` to `n`. */
  from: number;
  n: number;
}

/**
 * History in memory for tests, bounded by a retention. Out-of-order and duplicate samples are dropped and
 * counted, as the store does.
 */
export class MemoryStore implements Queryable, Appendable {
  private readonly series = new Map<string, Series>();
  /** The same label objects come back every scrape: found by identity before any sorting. */
  private byObject = new WeakMap<Labels, Series>();
  /** Series by metric name: most selections name their metric. */
  private readonly byName = new Map<string, Set<Series>>();
  /** Samples dropped because they were out of order or duplicate. */
  dropped = 0;
  private appendsSinceTrim = 0;

  constructor(
    private readonly retentionMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  append(labels: Labels, t: number, v: number): void {
    let s = this.byObject.get(labels);
    if (s === undefined) {
      const sorted = sortedLabels(labels);
      const key = labelsKey(sorted);
      s = this.series.get(key);
      if (!s) {
        s = { labels: sorted, t: new Float64Array(8), v: new Float64Array(8), from: 0, n: 0 };
        this.series.set(key, s);
        const name = sorted.__name__ ?? '';
        const named = this.byName.get(name) ?? new Set();
        named.add(s);
        this.byName.set(name, named);
      }
      this.byObject.set(labels, s);
    }
    if (s.n > s.from && s.t[s.n - 1] >= t) {
      this.dropped++;
      return;
    }
    if (s.n === s.t.length) grow(s);
    s.t[s.n] = t;
    s.v[s.n] = v;
    s.n++;
    if (++this.appendsSinceTrim >= 100_000) this.trim();
  }

  /** Drops samples past the retention, and series left without any. */
  trim(): void {
    this.appendsSinceTrim = 0;
    const oldest = this.now() - this.retentionMs;
    for (const [key, s] of this.series) {
      while (s.from < s.n && s.t[s.from] < oldest) s.from++;
      if (s.from < s.n) continue;
      this.series.delete(key);
      this.byName.get(s.labels.__name__ ?? '')?.delete(s);
      // Forget label objects of deleted series (a WeakMap cannot be walked).
      this.byObject = new WeakMap();
    }
  }

  select(matchers: readonly Matcher[], hints: SelectHints): SeriesSamples[] {
    const matches = compileMatchers(matchers);
    const out: SeriesSamples[] = [];
    const name = matchers.find((m) => m.name === '__name__' && m.type === '=');
    const candidates = name ? (this.byName.get(name.value) ?? []) : this.series.values();
    for (const s of candidates) {
      if (!matches(s.labels)) continue;
      let lo = s.from;
      while (lo < s.n && s.t[lo] < hints.start) lo++;
      let hi = lo;
      while (hi < s.n && s.t[hi] <= hints.end) hi++;
      if (hi > lo) out.push({ labels: s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  labelNames(matchers: readonly Matcher[], start: number, end: number): string[] {
    const names = new Set<string>();
    for (const s of this.select(matchers, { start, end })) for (const k of Object.keys(s.labels)) names.add(k);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], start: number, end: number): string[] {
    const values = new Set<string>();
    for (const s of this.select(matchers, { start, end })) if (s.labels[name]) values.add(s.labels[name]);
    return [...values].sort();
  }
}

/** Twice the room, the retained samples moved to the front. */
function grow(s: Series): void {
  const used = s.n - s.from;
  const size = Math.max(8, used * 2);
  const t = new Float64Array(size);
  const v = new Float64Array(size);
  t.set(s.t.subarray(s.from, s.n));
  v.set(s.v.subarray(s.from, s.n));
  s.t = t;
  s.v = v;
  s.from = 0;
  s.n = used;
}

/** MemoryStore, recording every append in order so tests can see the order of writes. */
export class RecordingStore extends MemoryStore {
  readonly appends: Array<{ labels: Labels; t: number; v: number }> = [];

  override append(labels: Labels, t: number, v: number): void {
    const dropped = this.dropped;
    super.append(labels, t, v);
    if (this.dropped === dropped) this.appends.push({ labels, t, v });
  }

  /** Every series with all its samples. */
  all(): SeriesSamples[] {
    return this.select([{ name: '__name__', type: '=~', value: '.+' }], {
      start: Number.NEGATIVE_INFINITY,
      end: Number.POSITIVE_INFINITY,
    });
  }

  /** The one series with exactly these labels, or undefined. */
  get(labels: Record<string, string>): SeriesSamples | undefined {
    const matchers = Object.entries(labels).map(([name, value]) => ({ name, type: '=' as const, value }));
    const n = Object.keys(labels).length;
    return this.select(matchers, { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY }).find(
      (s) => Object.keys(s.labels).length === n,
    );
  }
}
