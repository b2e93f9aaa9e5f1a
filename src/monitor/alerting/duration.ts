/**
 * Prometheus durations (model.Duration): `1m`, `1h30m`, `2d`, `0s`, `500ms`, each unit at most once, largest
 * first. Times are integer milliseconds, as everywhere in redoubt's monitor.
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600e3],
  ['w', 7 * 24 * 3600e3],
  ['d', 24 * 3600e3],
  ['h', 3600e3],
  ['m', 60e3],
  ['s', 1e3],
  ['ms', 1],
];

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a Prometheus duration, or undefined when `text` is not one. `0` alone is allowed. */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS[i][1];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** model.Duration.String(): `0s`, `1m`, `1h30m`, `1d`; years and weeks only when they divide exactly. */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.trunc(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** Go's time.Duration.String() for whole milliseconds: `5m0s`, `1h0m0s`, `1.5s`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3600e3);
  rest -= h * 3600e3;
  const m = Math.floor(rest / 60e3);
  rest -= m * 60e3;
  const s = `${Math.floor(rest / 1000)}${
    rest % 1000
      ? `.${String(rest % 1000)
          .padStart(3, '0')
          .replace(/0+$/, '')}`
      : ''
  }s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
