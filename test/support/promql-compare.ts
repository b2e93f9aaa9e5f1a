import { PromqlError } from '../../src/promql/errors.ts';
import type { QueryValue } from '../../src/promql/types.ts';
import type { PromApiResult } from './prom-backfill.ts';

/**
 * Query results of Prometheus's HTTP API and of redoubt's engine in one normal form, and their comparison with a
 * relative float tolerance: the same result type, the same series (by label set), the same timestamps, values
 * equal within tolerance (NaN equals NaN, infinities exactly), or an error on both sides with the same type.
 */

export interface NormalSeries {
  labels: string;
  points: Array<[number, number]>;
}

export type Normal =
  | { kind: 'error'; errorType: string; message: string }
  | { kind: 'scalar' | 'string'; t: number; v: number | string }
  | { kind: 'vector' | 'matrix'; series: NormalSeries[] };

function labelsText(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function promNumber(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

const ms = (seconds: number) => Math.round(seconds * 1000);

/** Sort series by labels unless the order is what is being compared (sort, sort_desc, topk…). */
function bySeries(series: NormalSeries[], keepOrder: boolean): NormalSeries[] {
  return keepOrder ? series : [...series].sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
}

type Pair = [number, string];

export function normalProm(r: PromApiResult, keepOrder = false): Normal {
  if (r.status === 'error') return { kind: 'error', errorType: r.errorType, message: r.error };
  const { resultType, result } = r.data;
  if (resultType === 'scalar' || resultType === 'string') {
    const [t, v] = result as Pair;
    return { kind: resultType, t: ms(t), v: resultType === 'scalar' ? promNumber(v) : v };
  }
  if (resultType === 'vector') {
    const rows = result as Array<{ metric: Record<string, string>; value: Pair }>;
    const series = rows.map((row) => ({
      labels: labelsText(row.metric),
      points: [[ms(row.value[0]), promNumber(row.value[1])]] as Array<[number, number]>,
    }));
    return { kind: 'vector', series: bySeries(series, keepOrder) };
  }
  const rows = result as Array<{ metric: Record<string, string>; values: Pair[] }>;
  const series = rows.map((row) => ({
    labels: labelsText(row.metric),
    points: row.values.map(([t, v]) => [ms(t), promNumber(v)] as [number, number]),
  }));
  return { kind: 'matrix', series: bySeries(series, false) };
}

export function normalRedoubt(run: () => QueryValue, keepOrder = false): Normal {
  let value: QueryValue;
  try {
    value = run();
  } catch (err) {
    if (err instanceof PromqlError) return { kind: 'error', errorType: err.errorType, message: err.message };
    throw err;
  }
  switch (value.type) {
    case 'scalar':
    case 'string':
      return { kind: value.type, t: value.t, v: value.v };
    case 'vector':
      return {
        kind: 'vector',
        series: bySeries(
          value.samples.map((s) => ({ labels: labelsText(s.labels), points: [[s.t, s.v]] })),
          keepOrder,
        ),
      };
    case 'matrix':
      return {
        kind: 'matrix',
        series: bySeries(
          value.series.map((s) => ({
            labels: labelsText(s.labels),
            points: Array.from(s.t, (t, i) => [t, s.v[i] as number] as [number, number]),
          })),
          false,
        ),
      };
  }
}

export const RELATIVE_TOLERANCE = 1e-9;
/** Below this magnitude two values count as equal (0 against 1e-17 from a different summation order). */
export const ABSOLUTE_FLOOR = 1e-12;

export function closeEnough(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const diff = Math.abs(a - b);
  return diff <= ABSOLUTE_FLOOR || diff <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** undefined when both agree, otherwise the first difference in words. */
export function compareNormal(prom: Normal, ours: Normal): string | undefined {
  if (prom.kind !== ours.kind) {
    const detail = (n: Normal) => (n.kind === 'error' ? `error ${n.message}` : n.kind);
    return `Prometheus gave ${detail(prom)}, redoubt gave ${detail(ours)}`;
  }
  if (prom.kind === 'error' && ours.kind === 'error') {
    return prom.errorType === ours.errorType ? undefined : `error types ${prom.errorType} vs ${ours.errorType}`;
  }
  if ((prom.kind === 'scalar' || prom.kind === 'string') && (ours.kind === 'scalar' || ours.kind === 'string')) {
    if (prom.t !== ours.t) return `time ${prom.t} vs ${ours.t}`;
    if (typeof prom.v === 'number' && typeof ours.v === 'number') {
      return closeEnough(prom.v, ours.v) ? undefined : `value ${prom.v} vs ${ours.v}`;
    }
    return prom.v === ours.v ? undefined : `string ${prom.v} vs ${ours.v}`;
  }
  if ((prom.kind === 'vector' || prom.kind === 'matrix') && (ours.kind === 'vector' || ours.kind === 'matrix')) {
    return compareSeries(prom.series, ours.series);
  }
  return 'unexpected shapes';
}

function compareSeries(prom: NormalSeries[], ours: NormalSeries[]): string | undefined {
  if (prom.length !== ours.length) {
    const p = new Set(prom.map((s) => s.labels));
    const o = new Set(ours.map((s) => s.labels));
    const onlyProm = [...p].filter((l) => !o.has(l)).slice(0, 3);
    const onlyOurs = [...o].filter((l) => !p.has(l)).slice(0, 3);
    return `${prom.length} series vs ${ours.length}; only Prometheus: ${onlyProm.join(' ')}; only redoubt: ${onlyOurs.join(' ')}`;
  }
  for (let i = 0; i < prom.length; i++) {
    const p = prom[i] as NormalSeries;
    const o = ours[i] as NormalSeries;
    if (p.labels !== o.labels) return `series ${i}: labels ${p.labels} vs ${o.labels}`;
    if (p.points.length !== o.points.length) {
      const pt = new Set(p.points.map(([t]) => t));
      const extra = o.points.filter(([t]) => !pt.has(t)).slice(0, 3);
      const ot = new Set(o.points.map(([t]) => t));
      const missing = p.points.filter(([t]) => !ot.has(t)).slice(0, 3);
      return `${p.labels}: ${p.points.length} points vs ${o.points.length} (missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)})`;
    }
    for (let k = 0; k < p.points.length; k++) {
      const [pt, pv] = p.points[k] as [number, number];
      const [ot, ov] = o.points[k] as [number, number];
      if (pt !== ot) return `${p.labels}: point ${k} at ${pt} vs ${ot}`;
      if (!closeEnough(pv, ov)) return `${p.labels} at ${pt}: ${pv} vs ${ov}`;
    }
  }
  return undefined;
}

/** How many points a normal result holds (to report how much a comparison covered). */
export function pointCount(n: Normal): number {
  if (n.kind === 'vector' || n.kind === 'matrix') return n.series.reduce((sum, s) => sum + s.points.length, 0);
  return n.kind === 'error' ? 0 : 1;
}
