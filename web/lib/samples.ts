/** The Prometheus API's series and samples, and its number text (pure). */

export interface Series {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Prometheus's number text ("NaN", "+Inf", "1e3") as a number. */
export function sampleValue(s: string): number {
  if (s === '+Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}
