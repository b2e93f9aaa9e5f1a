/**
 * A range query evaluated a node at a time over every step at once (the step-by-step evaluator allocates a
 * sample object, and looks each series' labels up, at every step): selectors walk each series once, rate() and
 * the *_over_time functions slide their window along it, aggregations find each series' group once. What has no
 * column form here (subqueries, timestamp(), absent_over_time(), …) is evaluated step by step by the Evaluator
 * and gathered into columns, so every expression gives what the step-by-step evaluator gives.
 */

import { aggregate } from '../aggregate.js';
import type { Aggregate, Binary, Call, Expr, MatrixSelector, Unary, VectorSelector } from '../ast.js';
import { executionError } from '../errors.js';
import type { Evaluator } from '../evaluate.js';
import { callFunction, type SeriesFunction, seriesFunction, windowFunction } from '../functions/call.js';
import { labelJoin, labelReplace } from '../functions/label-functions.js';
import { mathFunction } from '../functions/math.js';
import type { Window } from '../functions/rates.js';
import { dropMetricName } from '../labels.js';
import { type LazySelections, type QueryTimes, resolveAt, type Selections } from '../selections.js';
import { isStaleNaN, type Labels, type SeriesSamples } from '../types.js';
import { type Sample, scalar, type Value, vector } from '../values.js';
import { CellBudget, type Column, ColumnSet, type RangeValue, type Steps } from './columns.js';
import { aggregateColumns, COLUMN_AGGREGATES } from './range-aggregate.js';
import { scalarColumns, vectorColumns, vectorScalarColumns } from './range-binary.js';

type VectorValue = Extract<RangeValue, { type: 'vector' }>;

type CallPlan =
  | { readonly kind: 'range-function'; readonly matrixAt: number; readonly f: SeriesFunction }
  | { readonly kind: 'step-by-step' }
  | { readonly kind: 'columns' };

/** How RangeEvaluator evaluates a call: a range function over a selector, step by step, or over its args' columns. */
function callPlan(c: Call): CallPlan {
  const matrixAt = c.args.findIndex((a) => a.kind === 'matrix-selector');
  const f = seriesFunction(c.func);
  if (f && matrixAt >= 0) return { kind: 'range-function', matrixAt, f };
  if (
    c.func === 'timestamp' ||
    c.func === 'absent_over_time' ||
    c.args.some((a) => a.kind === 'matrix-selector' || a.kind === 'subquery')
  ) {
    return { kind: 'step-by-step' };
  }
  return { kind: 'columns' };
}

/**
 * The range selectors RangeEvaluator reads one series at a time, to the end (those of a range function it
 * evaluates over columns; none under what it evaluates step by step): they may be loaded lazily. Follows eval().
 */
export function seriesAtATimeSelectors(e: Expr): Set<VectorSelector> {
  const out = new Set<VectorSelector>();
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'paren':
      case 'unary':
        walk(x.expr);
        return;
      case 'binary':
        walk(x.lhs);
        walk(x.rhs);
        return;
      case 'aggregate':
        walk(x.expr);
        if (x.param) walk(x.param);
        return;
      case 'call': {
        const plan = callPlan(x);
        if (plan.kind === 'step-by-step') return;
        x.args.forEach((arg, j) => {
          if (plan.kind === 'range-function' && j === plan.matrixAt) out.add((arg as MatrixSelector).selector);
          else walk(arg);
        });
        return;
      }
      default:
        return;
    }
  };
  walk(e);
  return out;
}

export class RangeEvaluator {
  private readonly n: number;

  constructor(
    private readonly selections: Selections,
    /** The selectors of seriesAtATimeSelectors(), loaded lazily. */
    private readonly lazy: LazySelections,
    private readonly times: QueryTimes,
    private readonly steps: Steps,
    /** Evaluates what has no column form, step by step. */
    private readonly stepwise: Evaluator,
    private readonly checkpoint: () => void = () => {},
    /** The cells of the columns made from label sets met step by step (ColumnsTooSparse past it). */
    private readonly budget = new CellBudget(),
  ) {
    this.n = steps.n;
  }

