import type { Alert } from '../alerting/alert.ts';
import { AlertingRule } from '../alerting/alerting-rule.ts';
import type { RuleManager } from '../alerting/rule-manager.ts';
import type { AlertingView, AlertJson, RuleGroupJson, RuleJson } from './context.ts';

/** Go's time.Time in JSON (RFC 3339 with the fraction's trailing zeros cut); Go's zero time for 0. */
export function goTime(ms: number): string {
  if (ms <= 0) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64), as Prometheus writes an alert's value: `1e+00`, `2.5e-01`. */
export function goExponent(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mantissa, exp] = v.toExponential().split('e');
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${Object.is(v, -0) ? '-' : ''}${mantissa}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function alertJson(a: Alert): AlertJson {
  return {
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    state: a.state === 'firing' ? 'firing' : 'pending',
    activeAt: goTime(a.activeAt),
    value: goExponent(a.value),
  };
}

/** A rule's state: the most severe of its alerts'. */
function ruleState(alerts: readonly Alert[]): string {
  if (alerts.some((a) => a.state === 'firing')) return 'firing';
  if (alerts.some((a) => a.state === 'pending')) return 'pending';
  return 'inactive';
}

/** The rule manager's groups, rules and alerts in the shapes of Prometheus 2.42's /api/v1/rules and /alerts. */
export function ruleManagerView(manager: RuleManager): AlertingView {
  return {
    ruleGroups: (): RuleGroupJson[] =>
      // Prometheus lists groups by file, then name.
      [...manager.groups]
        .sort((a, b) =>
          a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
        )
        .map((g) => ({
          name: g.name,
          file: g.file,
          rules: g.rules.map((rule, i): RuleJson => {
            const status = g.status[i];
            const common = {
              name: rule.name,
              query: rule.spec.expr,
              labels: { ...rule.spec.labels },
              health: status.health,
              ...(status.lastError ? { lastError: status.lastError } : {}),
              evaluationTime: status.evaluationMs / 1000,
              lastEvaluation: goTime(status.lastEvaluation),
            };
            if (!(rule instanceof AlertingRule)) return { ...common, type: 'recording' };
            const alerts = rule.alerts();
            return {
              state: ruleState(alerts),
              ...common,
              duration: rule.spec.forMs / 1000,
              keepFiringFor: rule.spec.keepFiringForMs / 1000,
              annotations: { ...rule.spec.annotations },
              alerts: alerts.map(alertJson),
              type: 'alerting',
            };
          }),
          interval: g.intervalMs / 1000,
          limit: g.limit,
          evaluationTime: g.evaluationMs / 1000,
          lastEvaluation: goTime(g.lastEvaluation),
        })),
    activeAlerts: (): AlertJson[] => manager.alerts().map(({ alert }) => alertJson(alert)),
  };
}
