/** Aggregation operators over one instant vector, as Prometheus 2.42's evaluator.aggregation. */

import type { AggregateOp } from './ast.js';
import { executionError } from './errors.js';
import { quantile } from './functions/quantile.js';
import { formatFloatF } from './go-float.js';
import { groupingLabels, labelsKey, withLabel } from './labels.js';
import type { Labels } from './types.js';
import type { Sample } from './values.js';

export interface AggregateSpec {
  readonly op: AggregateOp;
  readonly grouping: readonly string[];
  readonly without: boolean;
  /** topk/bottomk's k, quantile's q, count_values's label. */
  readonly param?: number | string;
}

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  members: Sample[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function aggregate(spec: AggregateSpec, input: readonly Sample[]): Sample[] {
  let grouping = spec.grouping;
  let samples = input;
  if (spec.op === 'count_values') {
    const label = String(spec.param);
    if (!LABEL_NAME.test(label)) throw executionError(`invalid label name "${label}"`);
    if (!spec.without) grouping = [...grouping, label];
    samples = input.map((s) => ({ labels: withLabel(s.labels, label, formatFloatF(s.v)), v: s.v }));
  }
  let k = 0;
  if (spec.op === 'topk' || spec.op === 'bottomk') {
    const f = Number(spec.param);
    if (!(Math.abs(f) < 9.3e18)) throw executionError(`Scalar value ${f} overflows int64`);
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  const groups = new Map<string, Group>();
  for (const s of samples) {
    const labels = groupingLabels(s.labels, grouping, spec.without);
    const key = labelsKey(labels);
    const group = groups.get(key);
    if (group) accumulate(spec.op, group, s);
    else groups.set(key, startGroup(spec.op, labels, s));
  }
  const out: Sample[] = [];
  for (const g of groups.values()) out.push(...finish(spec, g, k));
  return out;
}

function startGroup(op: AggregateOp, labels: Labels, s: Sample): Group {
  const value = op === 'stddev' || op === 'stdvar' ? 0 : op === 'group' ? 1 : s.v;
  return { labels, value, mean: s.v, count: 1, members: [s] };
}

function accumulate(op: AggregateOp, g: Group, s: Sample): void {
  switch (op) {
    case 'sum':
      g.value += s.v;
      return;
    case 'avg': {
      g.count++;
      if (!Number.isFinite(g.mean) && !Number.isNaN(g.mean)) {
        if (!Number.isFinite(s.v) && !Number.isNaN(s.v) && g.mean > 0 === s.v > 0) return;
        if (Number.isFinite(s.v)) return;
      }
      g.mean += s.v / g.count - g.mean / g.count;
      return;
    }
    case 'max':
      if (g.value < s.v || Number.isNaN(g.value)) g.value = s.v;
      return;
    case 'min':
      if (g.value > s.v || Number.isNaN(g.value)) g.value = s.v;
      return;
    case 'count':
    case 'count_values':
      g.count++;
      return;
    case 'stddev':
    case 'stdvar': {
      g.count++;
      const delta = s.v - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (s.v - g.mean);
      return;
    }
    case 'topk':
    case 'bottomk':
    case 'quantile':
      g.members.push(s);
      return;
    case 'group':
      return;
  }
}

function finish(spec: AggregateSpec, g: Group, k: number): Sample[] {
  switch (spec.op) {
    case 'avg':
      return [{ labels: g.labels, v: g.mean }];
    case 'count':
    case 'count_values':
      return [{ labels: g.labels, v: g.count }];
    case 'stdvar':
      return [{ labels: g.labels, v: g.value / g.count }];
    case 'stddev':
      return [{ labels: g.labels, v: Math.sqrt(g.value / g.count) }];
    case 'quantile':
      return [
        {
          labels: g.labels,
          v: quantile(
            Number(spec.param),
            g.members.map((m) => m.v),
          ),
        },
      ];
    case 'topk':
      return selectK(g.members, k, true);
    case 'bottomk':
      return selectK(g.members, k, false);
    default:
      return [{ labels: g.labels, v: g.value }];
  }
}

/**
 * The k largest (or smallest) samples, best first, the original labels kept. Which of several equal values are kept
 * is Prometheus's: it fills a binary heap (Go's container/heap, worst on top) with the first k samples in input
 * order, then a later sample replaces the top only when strictly better; so this runs the same heap.
 */
function selectK(members: readonly Sample[], k: number, top: boolean): Sample[] {
  // Go's Less: NaN first (worst), then smaller for topk / larger for bottomk.
  const less = (a: number, b: number) => (Number.isNaN(a) && !Number.isNaN(b) ? true : top ? a < b : a > b);
  const heap: Sample[] = [];
  const swap = (i: number, j: number) => {
    const x = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = x;
  };
  const up = (start: number) => {
    let j = start;
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !less(heap[j]!.v, heap[i]!.v)) break;
      swap(i, j);
      j = i;
    }
  };
  const down = (i0: number): boolean => {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= heap.length) break;
      let j = j1;
      if (j1 + 1 < heap.length && less(heap[j1 + 1]!.v, heap[j1]!.v)) j = j1 + 1;
      if (!less(heap[j]!.v, heap[i]!.v)) break;
      swap(i, j);
      i = j;
    }
    return i > i0;
  };
  for (const s of members) {
    if (heap.length < k) {
      heap.push(s);
      up(heap.length - 1);
    } else if ((top ? heap[0]!.v < s.v : heap[0]!.v > s.v) || (Number.isNaN(heap[0]!.v) && !Number.isNaN(s.v))) {
      heap[0] = s;
      if (k > 1 && !down(0)) up(0);
    }
  }
  // Best first; equal values in input order.
  const order = new Map(members.map((s, i) => [s, i]));
  const better = (a: Sample, b: Sample) => (less(b.v, a.v) ? -1 : less(a.v, b.v) ? 1 : order.get(a)! - order.get(b)!);
  return heap.sort(better).map((s) => ({ labels: s.labels, v: s.v }));
}
