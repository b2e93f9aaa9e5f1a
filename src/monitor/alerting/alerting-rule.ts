/**
 * An alerting rule's state machine, as Prometheus 2.x runs it (rules/alerting.go): each evaluation takes the
 * expression's result and moves alerts inactive → pending → firing (after `for`) → inactive (resolved), keeps
 * resolved alerts 15 minutes so they are notified, and yields the ALERTS and ALERTS_FOR_STATE samples. The query
 * is not run here: `evaluate` takes its result, so the machine is pure over (result, time) and tests drive it
 * with a fake clock.
 */
import type { Labels, VectorSample } from '../../promql/types.ts';
import type { Alert, AlertState, NotifiableAlert } from './alert.ts';
import { needsSending } from './alert.ts';
import { labelsKey, withLabels } from './labels.ts';
import type { AlertingRuleSpec } from './rule-file.ts';
import { type AlertTemplateData, type CompiledTemplate, compileTemplate, expandOrExplain } from './template.ts';

/** How long a resolved alert stays in the rule, so every notifier hears about the resolution. */
export const RESOLVED_RETENTION_MS = 15 * 60e3;

export interface RuleContext {
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
}

/** A sample a rule writes: ALERTS / ALERTS_FOR_STATE, or a recording rule's output. */
export interface RuleSample {
  labels: Labels;
  v: number;
}

export class RuleEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleEvaluationError';
  }
}

export class AlertingRule {
  readonly kind = 'alert';
  readonly name: string;
  /** Alerts by label-set key. */
  readonly active = new Map<string, Alert>();
  /** False until `for` state is restored after a start: no ALERTS series are written before. */
  restored = false;
  private readonly labelTemplates: Array<[string, CompiledTemplate]>;
  private readonly annotationTemplates: Array<[string, CompiledTemplate]>;

  constructor(
    readonly spec: AlertingRuleSpec,
    private readonly context: RuleContext,
  ) {
    this.name = spec.name;
    const compile = (m: Readonly<Record<string, string>>) =>
      Object.entries(m).map(([k, v]): [string, CompiledTemplate] => [k, compileTemplate(v, `__alert_${spec.name}`)]);
    this.labelTemplates = compile(spec.labels);
    this.annotationTemplates = compile(spec.annotations);
  }

  /** The alerts of one result, before they meet the existing state (Prometheus's first loop). */
  private candidates(result: readonly VectorSample[], ts: number): Map<string, Alert> {
    const out = new Map<string, Alert>();
    for (const s of result) {
      const data: AlertTemplateData = {
        labels: s.labels,
        externalLabels: this.context.externalLabels,
        externalURL: this.context.externalURL,
        value: s.v,
      };
      const ruleLabels: Record<string, string> = {};
      for (const [k, t] of this.labelTemplates) ruleLabels[k] = expandOrExplain(t, data);
      const labels = withLabels(s.labels, { ...ruleLabels, alertname: this.name }, ['__name__']);
      const annotations: Record<string, string> = {};
      for (const [k, t] of this.annotationTemplates) annotations[k] = expandOrExplain(t, data);
      const key = labelsKey(labels);
      if (out.has(key))
        throw new RuleEvaluationError('vector contains metrics with the same labelset after applying alert labels');
      out.set(key, {
        labels,
        annotations,
        state: 'pending',
        value: s.v,
        activeAt: ts,
        firedAt: 0,
        resolvedAt: 0,
        lastSentAt: 0,
        validUntil: 0,
        keepFiringSince: 0,
      });
    }
    return out;
  }

  /**
   * One evaluation at `ts` with the expression's result. Returns the ALERTS and ALERTS_FOR_STATE samples to write
   * (none before `restored`). Throws RuleEvaluationError for a result Prometheus refuses; the alerts then stay as
   * they were, except past the limit, where they are all dropped as Prometheus does.
   */
  evaluate(result: readonly VectorSample[], ts: number, limit = 0): RuleSample[] {
    const found = this.candidates(result, ts);
    for (const [key, a] of found) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
      } else this.active.set(key, a);
    }
    const out: RuleSample[] = [];
    let activeCount = 0;
    for (const [key, a] of this.active) {
      if (!found.has(key)) {
        const keepFiring = this.keepsFiring(a, ts);
        if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS))
          this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else a.keepFiringSince = 0;
      activeCount++;
      if (a.state === 'pending' && ts - a.activeAt >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      if (this.restored) out.push(...this.seriesOf(a));
    }
    if (limit > 0 && activeCount > limit) {
      this.active.clear();
      throw new RuleEvaluationError(`exceeded limit of ${limit} with ${activeCount} alerts`);
    }
    return out;
  }

  private keepsFiring(a: Alert, ts: number): boolean {
    if (a.state !== 'firing' || this.spec.keepFiringForMs <= 0) return false;
    if (a.keepFiringSince === 0) a.keepFiringSince = ts;
    return ts - a.keepFiringSince < this.spec.keepFiringForMs;
  }

  /** ALERTS{alertstate} = 1 and ALERTS_FOR_STATE = activeAt in whole seconds. */
  seriesOf(a: Alert): RuleSample[] {
    return [
      { labels: withLabels(a.labels, { __name__: 'ALERTS', alertstate: a.state }), v: 1 },
      { labels: this.forStateLabels(a), v: Math.floor(a.activeAt / 1000) },
    ];
  }

  forStateLabels(a: Alert): Labels {
    return withLabels(a.labels, { __name__: 'ALERTS_FOR_STATE' });
  }

  /** Alerts that are pending or firing (or resolved, kept for notification), in label order. */
  alerts(states: readonly AlertState[] = ['pending', 'firing']): Alert[] {
    return [...this.active.values()].filter((a) => states.includes(a.state));
  }

  /**
   * The alerts to hand to the notifiers at `ts` (Prometheus's sendAlerts): firing ones once a resendDelay, resolved
   * ones when they resolve. A firing alert is valid for 4 × max(resendDelay, interval), so two missed
   * evaluations or deliveries do not resolve it at the receiver.
   */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number, generatorURL: string): NotifiableAlert[] {
    const out: NotifiableAlert[] = [];
    for (const a of this.active.values()) {
      if (!needsSending(a, ts, resendDelayMs)) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.firedAt,
        endsAt: a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil,
        generatorURL,
      });
    }
    return out;
  }
}
