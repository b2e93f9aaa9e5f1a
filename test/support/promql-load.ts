import { instantQuery, rangeQuery } from '../../src/promql/engine.ts';
import { MemorySeries } from '../../src/promql/memory-series.ts';
import { type Labels, type QueryValue, STALE_NAN } from '../../src/promql/types.ts';

/**
 * Series for engine unit tests, written like Prometheus's test files: `'name{a="b"}': [[seconds, value], …]`,
 * and queries whose results come back as plain `{labels → value}` for exact comparisons.
 */

export function parseSeriesName(text: string): Labels {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(.*)\})?$/.exec(text);
  if (!m) throw new Error(`bad series ${text}`);
  const labels: Record<string, string> = {};
  if (m[1]) labels.__name__ = m[1];
  for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
    labels[k as string] = v as string;
  return labels;
}

/** A staleness marker in a load spec (a plain number array would lose the marker's NaN payload). */
export const STALE = 'stale';

export function load(spec: Record<string, Array<[number, number | typeof STALE]>>): MemorySeries {
  const store = new MemorySeries();
  for (const [name, samples] of Object.entries(spec)) {
    for (const [seconds, v] of samples)
      store.append(parseSeriesName(name), seconds * 1000, v === STALE ? STALE_NAN : v);
  }
  return store;
}

/** `n` samples from `start` seconds every `step` seconds, values from `f(i)`. */
export function every(start: number, step: number, n: number, f: (i: number) => number): Array<[number, number]> {
  return Array.from({ length: n }, (_, i) => [start + i * step, f(i)] as [number, number]);
}

function key(labels: Labels): string {
  const inner = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
  return `${labels.__name__ ?? ''}{${inner}}`;
}

/** An instant query at `seconds`, as { 'name{a="b"}': value } (scalars under 'scalar'). */
export function at(store: MemorySeries, expr: string, seconds: number): Record<string, number> {
  return flatten(instantQuery(store, expr, seconds * 1000));
}

export function flatten(v: QueryValue): Record<string, number> {
  if (v.type === 'scalar') return { scalar: v.v };
  if (v.type === 'vector') return Object.fromEntries(v.samples.map((s) => [key(s.labels), s.v]));
  throw new Error(`unexpected ${v.type}`);
}

/** A range query, as { 'name{a="b"}': [[seconds, value], …] }. */
export function range(
  store: MemorySeries,
  expr: string,
  start: number,
  end: number,
  step: number,
): Record<string, Array<[number, number]>> {
  const m = rangeQuery(store, expr, start * 1000, end * 1000, step * 1000);
  return Object.fromEntries(
    m.series.map((s) => [key(s.labels), Array.from(s.t, (t, i) => [t / 1000, s.v[i] as number] as [number, number])]),
  );
}
