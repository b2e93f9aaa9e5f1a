/**
 * A rule group evaluated as Prometheus evaluates one (rules/manager.go Group.Eval): rules in file order at one
 * timestamp, each seeing what the rules before it wrote; outputs appended to the store, with staleness markers for
 * series a rule returned last time and not now; alerts handed to the notifiers when Prometheus would send them.
 */
import {
  type Appendable,
  type PromqlEngine,
  type Queryable,
  type QueryOptions,
  STALE_NAN,
  type VectorSample,
} from '../../promql/types.ts';
import type { NotifiableAlert } from './alert.ts';
import { AlertingRule, type RuleContext, RuleEvaluationError, type RuleSample } from './alerting-rule.ts';
import { labelsKey } from './labels.ts';
import { generatorUrl } from './query-escape.ts';
import { RecordingRule } from './recording-rule.ts';
import type { RuleGroupSpec } from './rule-file.ts';

export type Rule = AlertingRule | RecordingRule;

export interface RuleStatus {
  health: 'unknown' | 'ok' | 'err';
  lastError: string;
  /** ms of the last evaluation; 0 before the first. */
  lastEvaluation: number;
  /** Wall-clock ms the last evaluation took. */
  evaluationMs: number;
}

export interface RuleGroupOptions {
  engine: PromqlEngine;
  queryable: Queryable;
  appendable: Appendable;
  context: RuleContext;
  /** Used when the group has no interval of its own. */
  defaultIntervalMs: number;
  lookbackDeltaMs?: number;
  /** Step of subqueries written without one (promtool: its evaluation_interval; Prometheus: the global one). */
  subqueryStepMs?: number;
  /** Prometheus's --rules.alert.resend-delay, default 1m. */
  resendDelayMs?: number;
  /** Receives the alerts Prometheus would send to Alertmanager after each alerting rule. */
  notify?: (alerts: NotifiableAlert[]) => void;
  /** Wall clock for evaluation durations only (not for rule time). */
  wallClock?: () => number;
}

/** An instant query's result as a rule takes it: a scalar becomes one sample without labels. */
export function queryForRule(
  engine: PromqlEngine,
  q: Queryable,
  expr: string,
  ts: number,
  opts?: QueryOptions,
): VectorSample[] {
  const r = engine.instantQuery(q, expr, ts, opts);
  if (r.type === 'vector') return [...r.samples];
  if (r.type === 'scalar') return [{ labels: {}, t: r.t, v: r.v }];
  throw new RuleEvaluationError('rule result is not a vector or scalar');
}

export class RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly rules: Rule[];
  readonly status: RuleStatus[];
  lastEvaluation = 0;
  evaluationMs = 0;
  private previous: Array<Map<string, RuleSample['labels']>>;

  constructor(
    spec: RuleGroupSpec,
    private readonly opts: RuleGroupOptions,
  ) {
    this.name = spec.name;
    this.file = spec.file;
    this.intervalMs = spec.intervalMs ?? opts.defaultIntervalMs;
    this.limit = spec.limit;
    this.rules = spec.rules.map((r) => (r.kind === 'alert' ? new AlertingRule(r, opts.context) : new RecordingRule(r)));
    this.status = this.rules.map(() => ({ health: 'unknown', lastError: '', lastEvaluation: 0, evaluationMs: 0 }));
    this.previous = this.rules.map(() => new Map());
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
  }

  /** Evaluates every rule at `ts` (ms). Errors are kept per rule (status), never thrown. */
  evaluate(ts: number): void {
    const wall = this.opts.wallClock ?? Date.now;
    const groupStart = wall();
    this.rules.forEach((rule, i) => {
      const start = wall();
      const status = this.status[i];
      try {
        const result = queryForRule(this.opts.engine, this.opts.queryable, rule.spec.expr, ts, {
          lookbackDelta: this.opts.lookbackDeltaMs,
          subqueryStepMs: this.opts.subqueryStepMs,
        });
        const samples = rule.evaluate(result, ts, this.limit);
        if (rule instanceof AlertingRule && this.opts.notify) {
          const url = generatorUrl(this.opts.context.externalURL, rule.spec.expr);
          const due = rule.alertsToSend(ts, this.opts.resendDelayMs ?? 60e3, this.intervalMs, url);
          if (due.length > 0) this.opts.notify(due);
        }
        this.write(i, samples, ts);
        status.health = 'ok';
        status.lastError = '';
      } catch (e) {
        status.health = 'err';
        status.lastError = (e as Error).message;
      }
      status.lastEvaluation = ts;
      status.evaluationMs = wall() - start;
    });
    this.lastEvaluation = ts;
    this.evaluationMs = wall() - groupStart;
  }

  private write(i: number, samples: RuleSample[], ts: number): void {
    const now = new Map<string, RuleSample['labels']>();
    for (const s of samples) {
      this.opts.appendable.append(s.labels, ts, s.v);
      now.set(labelsKey(s.labels), s.labels);
    }
    for (const [key, labels] of this.previous[i]) if (!now.has(key)) this.opts.appendable.append(labels, ts, STALE_NAN);
    this.previous[i] = now;
  }
}