  eval(e: Expr): RangeValue {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', v: new Float64Array(this.n).fill(e.value) };
      case 'string':
        return { type: 'string', v: e.value };
      case 'paren':
        return this.eval(e.expr);
      case 'unary':
        return this.unary(e);
      case 'vector-selector':
        return { type: 'vector', series: this.selector(e) };
      case 'binary':
        return this.binary(e);
      case 'aggregate':
        return this.aggregate(e);
      case 'call':
        return this.call(e);
      default:
        return this.fallback(e);
    }
  }

  private time(i: number): number {
    return this.steps.start + i * this.steps.step;
  }

  private refTime(vs: VectorSelector, i: number): number {
    return (vs.at ? resolveAt(vs.at, this.times) : this.time(i)) - vs.offset;
  }

  private selected(vs: VectorSelector): readonly SeriesSamples[] {
    return this.selections.get(vs) ?? [];
  }

  /** An instant selector at every step: the newest sample within the lookback, unless it is a staleness marker. */
  private selector(vs: VectorSelector): Column[] {
    const { n } = this;
    const lookback = this.times.lookback;
    return this.selected(vs).map((s) => {
      this.checkpoint();
      const v = new Float64Array(n);
      const present = new Uint8Array(n);
      const len = s.t.length;
      let after = 0;
      for (let i = 0; i < n; i++) {
        const ref = this.refTime(vs, i);
        while (after < len && (s.t[after] as number) <= ref) after++;
        if (after === 0) continue;
        const st = s.t[after - 1] as number;
        const value = s.v[after - 1] as number;
        if (st < ref - lookback || isStaleNaN(value)) continue;
        v[i] = value;
        present[i] = 1;
      }
      return { labels: s.labels, v, present };
    });
  }

  private vectorOf(e: Expr): readonly Column[] {
    const value = this.eval(e);
    return value.type === 'vector' ? value.series : [];
  }

  private unary(e: Unary): RangeValue {
    const value = this.eval(e.expr);
    if (e.op === '+' || value.type === 'string') return value;
    if (value.type === 'scalar') return { type: 'scalar', v: value.v.map((x) => -x) };
    const out = new ColumnSet(this.n, true);
    for (const c of value.series)
      out.addSeries(
        dropMetricName(c.labels),
        c.v.map((x) => -x),
        c.present,
      );
    return { type: 'vector', series: out.columns };
  }

  private binary(b: Binary): RangeValue {
    const lhs = this.eval(b.lhs);
    const rhs = this.eval(b.rhs);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') return { type: 'scalar', v: scalarColumns(b.op, lhs.v, rhs.v) };
    if (lhs.type === 'vector' && rhs.type === 'scalar') {
      return { type: 'vector', series: vectorScalarColumns(b.op, lhs.series, rhs.v, false, b.returnBool) };
    }
    if (lhs.type === 'scalar' && rhs.type === 'vector') {
      return { type: 'vector', series: vectorScalarColumns(b.op, rhs.series, lhs.v, true, b.returnBool) };
    }
    if (lhs.type === 'vector' && rhs.type === 'vector' && b.matching) {
      return {
        type: 'vector',
        series: vectorColumns(
          b.op,
          lhs.series,
          rhs.series,
          b.matching,
          b.returnBool,
          this.n,
          this.checkpoint,
          this.budget,
        ),
      };
    }
    throw executionError(`binary operator ${b.op} between ${lhs.type} and ${rhs.type}`);
  }

  private aggregate(a: Aggregate): RangeValue {
    const input = this.vectorOf(a.expr);
    if (COLUMN_AGGREGATES.has(a.op) && !a.param) {
      return { type: 'vector', series: aggregateColumns(a.op, a.grouping, a.without, input, this.n) };
    }
    const param = a.param ? this.eval(a.param) : undefined;
    const spec = { op: a.op, grouping: a.grouping, without: a.without };
    return this.perStep(input, false, (samples, i) => {
      const p = param?.type === 'scalar' ? param.v[i] : param?.type === 'string' ? param.v : undefined;
      return vector(aggregate({ ...spec, param: p }, samples));
    });
  }

  private call(c: Call): RangeValue {
    const plan = callPlan(c);
    if (plan.kind === 'range-function') return this.rangeFunction(c, plan.matrixAt, plan.f);
    if (plan.kind === 'step-by-step') return this.fallback(c);
    const math = mathFunction(c.func);
    if (math && c.args.length === 1) return this.mapSeries(this.vectorOf(c.args[0]!), dropMetricName, math);
    const relabel = this.relabelling(c);
    if (relabel) return this.mapSeries(this.vectorOf(c.args[0]!), relabel, (v) => v);
    if (c.func === 'time')
      return { type: 'scalar', v: Float64Array.from({ length: this.n }, (_, i) => this.time(i) / 1000) };
    const args = c.args.map((a) => this.eval(a));
    return this.perStep([], true, (_samples, i) =>
      callFunction(
        c.func,
        args.map((a) => this.valueAt(a, i)),
        c.args,
        { time: this.time(i) },
      ),
    );
  }

  /** label_replace/label_join with literal arguments: one new label set per series. */
  private relabelling(c: Call): ((labels: Labels) => Labels) | undefined {
    const strings = c.args.slice(1).map((a) => (a.kind === 'string' ? a.value : undefined));
    if (strings.some((s) => s === undefined)) return undefined;
    const s = strings as string[];
    if (c.func === 'label_replace' && s.length === 4) return labelReplace(s[0]!, s[1]!, s[2]!, s[3]!);
    if (c.func === 'label_join' && s.length >= 2) return labelJoin(s[0]!, s[1]!, s.slice(2));
    return undefined;
  }

  private mapSeries(input: readonly Column[], labels: (l: Labels) => Labels, f: (v: number) => number): RangeValue {
    const out = new ColumnSet(this.n, true);
    for (const c of input) out.add(labels(c.labels), c.v.map(f), c.present);
    return { type: 'vector', series: out.columns };
  }

  /**
   * rate(), increase(), the *_over_time functions, …: each series' window slides along its samples (the
   * staleness markers left out, as the step-by-step range selector does), one scratch array reused throughout.
   */
  private rangeFunction(c: Call, matrixAt: number, f: SeriesFunction): RangeValue {
    const msel = c.args[matrixAt] as MatrixSelector;
    const vs = msel.selector;
    const range = msel.range;
    const others = c.args.map((a, j) => (j === matrixAt ? undefined : this.eval(a)));
    const args: Value[] = c.args.map(() => scalar(Number.NaN));
    const window = { start: 0, end: 0, range };
    const ctx = { time: 0 };
    const keepName = c.func === 'last_over_time';
    const byIndex = windowFunction(c.func);
    const out = new ColumnSet(this.n, true);
    const selected = this.lazy.get(vs) ?? this.selected(vs).map((s) => ({ labels: s.labels, read: () => s }));
    for (const lazy of selected) {
      this.checkpoint();
      const s = lazy.read();
      const w = new SlidingWindow(s);
      // rate() and the like read the window in place when no staleness marker has to be left out of it.
      const inPlace = w.clean ? byIndex : undefined;
      const values = new Float64Array(this.n);
      const present = new Uint8Array(this.n);
      for (let i = 0; i < this.n; i++) {
        // A window may hold days of samples (quantile_over_time sorts them at every step): the deadline holds.
        if ((i & 63) === 63) this.checkpoint();
        const end = this.refTime(vs, i);
        if (!(inPlace ? w.move(end - range, end) : w.slide(end - range, end))) continue;
        window.start = end - range;
        window.end = end;
        let r: number | undefined;
        if (inPlace) r = inPlace(s.t, s.v, w.lo, w.hi, window);
        else {
          ctx.time = this.time(i);
          others.forEach((o, j) => {
            if (o) args[j] = this.valueAt(o, i);
          });
          r = f(w.samples, window as Window, args, ctx);
        }
        if (r === undefined) continue;
        values[i] = r;
        present[i] = 1;
      }
      out.addSeries(keepName ? s.labels : dropMetricName(s.labels), values, present);
    }
    return { type: 'vector', series: out.columns };
  }

  /** One argument's value at step i, in the step-by-step evaluator's form. */
  private valueAt(a: RangeValue, i: number): Value {
    if (a.type === 'scalar') return scalar(a.v[i]!);
    if (a.type === 'string') return a;
    return vector(samplesAt(a, i));
  }

  /** What only has a per-step form, fed from columns and gathered back into columns. */
  private perStep(input: readonly Column[], check: boolean, f: (samples: Sample[], i: number) => Value): RangeValue {
    const series = { type: 'vector', series: input } as const;
    return this.gather(check, (i) => f(samplesAt(series, i), i));
  }

  /** The step-by-step evaluator at every step, its results gathered into columns. */
  private fallback(e: Expr): RangeValue {
    return this.gather(false, (i) => this.stepwise.eval(e, this.time(i)));
  }

  private gather(check: boolean, at: (i: number) => Value): RangeValue {
    const out = new ColumnSet(this.n, check, this.budget);
    const scalars = new Float64Array(this.n);
    let isScalar = false;
    for (let i = 0; i < this.n; i++) {
      this.checkpoint();
      const value = at(i);
      if (value.type === 'vector') for (const s of value.samples) out.set(s.labels, i, s.v);
      else if (value.type === 'scalar') {
        scalars[i] = value.v;
        isScalar = true;
      } else throw executionError(`invalid expression type "${value.type}" for range query`);
    }
    return isScalar ? { type: 'scalar', v: scalars } : { type: 'vector', series: out.columns };
  }
}

