/**
 * Label sets as Prometheus handles them in rules: sorted by name, compared by a canonical key, printed as
 * `{a="b", c="d"}` (labels.Labels.String()), set with "delete when empty" (labels.Builder.Set).
 */
import type { Labels } from '../../promql/types.ts';

/** The labels with names sorted (a new object). */
export function sortLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}

/** A key equal for equal label sets, whatever the order of properties. */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

/** Go's strconv.Quote for the strings labels hold. */
export function goQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\\u0007/g, '\\a')
    .replace(/\\u000b/g, '\\v')
    .replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

/** labels.Labels.String(): `{__name__="up", job="redis"}`, names sorted. */
export function formatLabels(labels: Labels): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${goQuote(labels[k])}`)
    .join(', ')}}`;
}

/** Applies `set` to `labels` as labels.Builder.Set does: an empty value removes the label. */
export function withLabels(
  labels: Labels,
  set: Readonly<Record<string, string>>,
  drop: readonly string[] = [],
): Labels {
  const out: Record<string, string> = { ...labels };
  for (const name of drop) delete out[name];
  for (const [k, v] of Object.entries(set)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return sortLabels(out);
}

/** labels.Compare: by names and values in order, then by length. */
export function compareLabels(a: Labels, b: Labels): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    const va = a[ka[i]];
    const vb = b[kb[i]];
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return ka.length - kb.length;
}
