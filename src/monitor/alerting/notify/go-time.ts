/** Go's time.Time in JSON (RFC 3339 with trailing zeros of the fraction dropped), as Alertmanager writes times. */

/** Alertmanager's "no time": Go's zero time.Time, which it writes for the endsAt of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function goTimeJson(ms: number): string {
  if (ms <= 0) return GO_ZERO_TIME;
  const iso = new Date(ms).toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}
