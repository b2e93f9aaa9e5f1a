/**
 * The series of one promtool test group, in memory: the input series (appended up to each evaluation time, as
 * promtool's lazy loader does) and what the rules write. Small by nature (a test's series), so a plain map.
 */
import type { Appendable, Labels, Matcher, Queryable, SelectHints, SeriesSamples } from '../../promql/types.ts';
import { labelsKey, sortLabels } from '../alerting/labels.ts';

interface StoredSeries {
  labels: Labels;
  t: number[];
  /** A Float64Array, not number[]: V8 canonicalises NaNs stored in double arrays, which erases STALE_NAN. */
  v: Float64Array;
  n: number;
}

function matches(m: Matcher, value: string | undefined, regexes: Map<string, RegExp>): boolean {
  const v = value ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    default: {
      let re = regexes.get(m.value);
      if (!re) {
        re = new RegExp(`^(?:${m.value})$`, 's');
        regexes.set(m.value, re);
      }
      return m.type === '=~' ? re.test(v) : !re.test(v);
    }
  }
}

export class TestSeriesStore implements Queryable, Appendable {
  private readonly series = new Map<string, StoredSeries>();
  private readonly regexes = new Map<string, RegExp>();

  append(labels: Labels, t: number, v: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: sortLabels(labels), t: [], v: new Float64Array(16), n: 0 };
      this.series.set(key, s);
    }
    if (s.n > 0 && s.t[s.n - 1] >= t) return; // out of order or duplicate: dropped
    if (s.n === s.v.length) {
      const grown = new Float64Array(s.v.length * 2);
      grown.set(s.v);
      s.v = grown;
    }
    s.t.push(t);
    s.v[s.n++] = v;
  }

  *select(matchers: readonly Matcher[], hints: SelectHints): Iterable<SeriesSamples> {
    for (const s of this.series.values()) {
      if (!matchers.every((m) => matches(m, s.labels[m.name], this.regexes))) continue;
      let lo = 0;
      while (lo < s.n && s.t[lo] < hints.start) lo++;
      let hi = lo;
      while (hi < s.n && s.t[hi] <= hints.end) hi++;
      if (hi > lo) yield { labels: s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) };
    }
  }

  labelNames(matchers: readonly Matcher[], start: number, end: number): string[] {
    const names = new Set<string>();
    for (const s of this.select(matchers, { start, end })) for (const k of Object.keys(s.labels)) names.add(k);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], start: number, end: number): string[] {
    const values = new Set<string>();
    for (const s of this.select(matchers, { start, end })) if (s.labels[name] !== undefined) values.add(s.labels[name]);
    return [...values].sort();
  }
}
