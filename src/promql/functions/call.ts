/**
 * The function table: a function's name → what it computes from its evaluated arguments at one evaluation
 * time (Prometheus's promql/functions.go). Metric names are dropped as Prometheus drops them.
 */

import type { Expr } from '../ast.js';
import { executionError } from '../errors.js';
import { dropMetricName } from '../labels.js';
import type { Labels, Matcher } from '../types.js';
import { type RangeSeries, type Sample, scalar, type Value, vector } from '../values.js';
import { histogramQuantile } from './histogram-quantile.js';
import { labelJoin, labelReplace } from './label-functions.js';
import { dateFunction, mathFunction, roundTo } from './math.js';
import { OVER_TIME_FUNCTIONS, quantileOverTime, WEIGHTED_OVER_TIME } from './over-time.js';
import {
  deriv,
  extrapolatedRate,
  extrapolatedRateIn,
  instantValue,
  instantValueIn,
  predictLinear,
  type Window,
} from './rates.js';

export interface CallContext {
  /** The evaluation time in ms. */
  readonly time: number;
}

type MatrixValue = Extract<Value, { type: 'matrix' }>;
export type SeriesFunction = (
  s: RangeSeries,
  w: Window,
  args: readonly Value[],
  ctx: CallContext,
) => number | undefined;

const SERIES_FUNCTIONS: ReadonlyMap<string, SeriesFunction> = new Map<string, SeriesFunction>([
  ['rate', (s, w) => extrapolatedRate(s, w, true, true)],
  ['increase', (s, w) => extrapolatedRate(s, w, true, false)],
  ['delta', (s, w) => extrapolatedRate(s, w, false, false)],
  ['irate', (s) => instantValue(s, true)],
  ['idelta', (s) => instantValue(s, false)],
  ['deriv', (s) => deriv(s)],
  ['predict_linear', (s, _w, args, ctx) => predictLinear(s, ctx.time, scalarArg(args[1]))],
  ['quantile_over_time', (s, _w, args) => quantileOverTime(scalarArg(args[0]), s)],
  ...[...OVER_TIME_FUNCTIONS].map(([name, f]): [string, SeriesFunction] => {
    const weighted = WEIGHTED_OVER_TIME.get(name);
    return [name, weighted ? (s) => (s.counts ? weighted(s.v, s.counts) : f(s.v)) : (s) => f(s.v)];
  }),
]);

/** A series function over samples [lo, hi) of t and v, for the functions that need nothing else (rates). */
export type WindowFunction = (
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  lo: number,
  hi: number,
  w: Window,
) => number | undefined;

const WINDOW_FUNCTIONS: ReadonlyMap<string, WindowFunction> = new Map<string, WindowFunction>([
  ['rate', (t, v, lo, hi, w) => extrapolatedRateIn(t, v, lo, hi, w, true, true)],
  ['increase', (t, v, lo, hi, w) => extrapolatedRateIn(t, v, lo, hi, w, true, false)],
  ['delta', (t, v, lo, hi, w) => extrapolatedRateIn(t, v, lo, hi, w, false, false)],
  ['irate', (t, v, lo, hi) => instantValueIn(t, v, lo, hi, true)],
  ['idelta', (t, v, lo, hi) => instantValueIn(t, v, lo, hi, false)],
]);

/** seriesFunction(func) over a window of indexes, when it has that form (the rates): no copy of the window. */
export function windowFunction(func: string): WindowFunction | undefined {
  return WINDOW_FUNCTIONS.get(func);
}

/** The function computing one number from one series' samples in a window (rate, *_over_time, …), if `func` is one. */
export function seriesFunction(func: string): SeriesFunction | undefined {
  return SERIES_FUNCTIONS.get(func);
}

function scalarArg(v: Value | undefined): number {
  return v?.type === 'scalar' ? v.v : Number.NaN;
}

function stringArg(v: Value | undefined): string {
  return v?.type === 'string' ? v.v : '';
}

function samplesArg(v: Value | undefined): readonly Sample[] {
  return v?.type === 'vector' ? v.samples : [];
}

