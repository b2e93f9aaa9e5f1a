/**
 * Go's fmt verbs for numbers as alert templates use them (`printf "%.2f" $value`, humanize's `%.4g`), rounded
 * as Go rounds: on the exact binary value, ties to even. JavaScript's toFixed/toPrecision round ties up, which
 * would make `printf "%.0f" 2.5` read 3 where Prometheus writes 2.
 */
import { formatGoFloat } from '../../text/go-format.ts';

/** An integer constant of a template (`{{ printf "%d" 3 }}`): Go keeps it apart from float64. */
export class GoInt {
  constructor(readonly value: number) {}
}

/** A value a template handles: string, float64, int, or a label map. */
export type TemplateValue = string | number | GoInt | Readonly<Record<string, string>>;

interface Decimal {
  /** Significant digits, no leading zeros ('' for zero). */
  digits: string;
  /** Position of the decimal point: value = 0.digits × 10^point. */
  point: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(v: number): Decimal {
  if (v === 0) return { digits: '', point: 0 };
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  const mant = expBits === 0 ? frac : frac | (1n << 52n);
  const exp = (expBits === 0 ? 1 : expBits) - 1075;
  let digits: string;
  let point: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    point = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    point = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, '');
  const lead = trimmed.length - trimmed.replace(/^0+/, '').length;
  return { digits: trimmed.slice(lead), point: point - lead };
}

/** Rounds to `nd` significant digits (nd may be ≤ 0), ties to even, trailing zeros trimmed. */
function roundTo(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: '', point: 0 };
  if (nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  const exactHalf = next === 5 && nd + 1 === d.digits.length;
  const prevOdd = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  const up = next > 5 || (next === 5 && (!exactHalf || prevOdd));
  if (!up) {
    const digits = d.digits.slice(0, nd).replace(/0+$/, '');
    return digits === '' ? { digits: '', point: 0 } : { digits, point: d.point };
  }
  const kept = d.digits.slice(0, nd);
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { digits: '1', point: d.point + 1 };
  return { digits: kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1), point: d.point };
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i] : '0';
}

function fixed(d: Decimal, prec: number): string {
  const r = roundTo(d, d.point + prec);
  let int = '';
  for (let i = 0; i < Math.max(r.point, 1); i++) int += r.point > 0 ? digitAt(r, i) : '0';
  if (prec === 0) return int;
  let frac = '';
  for (let i = 0; i < prec; i++) frac += digitAt(r, r.point + i);
  return `${int}.${frac}`;
}

function expo(d: Decimal, prec: number): string {
  const r = roundTo(d, prec + 1);
  const exp = r.digits === '' ? 0 : r.point - 1;
  let frac = '';
  for (let i = 1; i <= prec; i++) frac += digitAt(r, i);
  const e = `e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${digitAt(r, 0)}${prec > 0 ? `.${frac}` : ''}${e}`;
}

/** strconv %g with an explicit precision. */
function general(d: Decimal, prec: number): string {
  const p = prec === 0 ? 1 : prec;
  const r = roundTo(d, p);
  const nd = r.digits.length;
  const dp = r.digits === '' ? 1 : r.point;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) return expo(r, Math.max(Math.min(p, nd), 1) - 1);
  const digits = p > dp ? nd : p;
  return fixed(r, Math.max(digits - dp, 0));
}

/** A float64 under verb f, e or g with a precision (undefined: Go's default, 6 for f/e, shortest for g). */
export function formatGoFloatVerb(v: number, verb: 'f' | 'e' | 'g', precision?: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (verb === 'g' && precision === undefined) return formatGoFloat(v);
  const neg = v < 0 || Object.is(v, -0);
  const d = exactDecimal(Math.abs(v));
  const body =
    verb === 'f' ? fixed(d, precision ?? 6) : verb === 'e' ? expo(d, precision ?? 6) : general(d, precision ?? 0);
  return `${neg ? '-' : ''}${body}`;
}

/** How Go prints a template value with {{ }} or %v. */
export function formatTemplateValue(v: TemplateValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatGoFloat(v);
  if (v instanceof GoInt) return String(v.value);
  const entries = Object.keys(v)
    .sort()
    .map((k) => `${k}:${v[k]}`);
  return `map[${entries.join(' ')}]`;
}

function goTypeName(v: TemplateValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (v instanceof GoInt) return 'int';
  return 'map[string]string';
}

const MAX_WIDTH = 1000;
const VERB = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;

/** fmt.Sprintf for the verbs templates use: %s %v %d %f %e %g %q %%, with width and precision. */
export function goSprintf(format: string, args: readonly TemplateValue[]): string {
  let next = 0;
  const out = format.replace(
    VERB,
    (_all, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[next++];
      const precision = prec === undefined ? undefined : prec === '' ? 0 : Number(prec);
      // A template is configuration, but a width of a billion would still take the process's memory.
      if ((precision ?? 0) > MAX_WIDTH || Number(width ?? 0) > MAX_WIDTH) return `%!${verb}(BADWIDTH)`;
      const text = formatVerb(verb, arg, precision, flags);
      if (text === undefined) return `%!${verb}(${goTypeName(arg)}=${formatTemplateValue(arg)})`;
      return pad(text, width === undefined ? 0 : Number(width), flags);
    },
  );
  if (next < args.length)
    return `${out}%!(EXTRA ${args
      .slice(next)
      .map((a) => `${goTypeName(a)}=${formatTemplateValue(a)}`)
      .join(', ')})`;
  return out;
}

function formatVerb(
  verb: string,
  arg: TemplateValue,
  precision: number | undefined,
  flags: string,
): string | undefined {
  switch (verb) {
    case 'v':
      return formatTemplateValue(arg);
    case 's':
      return typeof arg === 'string' ? (precision === undefined ? arg : arg.slice(0, precision)) : undefined;
    case 'q':
      return typeof arg === 'string' ? JSON.stringify(arg) : undefined;
    case 'd':
      return arg instanceof GoInt ? String(arg.value) : undefined;
    case 'f':
    case 'F':
    case 'e':
    case 'g': {
      if (typeof arg !== 'number') return undefined;
      const s = formatGoFloatVerb(arg, verb === 'F' ? 'f' : (verb as 'f' | 'e' | 'g'), precision);
      return flags.includes('+') && !s.startsWith('-') && !s.startsWith('+') ? `+${s}` : s;
    }
    default:
      return undefined;
  }
}

function pad(text: string, width: number, flags: string): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (flags.includes('0') && /^[+-]?\d/.test(text)) {
    const sign = /^[+-]/.test(text) ? text[0] : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}
