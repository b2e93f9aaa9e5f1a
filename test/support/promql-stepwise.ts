/**
 * The range query as the engine evaluated it before columns (src/promql/range/): the step-by-step Evaluator at
 * every step, results gathered by label set. A reference the column evaluator is tested against.
 */

import { PromqlError } from '../../src/promql/errors.ts';
import { Evaluator } from '../../src/promql/evaluate.ts';
import { compareLabels, labelsKey } from '../../src/promql/labels.ts';
import { parsedExpressions } from '../../src/promql/parse-cache.ts';
import { exprType } from '../../src/promql/parse-checks.ts';
import { loadSelections } from '../../src/promql/selections.ts';
import type { Labels, Queryable, QueryValue } from '../../src/promql/types.ts';

export function stepwiseRangeQuery(
  q: Queryable,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
): Extract<QueryValue, { type: 'matrix' }> {
  const ast = parsedExpressions.parse(expr);
  const type = exprType(ast);
  if (type !== 'scalar' && type !== 'vector') {
    const name = type === 'matrix' ? 'range vector' : type;
    throw new PromqlError(
      'bad_data',
      `invalid expression type "${name}" for range query, must be Scalar or instant Vector`,
    );
  }
  const times = { start: startMs, end: endMs, step: stepMs, lookback: 300_000, subqueryStep: 60_000 };
  const evaluator = new Evaluator(loadSelections(q, ast, times), times);
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
  for (let t = startMs; t <= endMs; t += stepMs) {
    const value = evaluator.eval(ast, t);
    if (value.type === 'scalar') add({}, t, value.v);
    else if (value.type === 'vector') for (const s of value.samples) add(s.labels, t, s.v);
  }
  return { type: 'matrix', series: [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels)) };
}
