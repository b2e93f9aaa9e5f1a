/**
 * rate, increase, delta (Prometheus's extrapolatedRate), irate and idelta (instantValue), deriv and
 * predict_linear (linearRegression), over one series' samples in a window.
 */

import type { RangeSeries } from '../values.js';
import { kahanSumInc } from './kahan.js';

export interface Window {
  /** Inclusive window bounds in ms. */
  readonly start: number;
  readonly end: number;
  /** The selector's range in ms. */
  readonly range: number;
}

/** The extrapolated change over the window; undefined with fewer than two samples. */
export function extrapolatedRate(s: RangeSeries, w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  return extrapolatedRateIn(s.t, s.v, 0, s.t.length, w, isCounter, isRate);
}

/**
 * extrapolatedRate over the samples [lo, hi) of t and v (no staleness markers among them): a range query's
 * window as it slides along one series, without copying it.
 */
export function extrapolatedRateIn(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  lo: number,
  hi: number,
  w: Window,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = t[lo] as number;
  const lastT = t[hi - 1] as number;
  const firstV = v[lo] as number;
  let result = (v[hi - 1] as number) - firstV;
  if (isCounter) {
    let last = 0;
    for (let i = lo; i < hi; i++) {
      const x = v[i] as number;
      if (x < last) result += last;
      last = x;
    }
  }
  let durationToStart = (firstT - w.start) / 1000;
  const durationToEnd = (w.end - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageBetween = sampledInterval / (n - 1);
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  result = result * (extrapolateTo / sampledInterval);
  if (isRate) result = result / (w.range / 1000);
  return result;
}

/** irate (isRate) or idelta from the last two samples. */
export function instantValue(s: RangeSeries, isRate: boolean): number | undefined {
  return instantValueIn(s.t, s.v, 0, s.t.length, isRate);
}

/** instantValue over the samples [lo, hi) of t and v. */
export function instantValueIn(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  lo: number,
  hi: number,
  isRate: boolean,
): number | undefined {
  if (hi - lo < 2) return undefined;
  const lastV = v[hi - 1] as number;
  const prevV = v[hi - 2] as number;
  const result = isRate && lastV < prevV ? lastV : lastV - prevV;
  const interval = (t[hi - 1] as number) - (t[hi - 2] as number);
  if (interval === 0) return undefined;
  return isRate ? result / (interval / 1000) : result;
}

/** Least-squares slope and the intercept at interceptTime (ms), as Prometheus's linearRegression. */
export function linearRegression(s: RangeSeries, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = s.v[0] as number;
  let constY = true;
  for (let i = 0; i < s.t.length; i++) {
    const v = s.v[i] as number;
    if (constY && i > 0 && v !== initY) constY = false;
    n += 1;
    const x = ((s.t[i] as number) - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(v, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * v, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) return Number.isFinite(initY) || Number.isNaN(initY) ? [0, initY] : [Number.NaN, Number.NaN];
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

export function deriv(s: RangeSeries): number | undefined {
  if (s.t.length < 2) return undefined;
  return linearRegression(s, s.t[0] as number)[0];
}

export function predictLinear(s: RangeSeries, evalTime: number, seconds: number): number | undefined {
  if (s.t.length < 2) return undefined;
  const [slope, intercept] = linearRegression(s, evalTime);
  return slope * seconds + intercept;
}
