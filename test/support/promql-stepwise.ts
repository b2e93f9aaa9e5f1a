/**
 * The range query as the engine evaluated it before columns (src/promql/range/): the step-by-step Evaluator at
 * every step, results gathered by label set (stepwiseSeries, the engine's own fallback for sparse queries). A
 * reference the column evaluator is tested against.
 */

import { parseRangeExpression } from '../../src/promql/engine.ts';
import { Evaluator } from '../../src/promql/evaluate.ts';
import { compareLabels } from '../../src/promql/labels.ts';
import { stepwiseSeries } from '../../src/promql/range/stepwise-range.ts';
import { loadSelections } from '../../src/promql/selections.ts';
import type { Queryable, QueryValue } from '../../src/promql/types.ts';

export function stepwiseRangeQuery(
  q: Queryable,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
): Extract<QueryValue, { type: 'matrix' }> {
  const ast = parseRangeExpression(expr);
  const times = { start: startMs, end: endMs, step: stepMs, lookback: 300_000, subqueryStep: 60_000 };
  const evaluator = new Evaluator(loadSelections(q, ast, times), times);
  const steps = { start: startMs, step: stepMs, n: Math.floor((endMs - startMs) / stepMs) + 1 };
  const series = stepwiseSeries(evaluator, ast, steps).sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: 'matrix', series };
}
