/** Fixed, epoch-aligned windows: raw blocks cover 2 h (as Prometheus's), rollup blocks a UTC day. */
export const HOUR = 3_600_000;
export const RAW_WINDOW = 2 * HOUR;
export const DAY = 24 * HOUR;

/** Start of the `size`-wide window holding `t`. */
export function windowStart(t: number, size: number): number {
  return Math.floor(t / size) * size;
}
