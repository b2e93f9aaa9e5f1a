import type { Appendable, Labels, Matcher, Queryable, SelectHints, SeriesSamples } from '../../src/promql/types.ts';

interface Series {
  labels: Labels;
  t: number[];
  /** A typed array: a plain array of doubles would not keep the staleness marker's NaN bits. */
  v: Float64Array;
}

function pushValue(s: Series, v: number): void {
  const n = s.t.length;
  if (n > s.v.length) {
    const grown = new Float64Array(Math.max(16, s.v.length * 2));
    grown.set(s.v);
    s.v = grown;
  }
  s.v[n - 1] = v;
}

/** Whether labels satisfy a matcher (a missing label is the empty string, regexes fully anchored). */
export function matches(labels: Labels, m: Matcher): boolean {
  const v = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/**
 * A store in memory for tests: every append kept in order, out-of-order samples dropped and counted as the real
 * store does. `appends` records each append (labels key and time) so tests can see the order of writes.
 */
export class MemoryStore implements Appendable, Queryable {
  readonly series = new Map<string, Series>();
  readonly appends: Array<{ labels: Labels; t: number; v: number }> = [];
  outOfOrder = 0;

  append(labels: Labels, t: number, v: number): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let s = this.series.get(key);
    if (!s) {
      s = { labels, t: [], v: new Float64Array(16) };
      this.series.set(key, s);
    }
    if (s.t.length > 0 && s.t[s.t.length - 1] >= t) {
      this.outOfOrder++;
      return;
    }
    s.t.push(t);
    pushValue(s, v);
    this.appends.push({ labels, t, v });
  }

  *select(matchers: readonly Matcher[], hints: SelectHints): Iterable<SeriesSamples> {
    for (const s of this.series.values()) {
      if (!matchers.every((m) => matches(s.labels, m))) continue;
      let from = 0;
      while (from < s.t.length && s.t[from] < hints.start) from++;
      let to = from;
      while (to < s.t.length && s.t[to] <= hints.end) to++;
      if (to > from) yield { labels: s.labels, t: s.t.slice(from, to), v: s.v.slice(from, to) };
    }
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

  /** The samples of the one series with these exact labels (sorted), or undefined. */
  get(labels: Record<string, string>): { t: number[]; v: Float64Array } | undefined {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const s = this.series.get(key);
    return s && { t: s.t, v: s.v.subarray(0, s.t.length) };
  }
}
