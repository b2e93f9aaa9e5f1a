/** The *_over_time functions, changes and resets: one number from one series' samples in a window. */

import type { RangeSeries } from '../values.js';
import { kahanSumInc } from './kahan.js';
import { quantile } from './quantile.js';

type OverTime = (values: readonly number[]) => number;

function avg(values: readonly number[]): number {
  let mean = 0;
  let count = 0;
  let c = 0;
  for (const v of values) {
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    [mean, c] = kahanSumInc(v / count - mean / count, mean, c);
  }
  return !Number.isFinite(mean) && !Number.isNaN(mean) ? mean : mean + c;
}

function sum(values: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (const v of values) [s, c] = kahanSumInc(v, s, c);
  return !Number.isFinite(s) && !Number.isNaN(s) ? s : s + c;
}

function variance(values: readonly number[]): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (const v of values) {
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function extreme(better: (candidate: number, current: number) => boolean): OverTime {
  return (values) => {
    let best = values[0] as number;
    for (const v of values) if (better(v, best) || Number.isNaN(best)) best = v;
    return best;
  };
}

function changes(values: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1] as number;
    const cur = values[i] as number;
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
  }
  return n;
}

function resets(values: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) < (values[i - 1] as number)) n++;
  return n;
}

export const OVER_TIME_FUNCTIONS: ReadonlyMap<string, OverTime> = new Map<string, OverTime>([
  ['avg_over_time', avg],
  ['sum_over_time', sum],
  ['count_over_time', (values) => values.length],
  ['min_over_time', extreme((a, b) => a < b)],
  ['max_over_time', extreme((a, b) => a > b)],
  ['last_over_time', (values) => values[values.length - 1] as number],
  ['present_over_time', () => 1],
  ['stddev_over_time', (values) => Math.sqrt(variance(values))],
  ['stdvar_over_time', variance],
  ['changes', changes],
  ['resets', resets],
]);

/**
 * sum, count and avg over points that stand for several raw samples each (rollup buckets: value = the bucket's
 * average, count = its samples), so they equal the same functions over the raw samples.
 */
export const WEIGHTED_OVER_TIME: ReadonlyMap<string, (values: readonly number[], counts: readonly number[]) => number> =
  new Map([
    ['sum_over_time', (values, counts) => sum(values.map((v, i) => v * (counts[i] as number)))],
    ['count_over_time', (_values, counts) => sum(counts)],
    ['avg_over_time', (values, counts) => sum(values.map((v, i) => v * (counts[i] as number))) / sum(counts)],
  ]);

export function quantileOverTime(q: number, s: RangeSeries): number {
  return quantile(q, s.v);
}
