/**
 * The functions this engine knows and their argument types, as Prometheus 2.42's parser.Functions declares them:
 * the parser checks calls against this table.
 */

import type { ValueType } from '../ast.js';

export interface FunctionSignature {
  readonly args: readonly ValueType[];
  /** 0: exactly `args`; n > 0: the last n arguments are optional; -1: the last one repeats (at least once). */
  readonly variadic: number;
  readonly returns: ValueType;
}

const v = 'vector';
const m = 'matrix';
const s = 'scalar';
const str = 'string';

function sig(args: ValueType[], returns: ValueType = v, variadic = 0): FunctionSignature {
  return { args, returns, variadic };
}

const MATH = [
  'abs',
  'ceil',
  'floor',
  'exp',
  'sqrt',
  'ln',
  'log2',
  'log10',
  'sgn',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'cos',
  'cosh',
  'sin',
  'sinh',
  'tan',
  'tanh',
  'deg',
  'rad',
] as const;

const OVER_TIME = [
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'absent_over_time',
  'changes',
  'resets',
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'deriv',
] as const;

const DATE = ['day_of_month', 'day_of_week', 'days_in_month', 'hour', 'minute', 'month', 'year'] as const;

export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map<string, FunctionSignature>([
  ...MATH.map((name) => [name, sig([v])] as const),
  ...OVER_TIME.map((name) => [name, sig([m])] as const),
  ...DATE.map((name) => [name, sig([v], v, 1)] as const),
  ['absent', sig([v])],
  ['clamp', sig([v, s, s])],
  ['clamp_max', sig([v, s])],
  ['clamp_min', sig([v, s])],
  ['histogram_quantile', sig([s, v])],
  ['label_replace', sig([v, str, str, str, str])],
  ['label_join', sig([v, str, str, str], v, -1)],
  ['pi', sig([], s)],
  ['predict_linear', sig([m, s])],
  ['quantile_over_time', sig([s, m])],
  ['round', sig([v, s], v, 1)],
  ['scalar', sig([v], s)],
  ['sort', sig([v])],
  ['sort_desc', sig([v])],
  ['time', sig([], s)],
  ['timestamp', sig([v])],
  ['vector', sig([s])],
]);
