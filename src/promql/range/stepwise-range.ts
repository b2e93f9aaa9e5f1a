/**
 * A range query evaluated step by step, its points gathered by label set: what the engine falls back to when a
 * query is too sparse for columns (ColumnsTooSparse), holding only the points it returns.
 */

import type { Expr } from '../ast.js';
import { executionError } from '../errors.js';
import type { Evaluator } from '../evaluate.js';
import { labelsKey } from '../labels.js';
import type { Labels } from '../types.js';
import type { Steps } from './columns.js';

export function stepwiseSeries(
  evaluator: Evaluator,
  expr: Expr,
  steps: Steps,
  checkpoint: () => void = () => {},
): Array<{ labels: Labels; t: number[]; v: number[] }> {
  const bySeries = new Map<string, { labels: Labels; t: number[]; v: number[] }>();
  const add = (labels: Labels, t: number, v: number) => {
    const key = labelsKey(labels);
    let s = bySeries.get(key);
    if (!s) {
      s = { labels, t: [], v: [] };
      bySeries.set(key, s);
    }
    s.t.push(t);
    s.v.push(v);
  };
  for (let i = 0; i < steps.n; i++) {
    checkpoint();
    const t = steps.start + i * steps.step;
    const value = evaluator.eval(expr, t);
    if (value.type === 'scalar') add({}, t, value.v);
    else if (value.type === 'vector') for (const s of value.samples) add(s.labels, t, s.v);
    else throw executionError(`invalid expression type "${value.type}" for range query`);
  }
  return [...bySeries.values()];
}
