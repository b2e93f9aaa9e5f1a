import { formatValue } from '../../metrics/exposition.ts';
import { isStaleNaN, type Labels, type Queryable } from '../../promql/types.ts';
import { BadDataError } from './params.ts';
import { parseSeriesSelector } from './series-selector.ts';

/** Prometheus's lookback: a series whose last sample is older than this at `now` is not federated. */
const LOOKBACK_MS = 5 * 60_000;
/** Series in one answer; a broader match[] is refused rather than answered in part. */
const MAX_SERIES = 200_000;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function line(labels: Labels, value: number, t: number): string {
  let out = '';
  for (const k in labels) if (k !== '__name__') out += `${out ? ',' : '{'}${k}="${escapeLabel(labels[k])}"`;
  return `${labels.__name__}${out ? `${out}}` : ''} ${formatValue(value)} ${t}\n`;
}

/**
 * /federate: the latest sample of every stored series matching `match[]`, in the text exposition format with
 * timestamps, as Prometheus's federation endpoint answers (every family untyped), for another Prometheus to scrape.
 */
export function federate(params: URLSearchParams, store: Queryable, now: number): string {
  const selectors = params.getAll('match[]').map((m) => parseSeriesSelector(m));
  if (selectors.length === 0) throw new BadDataError('no match[] parameter provided');
  const latest = new Map<string, { labels: Labels; t: number; v: number }>();
  for (const matchers of selectors)
    for (const s of store.select(matchers, { start: now - LOOKBACK_MS, end: now })) {
      const i = s.t.length - 1;
      if (i < 0 || isStaleNaN(s.v[i])) continue;
      latest.set(JSON.stringify(s.labels), { labels: s.labels, t: s.t[i], v: s.v[i] });
      if (latest.size > MAX_SERIES)
        throw new BadDataError(`match[] selects more than ${MAX_SERIES} series; narrow it down`);
    }
  const byName = new Map<string, string[]>();
  for (const { labels, t, v } of latest.values()) {
    const name = labels.__name__ ?? '';
    if (!name) continue;
    const lines = byName.get(name) ?? [];
    lines.push(line(labels, v, t));
    byName.set(name, lines);
  }
  let out = '';
  for (const name of [...byName.keys()].sort()) {
    // Prometheus federates every family as untyped.
    out += `# TYPE ${name} untyped\n`;
    out += byName.get(name)?.sort().join('') ?? '';
  }
  return out;
}
