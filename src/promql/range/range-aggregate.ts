/**
 * sum, avg, min, max, count, group, stddev and stdvar over whole columns: each input series' group is found once
 * (not once per step), then every step is accumulated in input order with the arithmetic of aggregate.ts, so the
 * result equals the step-by-step evaluator's.
 */

import type { AggregateOp } from '../ast.js';
import { groupingLabels, labelsKey } from '../labels.js';
import type { Labels } from '../types.js';
import { type Column, emptyColumn } from './columns.js';

export const COLUMN_AGGREGATES: ReadonlySet<AggregateOp> = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
]);

interface GroupColumns {
  readonly out: Column;
  /** avg and stddev/stdvar's running mean, and the count of samples in each step's group. */
  readonly mean: Float64Array;
  readonly count: Float64Array;
}

export function aggregateColumns(
  op: AggregateOp,
  grouping: readonly string[],
  without: boolean,
  input: readonly Column[],
  n: number,
): Column[] {
  const groups = new Map<string, GroupColumns>();
  const order: GroupColumns[] = [];
  const groupOf = (labels: Labels): GroupColumns => {
    const g = groupingLabels(labels, grouping, without);
    const key = labelsKey(g);
    let group = groups.get(key);
    if (!group) {
      group = { out: emptyColumn(g, n), mean: new Float64Array(n), count: new Float64Array(n) };
      groups.set(key, group);
      order.push(group);
    }
    return group;
  };
  for (const c of input) {
    const g = groupOf(c.labels);
    for (let i = 0; i < n; i++) {
      if (c.present[i] !== 1) continue;
      const v = c.v[i]!;
      if (g.out.present[i] !== 1) start(op, g, i, v);
      else accumulate(op, g, i, v);
    }
  }
  for (const g of order) finish(op, g, n);
  return order.map((g) => g.out);
}

function start(op: AggregateOp, g: GroupColumns, i: number, v: number): void {
  g.out.present[i] = 1;
  g.out.v[i] = op === 'stddev' || op === 'stdvar' ? 0 : op === 'group' ? 1 : v;
  g.mean[i] = v;
  g.count[i] = 1;
}

function accumulate(op: AggregateOp, g: GroupColumns, i: number, v: number): void {
  const out = g.out.v;
  switch (op) {
    case 'sum':
      out[i]! += v;
      return;
    case 'avg': {
      const count = ++g.count[i]!;
      const mean = g.mean[i]!;
      if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
        if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) return;
        if (Number.isFinite(v)) return;
      }
      g.mean[i] = mean + (v / count - mean / count);
      return;
    }
    case 'max':
      if (out[i]! < v || Number.isNaN(out[i]!)) out[i] = v;
      return;
    case 'min':
      if (out[i]! > v || Number.isNaN(out[i]!)) out[i] = v;
      return;
    case 'count':
      g.count[i]!++;
      return;
    case 'stddev':
    case 'stdvar': {
      const count = ++g.count[i]!;
      const delta = v - g.mean[i]!;
      g.mean[i]! += delta / count;
      out[i]! += delta * (v - g.mean[i]!);
      return;
    }
    default:
      return;
  }
}

function finish(op: AggregateOp, g: GroupColumns, n: number): void {
  const out = g.out.v;
  for (let i = 0; i < n; i++) {
    if (g.out.present[i] !== 1) continue;
    if (op === 'avg') out[i] = g.mean[i]!;
    else if (op === 'count') out[i] = g.count[i]!;
    else if (op === 'stdvar') out[i] = out[i]! / g.count[i]!;
    else if (op === 'stddev') out[i] = Math.sqrt(out[i]! / g.count[i]!);
  }
}
