/**
 * The overview: one InstanceSummary per watched instance. Health and the reason come from the target's last
 * scrape; ops/s and the hit ratio over the last 5 minutes from the history through the PromQL engine (ops/s
 * falls back to INFO's instantaneous figure before there are two samples); the rest from the last snapshot's
 * INFO; the security score from the latest audit; alert counts from the rule manager.
 */
import type { WatchedTarget } from '../../monitor/watched-target.ts';
import type { VectorSample } from '../../promql/types.ts';
import { ConsoleHttpError, type InstanceSummary, type OverviewResponse } from '../contract.ts';
import { clip, type InfoFields, infoFields, num, replicationSummary, roleOf, text } from './info-view.ts';
import type { ConsoleDeps } from './routes.ts';
import { securityCoverage } from './security-coverage.ts';

/** The 5-minute figures of every instance, by instance label. */
export interface RecentRates {
  ops: Map<string, number>;
  hits: Map<string, number>;
  misses: Map<string, number>;
}

function byInstance(samples: readonly VectorSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) if (s.labels.instance !== undefined && Number.isFinite(s.v)) out.set(s.labels.instance, s.v);
  return out;
}

/**
 * One instant query per figure for every instance at once (or for one); a query that fails leaves its figure
 * empty.
 */
export function recentRates(deps: ConsoleDeps, at: number, instance?: string): RecentRates {
  const only = instance === undefined ? '' : `,instance=${JSON.stringify(instance)}`;
  const job = `${JSON.stringify(deps.monitor.options.job)}${only}`;
  const run = (expr: string): Map<string, number> => {
    try {
      const r = deps.engine.instantQuery(deps.history, expr, at);
      return r.type === 'vector' ? byInstance(r.samples) : new Map();
    } catch {
      return new Map();
    }
  };
  return {
    ops: run(`sum by (instance) (rate(redis_commands_processed_total{job=${job}}[5m]))`),
    hits: run(`sum by (instance) (increase(redis_keyspace_hits_total{job=${job}}[5m]))`),
    misses: run(`sum by (instance) (increase(redis_keyspace_misses_total{job=${job}}[5m]))`),
  };
}

function hitRatio(rates: RecentRates, instance: string): number | null {
  const hits = rates.hits.get(instance);
  const misses = rates.misses.get(instance);
  if (hits === undefined || misses === undefined || hits + misses <= 0) return null;
  return hits / (hits + misses);
}

function alertCounts(deps: ConsoleDeps): Map<string, { firing: number; pending: number }> {
  const out = new Map<string, { firing: number; pending: number }>();
  for (const { alert } of deps.alerting.manager.alerts()) {
    const instance = alert.labels.instance;
    if (instance === undefined) continue;
    const c = out.get(instance) ?? { firing: 0, pending: 0 };
    if (alert.state === 'firing') c.firing++;
    else c.pending++;
    out.set(instance, c);
  }
  return out;
}

/** INFO of the last scrape, only while the target is up (a down target's old figures would mislead). */
export function liveFields(t: WatchedTarget): InfoFields | undefined {
  return t.health.health === 'up' && t.lastSnapshot ? infoFields(t.lastSnapshot.info) : undefined;
}

export function instanceSummary(
  t: WatchedTarget,
  rates: RecentRates,
  alerts: { firing: number; pending: number } | undefined,
): InstanceSummary {
  const instance = t.health.labels.instance;
  const fields = liveFields(t);
  const maxmemory = fields ? num(fields, 'maxmemory') : null;
  const latestAudit = t.audits.latest();
  const coverage = latestAudit ? securityCoverage(latestAudit.report) : undefined;
  return {
    instance,
    health: t.health.health,
    lastError: clip(t.health.lastError, 1024),
    lastScrapeAt: t.health.lastScrapeMs,
    role: fields ? roleOf(fields) : null,
    version: fields ? text(fields, 'redis_version') : null,
    uptimeSeconds: fields ? num(fields, 'uptime_in_seconds') : null,
    usedMemoryBytes: fields ? num(fields, 'used_memory') : null,
    maxmemoryBytes: maxmemory === null || maxmemory <= 0 ? null : maxmemory,
    opsPerSecond: fields ? (rates.ops.get(instance) ?? num(fields, 'instantaneous_ops_per_sec')) : null,
    hitRatio: fields ? hitRatio(rates, instance) : null,
    connectedClients: fields ? num(fields, 'connected_clients') : null,
    replication: fields ? replicationSummary(fields) : null,
    securityScore: latestAudit?.report.score ?? null,
    ...(coverage && coverage.blocked > 0 ? { securityPartial: coverage.summary } : {}),
    firingAlerts: alerts?.firing ?? 0,
    pendingAlerts: alerts?.pending ?? 0,
  };
}

export function overview(deps: ConsoleDeps): OverviewResponse {
  const now = deps.now();
  const rates = recentRates(deps, now);
  const alerts = alertCounts(deps);
  return {
    generatedAt: now,
    scrapeIntervalMs: deps.scrapeIntervalMs,
    instances: deps.monitor.targets.map((t) => instanceSummary(t, rates, alerts.get(t.health.labels.instance))),
  };
}

/** The watched target with this instance label, or 404. */
export function targetNamed(deps: ConsoleDeps, instance: string | undefined): WatchedTarget {
  const t = deps.monitor.targets.find((x) => x.health.labels.instance === instance);
  if (!t) throw new ConsoleHttpError(404, 'no such instance');
  return t;
}

/** The summary of one instance (the detail page's header). */
export function summaryOf(deps: ConsoleDeps, t: WatchedTarget): InstanceSummary {
  const rates = recentRates(deps, deps.now(), t.health.labels.instance);
  return instanceSummary(t, rates, alertCounts(deps).get(t.health.labels.instance));
}
