import type { Labels, Matcher } from '../../promql/types.ts';
import { compileMatcher } from './label-matchers.ts';

/** Whether a name or value is free of the bytes keys use as separators (\u0000-\u0002). */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 3) return false;
  return true;
}

/**
 * The identity of a label set: names sorted, an empty value the same as no label (as in Prometheus). Names and
 * values are joined by \u0000 and \u0001; a set where any of them holds those bytes (a hostile key name in a
 * label, say) is written as JSON after a \u0002 instead, so two different sets never share a key.
 */
export function seriesKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const n of names) {
    const v = labels[n]!;
    if (v === '') continue;
    if (!plain(n) || !plain(v))
      return `\u0002${JSON.stringify(names.filter((x) => labels[x] !== '').map((x) => [x, labels[x]]))}`;
    key += `${n}\u0000${v}\u0001`;
  }
  return key;
}

/** The label set a key stands for (sorted, frozen). */
export function labelsFromKey(key: string): Labels {
  const out: Record<string, string> = {};
  if (key.startsWith('\u0002')) {
    for (const [n, v] of JSON.parse(key.slice(1)) as [string, string][]) out[n] = v;
  } else {
    const parts = key.split('\u0001');
    for (let i = 0; i < parts.length - 1; i++) {
      const cut = parts[i]!.indexOf('\u0000');
      out[parts[i]!.slice(0, cut)] = parts[i]!.slice(cut + 1);
    }
  }
  return Object.freeze(out);
}

function sortedLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const n of Object.keys(labels).sort()) if (labels[n] !== '') out[n] = labels[n]!;
  return Object.freeze(out);
}

/**
 * Every series the store knows (in memory or in files): label set ↔ id, postings per label pair (ids ascending,
 * since ids only grow), and the time span each series has data for. Selection works like Prometheus's
 * PostingsForMatchers: matchers that reject the empty value intersect postings; those that accept it subtract
 * the series whose value they reject.
 */
export class SeriesIndex {
  private readonly idsByKey = new Map<string, number>();
  private readonly labelsById: (Labels | undefined)[] = [];
  private readonly keysById: string[] = [];
  private readonly postings = new Map<string, Map<string, number[]>>();
  private readonly recent = new WeakMap<Labels, number>();
  /** Per id: the label object the caller last named it by, and the id appended after it last time (-1: none). */
  private readonly sources: (Labels | undefined)[] = [];
  private readonly next: number[] = [];
  private previous = -1;
  private minT: number[] = [];
  private maxT: number[] = [];
  private live = 0;

  get size(): number {
    return this.live;
  }

  /**
   * The id of a label set, creating it when new. A scrape hands the same label objects in the same order every
   * time, so the series that followed the previous one last time is tried first: an identity check, no lookup.
   */
  idFor(labels: Labels): number {
    const guess = this.previous >= 0 ? this.next[this.previous]! : -1;
    const id = guess >= 0 && this.sources[guess] === labels ? guess : this.lookUp(labels);
    if (this.previous >= 0) this.next[this.previous] = id;
    this.previous = id;
    return id;
  }

  private lookUp(labels: Labels): number {
    const id = this.cachedId(labels);
    this.sources[id] = labels;
    return id;
  }

  private cachedId(labels: Labels): number {
    const cached = this.recent.get(labels);
    if (cached !== undefined && this.labelsById[cached] !== undefined) return cached;
    const key = seriesKey(labels);
    let id = this.idsByKey.get(key);
    if (id === undefined) id = this.add(key, sortedLabels(labels));
    this.recent.set(labels, id);
    return id;
  }

  /** The id for a key read from a file, creating the series when new. */
  idForKey(key: string): number {
    return this.idsByKey.get(key) ?? this.add(key, labelsFromKey(key));
  }

  keyOf(id: number): string {
    return this.keysById[id]!;
  }

  labelsOf(id: number): Labels | undefined {
    return this.labelsById[id];
  }

  /** Widens the span a series has data for. */
  cover(id: number, from: number, to: number): void {
    if (from < this.minT[id]!) this.minT[id] = from;
    if (to > this.maxT[id]!) this.maxT[id] = to;
  }

  lastTime(id: number): number {
    return this.maxT[id]!;
  }

  overlaps(id: number, start: number, end: number): boolean {
    return this.minT[id]! <= end && this.maxT[id]! >= start;
  }

  /** Ids (ascending) of the series every matcher accepts. */
  select(matchers: readonly Matcher[]): number[] {
    const n = this.labelsById.length;
    const hits = new Uint16Array(n);
    const excluded = new Uint8Array(n);
    let positives = 0;
    for (const m of matchers) {
      const test = compileMatcher(m);
      const values = this.postings.get(m.name);
      if (!test('')) {
        positives++;
        if (m.type === '=') for (const id of values?.get(m.value) ?? []) hits[id]!++;
        else if (values) for (const [v, ids] of values) if (test(v)) for (const id of ids) hits[id]!++;
      } else if (values) {
        for (const [v, ids] of values) if (!test(v)) for (const id of ids) excluded[id] = 1;
      }
    }
    const out: number[] = [];
    for (let id = 0; id < n; id++)
      if (hits[id] === positives && excluded[id] === 0 && this.labelsById[id] !== undefined) out.push(id);
    return out;
  }

  /** Forgets series (their data expired); postings are rebuilt. */
  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      const labels = this.labelsById[id];
      if (!labels) continue;
      this.idsByKey.delete(seriesKey(labels));
      this.labelsById[id] = undefined;
      this.sources[id] = undefined;
      this.live--;
    }
    this.postings.clear();
    this.labelsById.forEach((labels, id) => {
      if (labels) this.post(id, labels);
    });
  }

  /** Ids of every series, live or forgotten, in ascending order of creation. */
  get capacity(): number {
    return this.labelsById.length;
  }

  private add(key: string, labels: Labels): number {
    const id = this.labelsById.length;
    this.idsByKey.set(key, id);
    this.labelsById.push(labels);
    this.keysById.push(key);
    this.sources.push(undefined);
    this.next.push(-1);
    this.minT.push(Number.POSITIVE_INFINITY);
    this.maxT.push(Number.NEGATIVE_INFINITY);
    this.post(id, labels);
    this.live++;
    return id;
  }

  private post(id: number, labels: Labels): void {
    for (const [name, value] of Object.entries(labels)) {
      let values = this.postings.get(name);
      if (!values) {
        values = new Map();
        this.postings.set(name, values);
      }
      const ids = values.get(value);
      if (ids) ids.push(id);
      else values.set(value, [id]);
    }
  }
}
