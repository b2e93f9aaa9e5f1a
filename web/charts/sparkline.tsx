/** A stat's history drawn faintly behind its value (the catalogue's `sparkline`): one SVG line, no axes. */
import { queryRange } from '../lib/prometheus.ts';
import { usePoll } from '../lib/use-poll.ts';
import { alignSeries } from './series-data.ts';

/** `x,y` points in a 100×30 box for the values (gaps skipped), or '' when fewer than two. */
export function sparklinePoints(values: Array<number | null>): string {
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2) return '';
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  const span = hi - lo || 1;
  const last = Math.max(values.length - 1, 1);
  const out: string[] = [];
  values.forEach((v, i) => {
    if (v !== null) out.push(`${((i / last) * 100).toFixed(2)},${(28 - ((v - lo) / span) * 26).toFixed(2)}`);
  });
  return out.join(' ');
}

export function Sparkline({
  expr,
  range,
}: {
  expr: string;
  range: { startS: number; endS: number; stepS: number; refreshMs: number | null };
}) {
  const polled = usePoll(
    async () => {
      const [first] = await queryRange(expr, range.startS, range.endS, range.stepS);
      return first ? sparklinePoints(alignSeries(range, first)) : '';
    },
    range.refreshMs,
    [expr, range.startS, range.endS, range.stepS],
  );
  if (!polled.data) return null;
  return (
    <svg class="sparkline" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">
      <polyline
        points={polled.data}
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
        vector-effect="non-scaling-stroke"
      />
    </svg>
  );
}
