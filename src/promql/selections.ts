/**
 * Which samples a query needs: every selector's time window over the whole query (Prometheus's
 * getTimeRangesForSelector), loaded from the store once and shared by every step of a range query.
 */

import type { AtModifier, Expr, VectorSelector } from './ast.js';
import { executionError } from './errors.js';
import { compareLabels } from './labels.js';
import type { LazySeries, Queryable, SeriesSamples, StepTimes } from './types.js';

/** Prometheus's default evaluation interval, the step of a subquery written without one (`x[1h:]`). */
export const DEFAULT_SUBQUERY_STEP = 60_000;

/** Prometheus's --query.max-samples default: the most samples one query may load. */
export const MAX_LOADED_SAMPLES = 50_000_000;

export interface QueryTimes {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly lookback: number;
  /** Step of subqueries written without one. */
  readonly subqueryStep: number;
}

export type Selections = Map<VectorSelector, readonly SeriesSamples[]>;
/** Selections read one series at a time (Queryable.selectLazy), kept apart from the rest. */
export type LazySelections = Map<VectorSelector, readonly LazySeries[]>;

/** Which selectors to load lazily, and where to put them (their evaluator reads them series by series). */
export interface LazyLoading {
  readonly selectors: ReadonlySet<VectorSelector>;
  readonly into: LazySelections;
}

export function resolveAt(at: AtModifier, times: QueryTimes): number {
  return at.kind === 'time' ? at.ms : at.kind === 'start' ? times.start : times.end;
}

/** Loads every selector of the query, sorted by labels as Prometheus's storage returns them. */
export function loadSelections(q: Queryable, expr: Expr, times: QueryTimes, lazy?: LazyLoading): Selections {
  const selections: Selections = new Map();
  let loaded = 0;
  // Instant selectors outside subqueries are read only at the query's steps (see SelectHints.readAt).
  const visit = (e: Expr, lo: number, hi: number, func?: string, inSubquery = false): void => {
    switch (e.kind) {
      case 'vector-selector':
      case 'matrix-selector': {
        const vs = e.kind === 'vector-selector' ? e : e.selector;
        const range = e.kind === 'matrix-selector' ? e.range : undefined;
        const [a, b] = shift(vs.at, vs.offset, lo, hi, times);
        const start = a - (range ?? times.lookback);
        const readAt = e.kind === 'vector-selector' && !inSubquery ? readTimes(vs, times) : undefined;
        const hints = { start, end: b, step: times.step, func, range, readAt };
        if (lazy?.selectors.has(vs) && q.selectLazy) {
          const series = [...q.selectLazy(vs.matchers, hints)];
          series.sort((x, y) => compareLabels(x.labels, y.labels));
          for (const s of series) loaded += s.sampleCount;
          if (loaded > MAX_LOADED_SAMPLES) {
            throw executionError('query processing would load too many samples into memory in query execution');
          }
          lazy.into.set(vs, series);
          return;
        }
        const series = [...q.select(vs.matchers, hints)];
        series.sort((x, y) => compareLabels(x.labels, y.labels));
        for (const s of series) loaded += s.t.length;
        if (loaded > MAX_LOADED_SAMPLES) {
          throw executionError('query processing would load too many samples into memory in query execution');
        }
        selections.set(vs, series);
        return;
      }
      case 'subquery': {
        const [a, b] = shift(e.at, e.offset, lo, hi, times);
        visit(e.expr, a - e.range, b, undefined, true);
        return;
      }
      case 'paren':
      case 'unary':
        visit(e.expr, lo, hi, func, inSubquery);
        return;
      case 'binary':
        visit(e.lhs, lo, hi, undefined, inSubquery);
        visit(e.rhs, lo, hi, undefined, inSubquery);
        return;
      case 'aggregate':
        if (e.param) visit(e.param, lo, hi, undefined, inSubquery);
        visit(e.expr, lo, hi, undefined, inSubquery);
        return;
      case 'call':
        for (const arg of e.args) visit(arg, lo, hi, e.func, inSubquery);
        return;
      default:
        return;
    }
  };
  visit(expr, times.start, times.end);
  return selections;
}

/** The times an instant selector (outside subqueries) is read at: every step of the query, offset applied. */
function readTimes(vs: VectorSelector, times: QueryTimes): StepTimes | undefined {
  if (vs.at) return { first: resolveAt(vs.at, times) - vs.offset, step: 1, count: 1 };
  if (!(times.step > 0)) return { first: times.start - vs.offset, step: 1, count: 1 };
  return {
    first: times.start - vs.offset,
    step: times.step,
    count: Math.floor((times.end - times.start) / times.step) + 1,
  };
}

function shift(
  at: AtModifier | undefined,
  offset: number,
  lo: number,
  hi: number,
  times: QueryTimes,
): [number, number] {
  if (at) {
    const t = resolveAt(at, times);
    return [t - offset, t - offset];
  }
  return [lo - offset, hi - offset];
}
