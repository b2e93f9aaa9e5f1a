/**
 * Prometheus's template functions for numbers (template/template.go): humanize, humanize1024, humanizeDuration,
 * humanizePercentage, humanizeTimestamp. Pure; the output matches Prometheus 2.42 byte for byte.
 */
import { formatGoFloatVerb } from './go-printf.ts';

const g4 = (v: number) => formatGoFloatVerb(v, 'g', 4);

/** 1234 → 1.234k, 0.001 → 1m. */
export function humanize(value: number): string {
  let v = value;
  if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return `${g4(v)}${prefix}`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}`;
}

/** 1024 → 1ki, 1048576 → 1Mi. */
export function humanize1024(value: number): string {
  let v = value;
  if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${g4(v)}${prefix}`;
}

/** Seconds → `1d 2h 3m 4s`, `1m 30s`, `1.5s`, `20ms`. */
export function humanizeDuration(value: number): string {
  let v = value;
  if (Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    // int64(v) in Go: past 2^63 it is -2^63 on amd64, and the units come out negative (as Prometheus prints them).
    const total = v >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(v));
    const seconds = total % 60n;
    const minutes = (total / 60n) % 60n;
    const hours = (total / 3600n) % 24n;
    const days = total / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/** 0.1234 → 12.34%. */
export function humanizePercentage(value: number): string {
  return `${g4(value * 100)}%`;
}

/** Unix seconds → Go's time.Time printing in UTC: `2024-01-02 03:04:05.5 +0000 UTC`. */
export function humanizeTimestamp(value: number): string {
  if (Number.isNaN(value) || !Number.isFinite(value)) return g4(value);
  if (Math.abs(value * 1e9) >= 2 ** 63)
    throw new RangeError(
      `${formatGoFloatVerb(value, 'g')} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  const ms = Math.trunc(value * 1000);
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.500Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}
