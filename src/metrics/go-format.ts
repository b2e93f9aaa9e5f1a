/**
 * The few Go number conversions redis_exporter's output depends on, so values and label strings come out
 * the same as upstream's (strconv.ParseFloat / strconv.Atoi / client_golang's float formatting).
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64) for decimal input: undefined where Go returns an error (empty, junk, overflow). */
export function parseGoFloat(s: string): number | undefined {
  if (DECIMAL.test(s)) {
    const v = Number(s);
    // Go reports out-of-range ("1e400") as an error, and redis_exporter then drops the field.
    return Number.isFinite(v) ? v : undefined;
  }
  if (SPECIAL.test(s)) {
    const lower = s.toLowerCase();
    if (lower.endsWith('nan')) return Number.NaN;
    return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return undefined;
}

/** strconv.Atoi with redis_exporter's `val, _ := strconv.Atoi(...)`: anything not an integer becomes 0. */
export function atoiOrZero(s: string): number {
  return /^[+-]?\d+$/.test(s) ? Number(s) : 0;
}

/**
 * How client_golang writes a float (strconv 'g', shortest): used for label values that carry numbers,
 * i.e. summary `quantile` and histogram `le`, so they read `99.9`, `1024`, `1.048576e+06` as upstream's do.
 */
const formatted = new Map<number, string>();

export function formatGoFloat(v: number): string {
  // Label numbers (quantiles, bucket bounds) repeat on every scrape: remember them.
  let out = formatted.get(v);
  if (out === undefined) {
    out = formatGoFloatUncached(v);
    if (formatted.size < 4096) formatted.set(v, out);
  }
  return out;
}

function formatGoFloatUncached(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return '0';
  // toExponential() without digits is the shortest round-trip form, like Go's; its exponent is exact.
  const [mantissa, e] = v.toExponential().split('e');
  const exp = Number(e);
  // Go uses exponent form when the decimal exponent is < -4 or >= 6 (shortest %g decides with precision 6).
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}
