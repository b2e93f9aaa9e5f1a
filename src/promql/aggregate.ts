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

/** The k largest (or smallest) samples, NaN ranked last, best first; the original labels are kept. */
function selectK(members: readonly Sample[], k: number, top: boolean): Sample[] {
  const rank = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : top ? v : -v);
  const sorted = members
    .map((s, i) => ({ s, i }))
    .sort((a, b) => {
      if (Number.isNaN(a.s.v) !== Number.isNaN(b.s.v)) return Number.isNaN(a.s.v) ? 1 : -1;
      return rank(b.s.v) - rank(a.s.v) || a.i - b.i;
    });
  return sorted.slice(0, k).map(({ s }) => ({ labels: s.labels, v: s.v }));
}
