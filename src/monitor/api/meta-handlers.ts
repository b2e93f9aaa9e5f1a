import type { Labels, Matcher, Queryable } from '../../promql/types.ts';
import { seriesKey } from '../scrape-samples.ts';
import { BoundedQueryable } from './bounded-queryable.ts';
import type { ApiContext } from './context.ts';
import { BadDataError, goQuote, invalidParam, LABEL_NAME, MAX_TIME_MS, MIN_TIME_MS, optionalTime } from './params.ts';
import { parseSeriesSelector } from './series-selector.ts';

/** start/end of the metadata endpoints: the whole history unless given. */
function window(p: URLSearchParams, ctx: ApiContext): { start: number; end: number } {
  const start = optionalTime(p, 'start', MIN_TIME_MS);
  const end = optionalTime(p, 'end', Math.max(MAX_TIME_MS, ctx.now()));
  return { start, end };
}

/**
 * The store as one metadata request reads it: within the query timeout and the samples limit, like a query (a
 * thousand selectors of every series over the whole history would otherwise hold up everything for minutes).
 */
export function boundedStore(ctx: ApiContext): Queryable {
  return new BoundedQueryable(ctx.queryable, ctx.now() + ctx.limits.queryTimeoutMs, ctx.limits.maxSamples, ctx.now);
}

function selectors(p: URLSearchParams): Matcher[][] {
  return p.getAll('match[]').map((m) => parseSeriesSelector(m));
}

function compareLabels(a: Labels, b: Labels): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    if (a[ka[i]] !== b[kb[i]]) return a[ka[i]] < b[kb[i]] ? -1 : 1;
  }
  return ka.length - kb.length;
}

/** /api/v1/series */
export function series(p: URLSearchParams, ctx: ApiContext): unknown {
  const sets = selectors(p);
  if (sets.length === 0) throw new BadDataError('no match[] parameter provided');
  const { start, end } = window(p, ctx);
  const found = new Map<string, Labels>();
  const store = boundedStore(ctx);
  for (const matchers of sets)
    for (const s of store.select(matchers, { start, end })) found.set(seriesKey(s.labels), s.labels);
  return [...found.values()].sort(compareLabels);
}

function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** /api/v1/labels */
export function labelNames(p: URLSearchParams, ctx: ApiContext): unknown {
  const { start, end } = window(p, ctx);
  const sets = selectors(p);
  const store = boundedStore(ctx);
  if (sets.length === 0) return store.labelNames([], start, end);
  return union(sets.map((m) => store.labelNames(m, start, end)));
}

/** /api/v1/label/<name>/values */
export function labelValues(name: string, p: URLSearchParams, ctx: ApiContext): unknown {
  if (!LABEL_NAME.test(name)) throw new BadDataError(`invalid label name: ${goQuote(name)}`);
  const { start, end } = window(p, ctx);
  const sets = selectors(p);
  const store = boundedStore(ctx);
  if (sets.length === 0) return store.labelValues(name, [], start, end);
  return union(sets.map((m) => store.labelValues(name, m, start, end)));
}

/** /api/v1/metadata */
export function metadata(p: URLSearchParams, ctx: ApiContext): unknown {
  const limitText = p.get('limit');
  let limit = -1;
  if (limitText) {
    if (!/^-?\d+$/.test(limitText)) throw new BadDataError('limit must be a number');
    limit = Number(limitText);
  }
  const only = p.get('metric');
  const out: Record<string, Array<{ type: string; help: string; unit: string }>> = {};
  let n = 0;
  for (const [name, m] of [...ctx.metadata()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (only && name !== only) continue;
    if (limit >= 0 && n >= limit) break;
    out[name] = [{ type: m.type === 'untyped' ? 'unknown' : m.type, help: m.help, unit: '' }];
    n++;
  }
  return out;
}

function rfc3339(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : '0001-01-01T00:00:00Z';
}

/** /api/v1/targets: each Redis, its health and its last error, in Prometheus's shape. */
export function targets(p: URLSearchParams, ctx: ApiContext): unknown {
  const state = p.get('state') ?? 'any';
  if (!['any', 'active', 'dropped', ''].includes(state))
    throw invalidParam('state', `${goQuote(state)} is not one of any, active, dropped`);
  const seconds = (ms: number) => `${ms / 1000}s`;
  const active =
    state === 'dropped'
      ? []
      : ctx.targets().map((t) => ({
          discoveredLabels: { __address__: t.labels.instance, job: t.labels.job },
          labels: { instance: t.labels.instance, job: t.labels.job },
          scrapePool: t.labels.job,
          scrapeUrl: t.address,
          globalUrl: t.address,
          lastError: t.lastError,
          lastScrape: rfc3339(t.lastScrapeMs),
          lastScrapeDuration: t.lastScrapeDurationSeconds,
          health: t.health,
          scrapeInterval: seconds(ctx.scrapeIntervalMs),
          scrapeTimeout: seconds(ctx.scrapeTimeoutMs),
        }));
  return { activeTargets: active, droppedTargets: [] };
}

/** /api/v1/rules */
export function rules(p: URLSearchParams, ctx: ApiContext): unknown {
  const type = p.get('type') ?? '';
  if (type !== '' && type !== 'alert' && type !== 'record')
    throw invalidParam('type', `${goQuote(type)}; use alert or record`);
  const groups = (ctx.alerting?.ruleGroups() ?? []).map((g) => ({
    ...g,
    rules: g.rules.filter((r) => type === '' || (type === 'alert' ? r.type === 'alerting' : r.type === 'recording')),
  }));
  return { groups: type === '' ? groups : groups.filter((g) => g.rules.length > 0) };
}

/** /api/v1/alerts */
export function alerts(_p: URLSearchParams, ctx: ApiContext): unknown {
  return { alerts: ctx.alerting?.activeAlerts() ?? [] };
}

/** /api/v1/status/buildinfo: the Prometheus API level redoubt answers as (Grafana reads the version). */
export function buildInfo(version: string): unknown {
  return {
    version: '2.42.0',
    revision: `redoubt-${version}`,
    branch: 'redoubt',
    buildUser: 'redoubt',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
  };
}
