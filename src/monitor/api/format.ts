import type { QueryValue, SeriesSamples } from '../../promql/types.ts';

/**
 * Values and results in the shapes of Prometheus's HTTP API: a sample is `[unixSeconds, "value"]`, the value
 * written as Go's strconv.FormatFloat(v, 'f', -1, 64) (shortest round-trip digits, never an exponent).
 */

/** A float as Prometheus's API writes it: `NaN`, `+Inf`, `-Inf`, or plain decimal digits. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (s.indexOf('e') === -1) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, first, rest = '', exp] = m;
  const digits = first + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A time in ms as the API's unix seconds (a JSON number with up to three decimals). */
export function unixSeconds(ms: number): number {
  return ms / 1000;
}

export type ApiPoint = [number, string];

function points(s: SeriesSamples): ApiPoint[] {
  const out: ApiPoint[] = new Array(s.t.length);
  for (let i = 0; i < s.t.length; i++) out[i] = [unixSeconds(s.t[i]), formatSampleValue(s.v[i])];
  return out;
}

/** `data` of /api/v1/query and /api/v1/query_range. */
export function queryData(value: QueryValue): { resultType: string; result: unknown } {
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [unixSeconds(value.t), formatSampleValue(value.v)] };
    case 'string':
      return { resultType: 'string', result: [unixSeconds(value.t), value.v] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((s) => ({ metric: s.labels, value: [unixSeconds(s.t), formatSampleValue(s.v)] })),
      };
    case 'matrix':
      return { resultType: 'matrix', result: value.series.map((s) => ({ metric: s.labels, values: points(s) })) };
  }
}

/** Prometheus's error types and the HTTP status each is answered with. */
export const ERROR_STATUS = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  internal: 500,
  not_found: 404,
  unavailable: 503,
} as const;
export type ApiErrorType = keyof typeof ERROR_STATUS;

export function successBody(data: unknown, warnings?: readonly string[]): string {
  return JSON.stringify(warnings?.length ? { status: 'success', data, warnings } : { status: 'success', data });
}

export function errorBody(errorType: ApiErrorType, error: string): string {
  return JSON.stringify({ status: 'error', errorType, error });
}