/**
 * One series' samples in a window that only moves forward, copied (staleness markers left out, as the
 * step-by-step range selector does) into arrays reused from step to step.
 */
class SlidingWindow {
  readonly samples: { labels: Labels; t: number[]; v: number[]; counts?: number[] };
  /** The window is the series' samples [lo, hi). */
  lo = 0;
  hi = 0;
  /** Whether the series holds no staleness marker, so [lo, hi) is the window as it is (no copy needed). */
  readonly clean: boolean;

  constructor(private readonly s: SeriesSamples) {
    this.samples = s.counts ? { labels: s.labels, t: [], v: [], counts: [] } : { labels: s.labels, t: [], v: [] };
    let clean = true;
    for (let j = 0; j < s.v.length && clean; j++) if (isStaleNaN(s.v[j] as number)) clean = false;
    this.clean = clean;
  }

  /** Moves lo and hi to [start, end] (inclusive); false when the window is empty. */
  move(start: number, end: number): boolean {
    const s = this.s;
    const len = s.t.length;
    while (this.hi < len && (s.t[this.hi] as number) <= end) this.hi++;
    while (this.lo < this.hi && (s.t[this.lo] as number) < start) this.lo++;
    return this.hi > this.lo;
  }

  /** Moves to [start, end] and copies its samples, staleness markers left out; false when none is left. */
  slide(start: number, end: number): boolean {
    const { s, samples } = this;
    this.move(start, end);
    samples.t.length = 0;
    samples.v.length = 0;
    if (samples.counts) samples.counts.length = 0;
    for (let j = this.lo; j < this.hi; j++) {
      const value = s.v[j] as number;
      if (isStaleNaN(value)) continue;
      samples.t.push(s.t[j] as number);
      samples.v.push(value);
      samples.counts?.push(s.counts![j] as number);
    }
    return samples.t.length > 0;
  }
}

function samplesAt(value: VectorValue, i: number): Sample[] {
  const out: Sample[] = [];
  for (const c of value.series) if (c.present[i] === 1) out.push({ labels: c.labels, v: c.v[i]! });
  return out;
}

/** The matrix a range query answers: each column's steps that hold a sample, label sets merged. */
export function columnsToSeries(value: RangeValue, steps: Steps): Array<{ labels: Labels; t: number[]; v: number[] }> {
  const time = (i: number) => steps.start + i * steps.step;
  if (value.type === 'scalar') {
    return [{ labels: {}, t: Array.from({ length: steps.n }, (_, i) => time(i)), v: Array.from(value.v) }];
  }
  if (value.type !== 'vector') return [];
  const merged = new ColumnSet(steps.n, false);
  for (const c of value.series) merged.add(c.labels, c.v, c.present);
  const out: Array<{ labels: Labels; t: number[]; v: number[] }> = [];
  for (const c of merged.columns) {
    const t: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < steps.n; i++) {
      if (c.present[i] !== 1) continue;
      t.push(time(i));
      v.push(c.v[i]!);
    }
    if (t.length > 0) out.push({ labels: c.labels, t, v });
  }
  return out;
}
