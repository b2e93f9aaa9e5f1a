/**
 * A catalogue panel's PromQL made concrete for one instance, the way Grafana substitutes its variables: `$job` as
 * "All" (`.+`), `$instance` as the regex-escaped instance (the selectors match it with `=~`), `$__rate_interval` as
 * the larger of four scrape intervals and one step plus a scrape interval. And the step of a range query: about
 * 600 points across the range, never finer than the scrape interval.
 */

/** Escapes regex metacharacters so the instance matches only itself (RE2, anchored by PromQL). */
export function regexEscape(value: string): string {
  return value.replace(/[\\.*+?^${}()|[\]]/g, '\\$&');
}

/** Writes `value` so it reads back as itself inside a PromQL double-quoted string. */
export function promqlStringBody(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export const TARGET_POINTS = 600;

/** Seconds between points for a range of `rangeSeconds`: ~TARGET_POINTS points, at least one scrape interval. */
export function stepFor(rangeSeconds: number, scrapeSeconds: number): number {
  const raw = Math.ceil(rangeSeconds / TARGET_POINTS);
  return Math.max(raw, Math.ceil(scrapeSeconds), 1);
}

/** Grafana's $__rate_interval: max(4 × scrape interval, step + scrape interval), in whole seconds. */
export function rateIntervalSeconds(stepSeconds: number, scrapeSeconds: number): number {
  return Math.ceil(Math.max(4 * scrapeSeconds, stepSeconds + scrapeSeconds));
}

/** (A function replacement, so a `$` in the instance is not read as a replacement pattern.) */
export function substitutePanelExpr(expr: string, instance: string, rateSeconds: number): string {
  return expr
    .replaceAll('$__rate_interval', `${rateSeconds}s`)
    .replaceAll('$job', '.+')
    .replaceAll('$instance', () => promqlStringBody(regexEscape(instance)));
}

/** Grafana legend syntax: `{{label}}` replaced by the series' label value ('' when absent). */
export function legendName(legend: string, labels: Record<string, string>, fallback: string): string {
  if (!legend) return fallback;
  return legend.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}
