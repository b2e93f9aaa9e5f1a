/** Functions applied to each sample's value: math, clamp_*, round, and the date functions (UTC). */

const MATH: ReadonlyMap<string, (v: number) => number> = new Map([
  ['abs', Math.abs],
  ['ceil', Math.ceil],
  ['floor', Math.floor],
  ['exp', Math.exp],
  ['sqrt', Math.sqrt],
  ['ln', Math.log],
  ['log2', Math.log2],
  ['log10', Math.log10],
  ['acos', Math.acos],
  ['acosh', Math.acosh],
  ['asin', Math.asin],
  ['asinh', Math.asinh],
  ['atan', Math.atan],
  ['atanh', Math.atanh],
  ['cos', Math.cos],
  ['cosh', Math.cosh],
  ['sin', Math.sin],
  ['sinh', Math.sinh],
  ['tan', Math.tan],
  ['tanh', Math.tanh],
  ['deg', (v: number) => (v * 180) / Math.PI],
  ['rad', (v: number) => (v * Math.PI) / 180],
  ['sgn', (v: number) => (v > 0 ? 1 : v < 0 ? -1 : v)],
]);

export function mathFunction(name: string): ((v: number) => number) | undefined {
  return MATH.get(name);
}

/** Prometheus's round: to the nearest multiple of toNearest, halves rounded up. */
export function roundTo(v: number, toNearest: number): number {
  const inverse = 1 / toNearest;
  return Math.floor(v * inverse + 0.5) / inverse;
}

function dateOf(seconds: number): Date {
  return new Date(Math.trunc(seconds) * 1000);
}

const DATE: ReadonlyMap<string, (seconds: number) => number> = new Map([
  ['day_of_month', (s: number) => dateOf(s).getUTCDate()],
  ['day_of_week', (s: number) => dateOf(s).getUTCDay()],
  [
    'days_in_month',
    (s: number) => {
      const d = dateOf(s);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    },
  ],
  ['hour', (s: number) => dateOf(s).getUTCHours()],
  ['minute', (s: number) => dateOf(s).getUTCMinutes()],
  ['month', (s: number) => dateOf(s).getUTCMonth() + 1],
  ['year', (s: number) => dateOf(s).getUTCFullYear()],
]);

export function dateFunction(name: string): ((seconds: number) => number) | undefined {
  return DATE.get(name);
}

/** Go's math.Pow where it differs from JavaScript's `**`. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) return 1;
  return x ** y;
}
