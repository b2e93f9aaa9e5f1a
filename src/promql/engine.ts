/**
 * The PromQL engine of `redoubt up`: instant and range queries over any Queryable, with Prometheus 2.42's
 * semantics (5-minute lookback, staleness, inclusive range windows).
 */

import type { Expr } from './ast.js';
import { PromqlError } from './errors.js';
import { Evaluator } from './evaluate.js';
import { compareLabels } from './labels.js';
import { parsedExpressions } from './parse-cache.js';
import { exprType } from './parse-checks.js';
import { ColumnsTooSparse, type Steps } from './range/columns.js';
import { columnsToSeries, RangeEvaluator, seriesAtATimeSelectors } from './range/range-evaluator.js';
import { stepwiseSeries } from './range/stepwise-range.js';
import { DEFAULT_SUBQUERY_STEP, type LazySelections, loadSelections, type QueryTimes } from './selections.js';
import type { PromqlEngine, Queryable, QueryOptions, QueryValue, SeriesSamples } from './types.js';

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

/** Prometheus's API limit on the points of one series in a range query. */
export const MAX_RANGE_POINTS = 11_000;

function queryTimes(start: number, end: number, step: number, opts?: QueryOptions): QueryTimes {
  const lookback = opts?.lookbackDelta ?? DEFAULT_LOOKBACK_MS;
  if (!(lookback > 0)) throw new PromqlError('bad_data', 'lookback delta must be positive');
  const subqueryStep = opts?.subqueryStepMs ?? DEFAULT_SUBQUERY_STEP;
  if (!(subqueryStep > 0)) throw new PromqlError('bad_data', 'the default subquery step must be positive');
  return { start, end, step, lookback, subqueryStep };
}

export function instantQuery(q: Queryable, expr: string, timeMs: number, opts?: QueryOptions): QueryValue {
  const ast = parsedExpressions.parse(expr);
  const times = queryTimes(timeMs, timeMs, 0, opts);
  const value = new Evaluator(loadSelections(q, ast, times), times, opts?.checkpoint).eval(ast, timeMs);
  switch (value.type) {
    case 'scalar':
      return { type: 'scalar', t: timeMs, v: value.v };
    case 'string':
      return { type: 'string', t: timeMs, v: value.v };
    case 'vector':
      return { type: 'vector', samples: value.samples.map((s) => ({ labels: s.labels, t: timeMs, v: s.v })) };
    case 'matrix':
      return {
        type: 'matrix',
        series: [...value.series].sort((a, b) => compareLabels(a.labels, b.labels)),
      };
  }
}

export function rangeQuery(
  q: Queryable,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  opts?: QueryOptions,
): Extract<QueryValue, { type: 'matrix' }> {
  if (!(stepMs > 0)) {
    throw new PromqlError(
      'bad_data',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  if (endMs < startMs) throw new PromqlError('bad_data', 'end timestamp must not be before start time');
  if (Math.floor((endMs - startMs) / stepMs) > MAX_RANGE_POINTS) {
    throw new PromqlError(
      'bad_data',
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  }
  const ast = parseRangeExpression(expr);
  const times = queryTimes(startMs, endMs, stepMs, opts);
  const steps = { start: startMs, step: stepMs, n: Math.floor((endMs - startMs) / stepMs) + 1 };
  const series: SeriesSamples[] = rangeSeries(q, ast, times, steps, opts).sort((a, b) =>
    compareLabels(a.labels, b.labels),
  );
  return { type: 'matrix', series };
}

/** The expression of a range query, parsed; one that is not a scalar or an instant vector is refused. */
export function parseRangeExpression(expr: string): Expr {
  const ast = parsedExpressions.parse(expr);
  const type = exprType(ast);
  if (type !== 'scalar' && type !== 'vector') {
    const name = type === 'matrix' ? 'range vector' : type;
    throw new PromqlError(
      'bad_data',
      `invalid expression type "${name}" for range query, must be Scalar or instant Vector`,
    );
  }
  return ast;
}

/** Over columns; step by step (the selectors read again, none lazily) when the columns would be too sparse. */
function rangeSeries(q: Queryable, ast: Expr, times: QueryTimes, steps: Steps, opts?: QueryOptions): SeriesSamples[] {
  const lazy: LazySelections = new Map();
  const selections = loadSelections(q, ast, times, { selectors: seriesAtATimeSelectors(ast), into: lazy });
  const stepwise = new Evaluator(selections, times, opts?.checkpoint);
  try {
    return columnsToSeries(
      new RangeEvaluator(selections, lazy, times, steps, stepwise, opts?.checkpoint).eval(ast),
      steps,
    );
  } catch (err) {
    if (!(err instanceof ColumnsTooSparse)) throw err;
  }
  const evaluator = new Evaluator(loadSelections(q, ast, times), times, opts?.checkpoint);
  return stepwiseSeries(evaluator, ast, steps, opts?.checkpoint);
}

/** The engine as an object, for code that takes a PromqlEngine. */
export const promqlEngine: PromqlEngine = { instantQuery, rangeQuery };
