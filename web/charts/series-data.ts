/** Range-query answers laid onto one time grid, as uPlot wants them (pure). */
import { type Series, sampleValue } from '../lib/samples.ts';

export interface Grid {
  startS: number;
  endS: number;
  stepS: number;
}

/** The timestamps (seconds) of the grid, start to end by step. */
export function gridTimes(g: Grid): number[] {
  const out: number[] = [];
  for (let t = g.startS; t <= g.endS + 1e-9; t += g.stepS) out.push(t);
  return out;
}

/** One array per series, aligned with gridTimes; null where the series has no sample. `sign` flips for -Y. */
export function alignSeries(g: Grid, series: Series, sign = 1): Array<number | null> {
  const n = gridTimes(g).length;
  const out: Array<number | null> = new Array(n).fill(null);
  for (const [t, v] of series.values) {
    const i = Math.round((t - g.startS) / g.stepS);
    const x = sampleValue(v);
    if (i >= 0 && i < n && Number.isFinite(x)) out[i] = x * sign;
  }
  return out;
}

export function pointCount(data: Array<Array<number | null>>): number {
  let n = 0;
  for (const s of data) for (const v of s) if (v !== null) n++;
  return n;
}
