/**
 * An in-memory Queryable and Appendable: the series of a unit test or of `redoubt rules test`, matched with the
 * same anchored-regex matchers as the store.
 */

import { compareLabels, labelsKey, sortedLabels } from './labels.js';
import { compileMatchers } from './matchers.js';
import type { Appendable, Labels, Matcher, Queryable, SelectHints, SeriesSamples } from './types.js';

/**
 * Values live in a Float64Array: V8 canonicalises a NaN stored into a plain number array, which would turn
 * Prometheus's staleness marker (a NaN with a payload) into an ordinary NaN.
 */
interface MutableSeries {
  readonly labels: Labels;
  readonly t: number[];
  v: Float64Array;
}

export class MemorySeries implements Queryable, Appendable {
  private readonly series = new Map<string, MutableSeries>();
  /** Samples dropped because they were out of order or duplicate. */
  dropped = 0;

  append(labels: Labels, t: number, v: number): void {
    const sorted = sortedLabels(labels);
    const key = labelsKey(sorted);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: sorted, t: [], v: new Float64Array(16) };
      this.series.set(key, s);
    }
    const n = s.t.length;
    if (n > 0 && (s.t[n - 1] as number) >= t) {
      this.dropped++;
      return;
    }
    if (n === s.v.length) {
      const grown = new Float64Array(n * 2);
      grown.set(s.v);
      s.v = grown;
    }
    s.t.push(t);
    s.v[n] = v;
  }

  /** Every series whose labels match, each cut to the hinted window, sorted by labels. */
  select(matchers: readonly Matcher[], hints: SelectHints): SeriesSamples[] {
    const matches = compileMatchers(matchers);
    const out: SeriesSamples[] = [];
    for (const s of this.series.values()) {
      if (!matches(s.labels)) continue;
      const first = s.t.findIndex((t) => t >= hints.start);
      if (first < 0) continue;
      let end = first;
      while (end < s.t.length && (s.t[end] as number) <= hints.end) end++;
      if (end > first) out.push({ labels: s.labels, t: s.t.slice(first, end), v: s.v.slice(first, end) });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  labelNames(matchers: readonly Matcher[], start: number, end: number): string[] {
    const names = new Set<string>();
    for (const s of this.inWindow(matchers, start, end)) for (const name of Object.keys(s.labels)) names.add(name);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], start: number, end: number): string[] {
    const values = new Set<string>();
    for (const s of this.inWindow(matchers, start, end)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  private *inWindow(matchers: readonly Matcher[], start: number, end: number): Iterable<MutableSeries> {
    const matches = compileMatchers(matchers);
    for (const s of this.series.values()) {
      if (matches(s.labels) && s.t.some((t) => t >= start && t <= end)) yield s;
    }
  }
}
