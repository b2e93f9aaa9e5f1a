/**
 * promtool's unit-test file (`promtool test rules`): rule_files, evaluation_interval, group_eval_order and test
 * groups with input_series, alert_rule_test, promql_expr_test, external_labels and external_url. Read strictly,
 * as promtool's yaml.UnmarshalStrict does; errors name the line and key.
 */
import { parsePromDuration } from '../alerting/duration.ts';
import { YamlFile, type YamlValue } from '../alerting/yaml-reader.ts';

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertTest {
  evalTimeMs: number;
  /** As written (model.Duration string) for messages. */
  evalTime: string;
  alertname: string;
  expAlerts: ExpectedAlert[];
}

export interface ExprTest {
  expr: string;
  evalTimeMs: number;
  evalTime: string;
  expSamples: Array<{ labels: string; value: number }>;
}

export interface TestGroup {
  name: string;
  intervalMs: number;
  inputSeries: InputSeries[];
  alertTests: AlertTest[];
  exprTests: ExprTest[];
  externalLabels: Record<string, string>;
  externalURL: string;
}

export interface UnitTestFile {
  ruleFiles: string[];
  evaluationIntervalMs: number;
  groupEvalOrder: string[];
  tests: TestGroup[];
}

function duration(v: YamlValue | undefined): number {
  if (!v || v.isMissing()) return 0;
  const text = v.string();
  const ms = parsePromDuration(text);
  if (ms === undefined) throw v.error(`"${text}" is not a duration; use a value like 30s, 5m or 1h`);
  return ms;
}

function strings(v: YamlValue | undefined): string[] {
  return (v?.list() ?? []).map((x) => x.string());
}

function parseGroup(g: YamlValue): TestGroup {
  const k = g.map([
    'interval',
    'input_series',
    'alert_rule_test',
    'promql_expr_test',
    'external_labels',
    'external_url',
    'name',
  ]);
  const inputSeries = (k.get('input_series')?.list() ?? []).map((s) => {
    const m = s.map(['series', 'values']);
    return { series: m.get('series')?.optionalString() ?? '', values: m.get('values')?.optionalString() ?? '' };
  });
  const alertTests = (k.get('alert_rule_test')?.list() ?? []).map((a): AlertTest => {
    const m = a.map(['eval_time', 'alertname', 'exp_alerts']);
    const evalTimeMs = duration(m.get('eval_time'));
    return {
      evalTimeMs,
      evalTime: m.get('eval_time')?.optionalString() ?? '0s',
      alertname: m.get('alertname')?.optionalString() ?? '',
      expAlerts: (m.get('exp_alerts')?.list() ?? []).map((e) => {
        const em = e.map(['exp_labels', 'exp_annotations']);
        return {
          labels: em.get('exp_labels')?.stringMap() ?? {},
          annotations: em.get('exp_annotations')?.stringMap() ?? {},
        };
      }),
    };
  });
  const exprTests = (k.get('promql_expr_test')?.list() ?? []).map((p): ExprTest => {
    const m = p.map(['expr', 'eval_time', 'exp_samples']);
    return {
      expr: m.get('expr')?.optionalString() ?? '',
      evalTimeMs: duration(m.get('eval_time')),
      evalTime: m.get('eval_time')?.optionalString() ?? '0s',
      expSamples: (m.get('exp_samples')?.list() ?? []).map((s) => {
        const sm = s.map(['labels', 'value']);
        const value = sm.get('value');
        return {
          labels: sm.get('labels')?.optionalString() ?? '',
          value: value && !value.isMissing() ? value.number() : 0,
        };
      }),
    };
  });
  return {
    name: k.get('name')?.optionalString() ?? '',
    intervalMs: duration(k.get('interval')),
    inputSeries,
    alertTests,
    exprTests,
    externalLabels: k.get('external_labels')?.stringMap() ?? {},
    externalURL: k.get('external_url')?.optionalString() ?? '',
  };
}

/** Parses a unit-test file; throws YamlInputError naming the line and key. */
export function parseUnitTestFile(text: string, source: string): UnitTestFile {
  const root = new YamlFile(text, source).root;
  const k = root.map(['rule_files', 'evaluation_interval', 'group_eval_order', 'tests']);
  return {
    ruleFiles: strings(k.get('rule_files')),
    evaluationIntervalMs: duration(k.get('evaluation_interval')) || 60e3,
    groupEvalOrder: strings(k.get('group_eval_order')),
    tests: (k.get('tests')?.list() ?? []).map(parseGroup),
  };
}
