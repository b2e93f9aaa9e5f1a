/** The instance page's time range: live (the last N, moving) or fixed (a zoomed span), and the step to use. */
import { stepFor } from './panel-query.ts';

export const RANGES: Array<{ label: string; seconds: number }> = [
  { label: '15 min', seconds: 900 },
  { label: '1 h', seconds: 3600 },
  { label: '3 h', seconds: 3 * 3600 },
  { label: '6 h', seconds: 6 * 3600 },
  { label: '12 h', seconds: 12 * 3600 },
  { label: '24 h', seconds: 86400 },
  { label: '2 d', seconds: 2 * 86400 },
  { label: '7 d', seconds: 7 * 86400 },
  { label: '30 d', seconds: 30 * 86400 },
];

export type TimeRange = { live: true; seconds: number } | { live: false; fromS: number; toS: number };

export interface Resolved {
  startS: number;
  endS: number;
  stepS: number;
}

/** Start and end on a multiple of the step (so live refreshes reuse the same grid), ~600 points. */
export function resolveRange(r: TimeRange, nowS: number, scrapeS: number): Resolved {
  const span = r.live ? r.seconds : Math.max(r.toS - r.fromS, 1);
  const stepS = stepFor(span, scrapeS);
  const end = r.live ? nowS : r.toS;
  const endS = Math.floor(end / stepS) * stepS;
  const startS = endS - Math.ceil(span / stepS) * stepS;
  return { startS, endS, stepS };
}
