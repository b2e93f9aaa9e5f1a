import type { PromqlEngine, Queryable } from '../../promql/types.ts';
import type { FamilyMetadata } from '../scrape-samples.ts';
import type { TargetHealth } from '../watched-target.ts';

/** Prometheus's shapes of /api/v1/rules groups and /api/v1/alerts alerts, as the alerting engine reports them. */
export interface AlertingView {
  /** `data.groups` of /api/v1/rules. */
  ruleGroups(): readonly RuleGroupJson[];
  /** `data.alerts` of /api/v1/alerts: pending and firing alerts. */
  activeAlerts(): readonly AlertJson[];
}

export interface AlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface RuleJson {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  health: string;
  [key: string]: unknown;
}

export interface RuleGroupJson {
  name: string;
  file: string;
  interval: number;
  rules: RuleJson[];
  [key: string]: unknown;
}

export interface ApiLimits {
  /** Longest `query` accepted, in characters. */
  maxQueryLength: number;
  /** Longest evaluation; a request's `timeout` can only lower it. */
  queryTimeoutMs: number;
  /** Samples one query may read from the store. */
  maxSamples: number;
  /** Points per series of a range query (Prometheus: 11,000). */
  maxPointsPerSeries: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxQueryLength: 64 * 1024,
  queryTimeoutMs: 10_000,
  maxSamples: 50_000_000,
  maxPointsPerSeries: 11_000,
};

/** What the API reads: the store, the engine, the targets, the alerting engine. */
export interface ApiContext {
  queryable: Queryable;
  /** Undefined until the PromQL engine is built in: queries answer `unavailable`. */
  engine?: PromqlEngine;
  targets(): readonly TargetHealth[];
  metadata(): ReadonlyMap<string, FamilyMetadata>;
  alerting?: AlertingView;
  limits: ApiLimits;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  now(): number;
}
