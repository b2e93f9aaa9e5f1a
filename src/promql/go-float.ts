/** Go's float formatting where PromQL exposes it (count_values labels): strconv.FormatFloat(v, 'f', -1, 64). */

export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  // Shortest round-trip digits in exponent form, rewritten without the exponent.
  const [mantissa, expText] = s.split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const pointAt =
    (mantissa.replace('-', '').indexOf('.') < 0 ? digits.length : mantissa.replace('-', '').indexOf('.')) +
    Number(expText);
  let out: string;
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${out}` : out;
}
