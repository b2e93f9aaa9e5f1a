/**
 * The few Go number conversions redis_exporter's output depends on, so values and label strings come out
 * the same as upstream's (strconv.ParseFloat / strconv.Atoi / client_golang's float formatting).
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^(?:[+-]?(?:inf|infinity)|nan)$/i; // Go accepts no sign on NaN

/**
 * strconv.ParseFloat(s, 64): undefined where Go returns an error (empty, junk, overflow). Plain decimals (all of
 * INFO) take a regex fast path; anything else goes through the full Go grammar below (key values can be anything).
 */
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
  return parseGoFloatFull(s);
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

/**
 * Go's strconv.ParseFloat(s, 64) acceptance, which decides key_value versus key_value_as_string upstream: decimal
 * and hexadecimal (`0x1.8p1`) literals with optional `_` separators, `inf`/`infinity`/`nan` in any case; no
 * surrounding whitespace; out of range (→ ±Inf) is an error. Returns undefined when Go would return an error.
 */
function parseGoFloatFull(s: string): number | undefined {
  if (s.length === 0) return undefined;
  const sp = goSpecial(s);
  if (sp !== undefined) return sp;
  let i = 0;
  let neg = false;
  if (s[0] === '+') i++;
  else if (s[0] === '-') {
    neg = true;
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    hex = true;
    i += 2;
  }
  let underscores = false;
  let sawDot = false;
  let sawDigits = false;
  let mant = '';
  let fracDigits = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') {
      underscores = true;
      continue;
    }
    if (c === '.') {
      if (sawDot) break;
      sawDot = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      sawDigits = true;
      mant += c;
      if (sawDot) fracDigits++;
      continue;
    }
    break;
  }
  if (!sawDigits) return undefined;
  let exp = 0;
  if (i < s.length && s[i].toLowerCase() === (hex ? 'p' : 'e')) {
    i++;
    if (i >= s.length) return undefined;
    let sign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      sign = -1;
    }
    if (i >= s.length || s[i] < '0' || s[i] > '9') return undefined;
    let digits = '';
    for (; i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '_'); i++) {
      if (s[i] === '_') underscores = true;
      else digits += s[i];
    }
    exp = sign * Math.min(Number(digits), 1e6);
  } else if (hex) {
    return undefined; // a hexadecimal mantissa needs a 'p' exponent
  }
  if (i !== s.length) return undefined;
  if (underscores && !goUnderscoreOK(s)) return undefined;
  let v: number;
  if (hex) {
    let m = 0;
    for (const c of mant) m = m * 16 + Number.parseInt(c, 16);
    v = m === 0 ? 0 : m * 2 ** (exp - 4 * fracDigits);
  } else {
    const intPart = mant.slice(0, mant.length - fracDigits) || '0';
    const frac = mant.slice(mant.length - fracDigits) || '0';
    v = Number(`${intPart}.${frac}e${exp}`);
  }
  if (!Number.isFinite(v)) return undefined; // ErrRange
  return neg ? -v : v;
}

function goSpecial(s: string): number | undefined {
  let sign = 1;
  let rest = s;
  let signed = false;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1;
    rest = s.slice(1);
    signed = true;
  }
  const lower = rest.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Number.POSITIVE_INFINITY;
  if (!signed && lower === 'nan') return Number.NaN;
  return undefined;
}

/** Go's underscoreOK: `_` only between digits (or after a base prefix). */
function goUnderscoreOK(input: string): boolean {
  let s = input;
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}
