/**
 * Numbers in the units the catalogue's panels use (Grafana unit ids), written to read well: bytes in KiB/MiB/GiB,
 * rates per second, durations in µs/ms/s/min/h/d, ratios as %. `exact` keeps more digits for tooltips.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SI = ['', 'k', 'M', 'G', 'T', 'P'];

function digits(v: number, exact: boolean): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (exact) return a >= 1000 ? v.toFixed(0) : Number(v.toPrecision(6)).toString();
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, '');
  if (a >= 0.01) return v.toFixed(2).replace(/\.?0+$/, '');
  return Number(v.toPrecision(2)).toString();
}

function scaled(v: number, base: number, names: string[], suffix: string, exact: boolean): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  const unit = `${names[i]}${suffix}`;
  return unit ? `${digits(x, exact)} ${unit}` : digits(x, exact);
}

/** Seconds as the largest unit that keeps the number readable (250 ms, 3.5 s, 12 min, 4.2 h, 3 d). */
export function formatSeconds(s: number, exact = false): string {
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${digits(s * 1e6, exact)} µs`;
  if (a < 1) return `${digits(s * 1e3, exact)} ms`;
  if (a < 120) return `${digits(s, exact)} s`;
  if (a < 7200) return `${digits(s / 60, exact)} min`;
  if (a < 172800) return `${digits(s / 3600, exact)} h`;
  return `${digits(s / 86400, exact)} d`;
}

/** One value in a Grafana unit; `decimals` fixes the digits where the panel asks for it. */
export function formatValue(v: number | null | undefined, unit: string, exact = false, decimals?: number): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'bytes':
      return scaled(v, 1024, BYTE_UNITS, '', exact);
    case 'Bps':
      return scaled(v, 1024, BYTE_UNITS, '/s', exact);
    case 's':
      return formatSeconds(v, exact);
    case 'ms':
      return formatSeconds(v / 1e3, exact);
    case 'µs':
    case 'us':
      return formatSeconds(v / 1e6, exact);
    case 'ops':
    case 'reqps':
      return `${scaled(v, 1000, SI, '', exact)} ops/s`;
    case 'opm':
      return `${scaled(v, 1000, SI, '', exact)} ops/min`;
    case 'percentunit':
      return `${decimals !== undefined && !exact ? (v * 100).toFixed(decimals) : digits(v * 100, exact)}%`;
    case 'percent':
      return `${decimals !== undefined && !exact ? v.toFixed(decimals) : digits(v, exact)}%`;
    case 'short':
      return scaled(v, 1000, SI, '', exact);
    default:
      return decimals !== undefined && !exact ? v.toFixed(decimals) : digits(v, exact);
  }
}

/** A duration like "3 d 4 h" or "12 min" for uptimes and "since" times. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** A Unix-millisecond time as local ISO-like text, to the second. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
