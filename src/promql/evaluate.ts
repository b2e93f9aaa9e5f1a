/**
 * The evaluator: one expression at one evaluation time, reading the selections loaded once for the whole
 * query (selections.ts). Range queries call it step by step; subqueries call it at their own aligned steps and
 * remember each step's result.
 */

import { aggregate } from './aggregate.js';
import type { Aggregate, Binary, Call, Expr, Subquery, VectorSelector } from './ast.js';
import { scalarBinop, vectorBinop, vectorScalarBinop } from './binary.js';
import { executionError } from './errors.js';
import { callFunction } from './functions/call.js';
import { dropMetricName, labelsKey } from './labels.js';
import { type QueryTimes, resolveAt, type Selections } from './selections.js';
import { isStaleNaN } from './types.js';
import { type RangeSeries, type Sample, scalar, type Value, vector } from './values.js';

/** Most inner evaluations the subqueries of one query may make (bounds the work of `x[30d:1s]`). */
const MAX_SUBQUERY_STEPS = 1_000_000;

/** Index of the last timestamp <= t, or -1. */
function lastAtOrBefore(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The smallest index whose timestamp is after `target` (ts.length when none), starting from `hint`, where the
 * previous step's answer was: a range query moves forward a few samples per step, so a short walk from there
 * beats a binary search; a target before the hint (a subquery's earlier steps) falls back to one.
 */
function firstAfter(ts: ArrayLike<number>, target: number, hint: number): number {
  let i = hint;
  if (i > ts.length || (i > 0 && (ts[i - 1] as number) > target)) return lastAtOrBefore(ts, target) + 1;
  for (let walked = 0; i < ts.length && (ts[i] as number) <= target; i++) {
    if (++walked > 16) return lastAtOrBefore(ts, target) + 1;
  }
  return i;
}

export class Evaluator {
  private readonly subqueryResults = new Map<Subquery, Map<number, readonly Sample[]>>();
  private subquerySteps = 0;
  /** Per selector, per series: where the last step's window began and ended (hints for firstAfter). */
  private readonly cursors = new Map<VectorSelector, { first: Int32Array; last: Int32Array }>();

  private cursorsOf(vs: VectorSelector, n: number): { first: Int32Array; last: Int32Array } {
    let c = this.cursors.get(vs);
    if (!c) {
      c = { first: new Int32Array(n), last: new Int32Array(n) };
      this.cursors.set(vs, c);
    }
    return c;
  }

  constructor(
    private readonly selections: Selections,
    private readonly times: QueryTimes,
    /** See QueryOptions.checkpoint. */
    private readonly checkpoint?: () => void,
  ) {}

  eval(e: Expr, t: number): Value {
    switch (e.kind) {
      case 'number':
        return scalar(e.value);
      case 'string':
        return { type: 'string', v: e.value };
      case 'paren':
        return this.eval(e.expr, t);
      case 'unary':
        return this.unary(e.op, this.eval(e.expr, t));
      case 'vector-selector':
        return vector(this.instantSelector(e, t));
      case 'matrix-selector':
        return this.rangeSelector(e.selector, e.range, t);
      case 'subquery':
        return this.subquery(e, t);
      case 'binary':
        return this.binary(e, t);
      case 'aggregate':
        return this.aggregate(e, t);
      case 'call':
        return this.call(e, t);
    }
  }

  private refTime(vs: { at?: VectorSelector['at']; offset: number }, t: number): number {
    return (vs.at ? resolveAt(vs.at, this.times) : t) - vs.offset;
  }

  private instantSelector(vs: VectorSelector, t: number): Sample[] {
    const ref = this.refTime(vs, t);
    const out: Sample[] = [];
    const selected = this.selections.get(vs) ?? [];
    const { last: hints } = this.cursorsOf(vs, selected.length);
    for (let k = 0; k < selected.length; k++) {
      const s = selected[k]!;
      const after = firstAfter(s.t, ref, hints[k]!);
      hints[k] = after;
      const i = after - 1;
      if (i < 0) continue;
      const st = s.t[i] as number;
      const v = s.v[i] as number;
      if (st < ref - this.times.lookback || isStaleNaN(v)) continue;
      out.push({ labels: s.labels, v, t: st });
    }
    return out;
  }

  private rangeSelector(vs: VectorSelector, range: number, t: number): Value {
    const end = this.refTime(vs, t);
    const start = end - range;
    const series: RangeSeries[] = [];
    const selected = this.selections.get(vs) ?? [];
    const hints = this.cursorsOf(vs, selected.length);
    for (let k = 0; k < selected.length; k++) {
      const s = selected[k]!;
      const afterEnd = firstAfter(s.t, end, hints.last[k]!);
      const first = firstAfter(s.t, start - 1, hints.first[k]!);
      hints.last[k] = afterEnd;
      hints.first[k] = first;
      const last = afterEnd - 1;
      const ts: number[] = [];
      const vs2: number[] = [];
      const counts: number[] | undefined = s.counts ? [] : undefined;
      for (let i = first; i <= last; i++) {
        const v = s.v[i] as number;
        if (isStaleNaN(v)) continue;
        ts.push(s.t[i] as number);
        vs2.push(v);
        counts?.push(s.counts![i] as number);
      }
      if (ts.length > 0)
        series.push(counts ? { labels: s.labels, t: ts, v: vs2, counts } : { labels: s.labels, t: ts, v: vs2 });
    }
    return { type: 'matrix', series, start, end, range };
  }

  private subquery(sq: Subquery, t: number): Value {
    const end = this.refTime(sq, t);
    const start = end - sq.range;
    const step = sq.step > 0 ? sq.step : this.times.subqueryStep;
    let first = Math.floor(start / step) * step;
    if (first < start) first += step;
    const bySeries = new Map<string, { labels: Sample['labels']; t: number[]; v: number[] }>();
    for (let ts = first; ts <= end; ts += step) {
      for (const s of this.subqueryStep(sq, ts)) {
        const key = labelsKey(s.labels);
        let series = bySeries.get(key);
        if (!series) {
          series = { labels: s.labels, t: [], v: [] };
          bySeries.set(key, series);
        }
        series.t.push(ts);
        series.v.push(s.v);
      }
    }
    return { type: 'matrix', series: [...bySeries.values()], start, end, range: sq.range };
  }

  private subqueryStep(sq: Subquery, ts: number): readonly Sample[] {
    let cache = this.subqueryResults.get(sq);
    if (!cache) {
      cache = new Map();
      this.subqueryResults.set(sq, cache);
    }
    const cached = cache.get(ts);
    if (cached) return cached;
    if ((this.subquerySteps & 255) === 0) this.checkpoint?.();
    if (++this.subquerySteps > MAX_SUBQUERY_STEPS) {
      throw executionError('query processing would load too many samples into memory in query execution');
    }
    const value = this.eval(sq.expr, ts);
    const samples = value.type === 'vector' ? value.samples : [];
    cache.set(ts, samples);
    return samples;
  }

  private unary(op: '-' | '+', v: Value): Value {
    if (op === '+') return v;
    if (v.type === 'scalar') return scalar(-v.v);
    if (v.type !== 'vector') return v;
    return checked(vector(v.samples.map((s) => ({ labels: dropMetricName(s.labels), v: -s.v }))));
  }

  private binary(b: Binary, t: number): Value {
    const lhs = this.eval(b.lhs, t);
    const rhs = this.eval(b.rhs, t);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') return scalar(scalarBinop(b.op, lhs.v, rhs.v));
    if (lhs.type === 'vector' && rhs.type === 'scalar') {
      return checked(vector(vectorScalarBinop(b.op, lhs.samples, rhs.v, false, b.returnBool)));
    }
    if (lhs.type === 'scalar' && rhs.type === 'vector') {
      return checked(vector(vectorScalarBinop(b.op, rhs.samples, lhs.v, true, b.returnBool)));
    }
    if (lhs.type === 'vector' && rhs.type === 'vector' && b.matching) {
      return checked(vector(vectorBinop(b.op, lhs.samples, rhs.samples, b.matching, b.returnBool)));
    }
    throw executionError(`binary operator ${b.op} between ${lhs.type} and ${rhs.type}`);
  }

  private aggregate(a: Aggregate, t: number): Value {
    const input = this.eval(a.expr, t);
    const param = a.param ? this.eval(a.param, t) : undefined;
    const samples = input.type === 'vector' ? input.samples : [];
    const p = param?.type === 'scalar' || param?.type === 'string' ? param.v : undefined;
    return vector(aggregate({ op: a.op, grouping: a.grouping, without: a.without, param: p }, samples));
  }

  private call(c: Call, t: number): Value {
    const args = c.args.map((arg) => this.eval(arg, t));
    return checked(callFunction(c.func, args, c.args, { time: t }));
  }
}

/** Prometheus refuses a result with two samples of the same label set (e.g. after dropping metric names). */
function checked(v: Value): Value {
  if (v.type !== 'vector' || v.samples.length < 2) return v;
  const seen = new Set<string>();
  for (const s of v.samples) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) throw executionError('vector cannot contain metrics with the same labelset');
    seen.add(key);
  }
  return v;
}
