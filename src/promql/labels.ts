/**
 * Label sets as the engine handles them: sorted copies, identity keys, Prometheus's matching signatures and its
 * rule that arithmetic drops the metric name.
 */

import type { Labels } from './types.js';

export const METRIC_NAME = '__name__';

/** A copy with names in sorted order (JavaScript keeps insertion order, so this is how results stay sorted). */
export function sortedLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name] as string;
    if (value !== '') out[name] = value;
  }
  return out;
}

/**
 * Label sets are immutable, and the same objects come back at every step of a range query (from the store, and
 * from these functions), so what is derived from one is remembered per object: a range query computes each key,
 * name-less copy and grouping once per series instead of once per step.
 */
const derived = new WeakMap<Labels, Map<string, unknown>>();

/** `compute()` once per label set and `what` (a string naming everything else the result depends on). */
export function remember<T>(labels: Labels, what: string, compute: () => T): T {
  let cache = derived.get(labels);
  if (!cache) {
    cache = new Map();
    derived.set(labels, cache);
  }
  if (cache.has(what)) return cache.get(what) as T;
  const value = compute();
  cache.set(what, value);
  return value;
}

/** Keys of label sets, looked up once per object (the hottest derived value: one lookup, not two). */
const keys = new WeakMap<Labels, string>();

/** A string identifying a label set (names and values escaped by JSON). */
export function labelsKey(labels: Labels): string {
  let key = keys.get(labels);
  if (key === undefined) {
    key = JSON.stringify(
      Object.keys(labels)
        .sort()
        .map((name) => [name, labels[name]]),
    );
    keys.set(labels, key);
  }
  return key;
}

const nameless = new WeakMap<Labels, Labels>();

export function dropMetricName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  let out = nameless.get(labels);
  if (out === undefined) {
    const { [METRIC_NAME]: _, ...rest } = labels;
    out = rest;
    nameless.set(labels, out);
  }
  return out;
}

/**
 * The `remember` key of a list of label names under a prefix, built once per list object: the lists come from
 * the parsed expression, the same objects at every step (building the string anew each time cost more than the
 * lookup it names).
 */
const listKeys = new Map<string, WeakMap<readonly string[], string>>();

export function listKey(prefix: string, names: readonly string[]): string {
  let byList = listKeys.get(prefix);
  if (!byList) {
    byList = new WeakMap();
    listKeys.set(prefix, byList);
  }
  let key = byList.get(names);
  if (key === undefined) {
    key = `${prefix}:${names.join(',')}`;
    byList.set(names, key);
  }
  return key;
}

/** The labels an aggregation groups by: `by` keeps the listed ones, `without` drops them and the name. */
export function groupingLabels(labels: Labels, grouping: readonly string[], without: boolean): Labels {
  return remember(labels, listKey(without ? 'group:true' : 'group:false', grouping), () =>
    without ? removeLabels(labels, [...grouping, METRIC_NAME]) : keepLabels(labels, grouping),
  );
}

/** Labels with one changed (or removed when the value is empty), sorted. */
export function withLabel(labels: Labels, name: string, value: string): Labels {
  return sortedLabels({ ...labels, [name]: value });
}

/** Keeps only the named labels. */
export function keepLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return sortedLabels(out);
}

/** Removes the named labels. */
export function removeLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = { ...labels };
  for (const name of names) delete out[name];
  return out;
}

/**
 * Prometheus's signatureFunc: with `on`, the named labels; otherwise every label except the named ones and the
 * metric name.
 */
export function matchSignature(labels: Labels, on: boolean, names: readonly string[]): string {
  return remember(labels, listKey(on ? 'match:true' : 'match:false', names), () =>
    on ? labelsKey(keepLabels(labels, names)) : labelsKey(removeLabels(labels, [...names, METRIC_NAME])),
  );
}

/** Prometheus's labels.Compare: by name then value, label by label; a shorter set that is a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const x = an[i] as string;
    const y = bn[i] as string;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x] as string;
    const yv = b[y] as string;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}

/** Prometheus's text form of a label set, for error messages: {a="1", b="2"}. */
export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}