export function callFunction(func: string, args: readonly Value[], exprs: readonly Expr[], ctx: CallContext): Value {
  const matrix = args.find((a): a is MatrixValue => a.type === 'matrix');
  if (func === 'absent_over_time') {
    return matrix && matrix.series.length > 0 ? vector([]) : vector([{ labels: absentLabels(exprs[0]), v: 1 }]);
  }
  const seriesFunction = SERIES_FUNCTIONS.get(func);
  if (seriesFunction && matrix) {
    const out: Sample[] = [];
    for (const s of matrix.series) {
      const v = seriesFunction(s, matrix, args, ctx);
      if (v !== undefined) out.push({ labels: func === 'last_over_time' ? s.labels : dropMetricName(s.labels), v });
    }
    return vector(out);
  }
  return callInstantFunction(func, args, exprs, ctx);
}

function mapValues(args: readonly Value[], f: (v: number) => number): Value {
  return vector(samplesArg(args[0]).map((s) => ({ labels: dropMetricName(s.labels), v: f(s.v) })));
}

function callInstantFunction(func: string, args: readonly Value[], exprs: readonly Expr[], ctx: CallContext): Value {
  const math = mathFunction(func);
  if (math) return mapValues(args, math);
  const date = dateFunction(func);
  if (date) {
    if (args.length === 0) return vector([{ labels: {}, v: date(ctx.time / 1000) }]);
    return mapValues(args, date);
  }
  switch (func) {
    case 'time':
      return scalar(ctx.time / 1000);
    case 'pi':
      return scalar(Math.PI);
    case 'vector':
      return vector([{ labels: {}, v: scalarArg(args[0]) }]);
    case 'scalar': {
      const samples = samplesArg(args[0]);
      return scalar(samples.length === 1 ? (samples[0] as Sample).v : Number.NaN);
    }
    case 'absent':
      return samplesArg(args[0]).length > 0 ? vector([]) : vector([{ labels: absentLabels(exprs[0]), v: 1 }]);
    case 'clamp': {
      const [min, max] = [scalarArg(args[1]), scalarArg(args[2])];
      if (max < min) return vector([]);
      return mapValues(args, (v) => Math.max(min, Math.min(max, v)));
    }
    case 'clamp_min':
      return mapValues(args, (v) => Math.max(v, scalarArg(args[1])));
    case 'clamp_max':
      return mapValues(args, (v) => Math.min(v, scalarArg(args[1])));
    case 'round':
      return mapValues(args, (v) => roundTo(v, args.length > 1 ? scalarArg(args[1]) : 1));
    case 'timestamp':
      return vector(
        samplesArg(args[0]).map((s) => ({ labels: dropMetricName(s.labels), v: (s.t ?? ctx.time) / 1000 })),
      );
    case 'sort':
      return vector(sortByValue(samplesArg(args[0]), false));
    case 'sort_desc':
      return vector(sortByValue(samplesArg(args[0]), true));
    case 'histogram_quantile':
      return vector(histogramQuantile(scalarArg(args[0]), samplesArg(args[1])));
    case 'label_replace': {
      const relabel = labelReplace(stringArg(args[1]), stringArg(args[2]), stringArg(args[3]), stringArg(args[4]));
      return vector(samplesArg(args[0]).map((s) => ({ labels: relabel(s.labels), v: s.v })));
    }
    case 'label_join': {
      const relabel = labelJoin(stringArg(args[1]), stringArg(args[2]), args.slice(3).map(stringArg));
      return vector(samplesArg(args[0]).map((s) => ({ labels: relabel(s.labels), v: s.v })));
    }
    default:
      throw executionError(`function ${func}() is not implemented`);
  }
}

/** Go's sort with NaN first for ascending (vectorByValueHeap) and last for descending. */
function sortByValue(samples: readonly Sample[], descending: boolean): Sample[] {
  const key = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);
  const copies = samples.map((s) => ({ labels: s.labels, v: s.v }));
  return copies.sort((a, b) => {
    if (Number.isNaN(a.v) && Number.isNaN(b.v)) return 0;
    if (Number.isNaN(a.v)) return descending ? 1 : -1;
    if (Number.isNaN(b.v)) return descending ? -1 : 1;
    return descending ? key(b.v) - key(a.v) : key(a.v) - key(b.v);
  });
}

/** The labels absent() gives its result: the selector's equality matchers, a label matched twice removed. */
export function absentLabels(arg: Expr | undefined): Labels {
  let matchers: readonly Matcher[] = [];
  if (arg?.kind === 'vector-selector') matchers = arg.matchers;
  else if (arg?.kind === 'matrix-selector') matchers = arg.selector.matchers;
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    if (m.type === '=' && !seen.has(m.name)) {
      out[m.name] = m.value;
      seen.add(m.name);
    } else delete out[m.name];
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .filter(([, v]) => v !== ''),
  );
}
