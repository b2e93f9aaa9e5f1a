/**
 * The HTTP API's parameters, parsed as Prometheus's web/api/v1 parses them, with its error messages: times as
 * RFC 3339 or unix seconds (fractions rounded to the millisecond), durations as Prometheus durations or seconds.
 */

/** A request that cannot be answered as asked: Prometheus's `bad_data` (HTTP 400). */
export class BadDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadDataError';
  }
}

/** Prometheus's `invalid parameter "name": why`. */
export function invalidParam(name: string, why: string): BadDataError {
  return new BadDataError(`invalid parameter ${JSON.stringify(name)}: ${why}`);
}

/** Go's %q of a string, as Prometheus quotes what it could not parse (close enough for ASCII and UTF-8). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}

/** RFC 3339 with an optional fraction of up to 9 digits, `Z` or an offset, as Go's time.RFC3339Nano parses it. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Prometheus's minimum and maximum times as its API prints them, accepted back. */
const MIN_TIME_TEXT = '-292273086-05-16T16:47:06Z';
const MAX_TIME_TEXT = '292277025-08-18T07:12:54.999999999Z';
/** The times the API uses for "no bound": far enough, and still safe for a store's arithmetic. */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = 8.64e15;

function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (new Date(ms).getUTCDate() !== Number(d)) return undefined; // 2023-02-30
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return ms;
}

/** A float as Go's strconv.ParseFloat takes it (no hex, no underscores, Inf/NaN words). */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  return undefined;
}

/** A time parameter in ms since the epoch. Throws Prometheus's error for `name`. */
export function parseTime(name: string, text: string): number {
  const f = parseGoFloat(text);
  if (f !== undefined && Number.isFinite(f)) {
    const whole = Math.trunc(f);
    return whole * 1000 + Math.round((f - whole) * 1000);
  }
  const t = parseRfc3339(text);
  if (t !== undefined) return t;
  if (text === MIN_TIME_TEXT) return MIN_TIME_MS;
  if (text === MAX_TIME_TEXT) return MAX_TIME_MS;
  throw invalidParam(name, `cannot parse ${goQuote(text)} to a valid timestamp`);
}

/** A time parameter, or `fallback` when it is absent or empty (Prometheus's parseTimeParam, and its wording). */
export function optionalTime(params: URLSearchParams, name: string, fallback: number): number {
  const v = params.get(name);
  if (v === null || v === '') return fallback;
  try {
    return parseTime(name, v);
  } catch {
    throw invalidParam(name, `Invalid time value for '${name}': cannot parse ${goQuote(v)} to a valid timestamp`);
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
/** Prometheus's duration: units from the largest to the smallest, each at most once (`1h30m`, `15s`, `2w`). */
const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** A Prometheus duration in ms, or undefined. `0` is a duration; an empty string is not. */
export function parsePromDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const m = PROM_DURATION.exec(s);
  if (!m || s === '') return undefined;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  for (let i = 0; i < units.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[units[i]];
  return ms;
}

/** A duration parameter (step, timeout) in ms: float seconds or a Prometheus duration. */
export function parseDurationParam(name: string, text: string): number {
  const f = parseGoFloat(text);
  if (f !== undefined && !Number.isNaN(f)) {
    const ms = f * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 9.2e15)
      throw invalidParam(name, `cannot parse ${goQuote(text)} to a valid duration. It overflows int64`);
    return ms;
  }
  const d = parsePromDuration(text);
  if (d === undefined) throw invalidParam(name, `cannot parse ${goQuote(text)} to a valid duration`);
  return d;
}

/** Prometheus's label name syntax. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
