/**
 * One promtool test group run on redoubt's engine, as promtool runs it: input series loaded up to each evaluation
 * time, every rule group evaluated from 0 to the last eval_time on the evaluation interval, firing alerts compared
 * at each alert_rule_test's eval_time (the evaluation at or just before it), then each promql_expr_test queried.
 * Returns promtool's failure messages; none means the group passed.
 */
import { type PromqlEngine, STALE_NAN } from '../../promql/types.ts';
import { AlertingRule } from '../alerting/alerting-rule.ts';
import { formatGoDuration, formatPromDuration } from '../alerting/duration.ts';
import { compareLabels, sortLabels } from '../alerting/labels.ts';
import type { RuleGroupSpec } from '../alerting/rule-file.ts';
import { queryForRule, RuleGroup } from '../alerting/rule-group.ts';
import {
  compareAlerts,
  formatAlertList,
  formatSamples,
  goQuoted,
  indentLines,
  type LabelsAndAnnotations,
} from './promtool-format.ts';
import { expandValues, parseSeriesLabels, STALE } from './series-notation.ts';
import { TestSeriesStore } from './test-series-store.ts';
import type { TestGroup } from './unit-test-file.ts';

export interface TestGroupContext {
  engine: PromqlEngine;
  /** The rule groups of every rule file, already ordered by group_eval_order. */
  ruleGroups: readonly RuleGroupSpec[];
  evaluationIntervalMs: number;
}

interface InputSample {
  labels: Record<string, string>;
  t: number;
  v: number | typeof STALE;
}

function append(store: TestSeriesStore, s: InputSample): void {
  store.append(s.labels, s.t, s.v === STALE ? STALE_NAN : s.v);
}

function inputSamples(tg: TestGroup): InputSample[] {
  const out: InputSample[] = [];
  for (const s of tg.inputSeries) {
    const labels = parseSeriesLabels(s.series);
    expandValues(s.values).forEach((v, i) => {
      if (v !== undefined) out.push({ labels, t: i * tg.intervalMs, v });
    });
  }
  // Stable: equal times keep file order (the first of duplicate timestamps wins, as in Prometheus's storage).
  return out.sort((a, b) => a.t - b.t);
}

function firingAlerts(groups: readonly RuleGroup[], alertname: string): LabelsAndAnnotations[] {
  const out: LabelsAndAnnotations[] = [];
  for (const g of groups)
    for (const r of g.rules)
      if (r instanceof AlertingRule && r.name === alertname)
        for (const a of r.active.values())
          if (a.state === 'firing') out.push({ labels: a.labels, annotations: sortLabels(a.annotations) });
  return out.sort(compareAlerts);
}

function checkAlerts(tg: TestGroup, groups: readonly RuleGroup[], evalTimeMs: number): string[] {
  const errs: string[] = [];
  for (const test of tg.alertTests.filter((t) => t.evalTimeMs === evalTimeMs)) {
    const got = firingAlerts(groups, test.alertname);
    const exp = test.expAlerts
      .map((e) => ({
        labels: sortLabels({ ...e.labels, alertname: test.alertname }),
        annotations: sortLabels(e.annotations),
      }))
      .sort(compareAlerts);
    const same = exp.length === got.length && exp.every((e, i) => compareAlerts(e, got[i]) === 0);
    if (same) continue;
    const name = tg.name ? `    name: ${tg.name},\n` : '';
    errs.push(
      `${name}    alertname: ${test.alertname}, time: ${formatPromDuration(test.evalTimeMs)}, \n        exp:${indentLines(formatAlertList(exp), '            ')}, \n        got:${indentLines(formatAlertList(got), '            ')}`,
    );
  }
  return errs;
}

function checkExpressions(tg: TestGroup, ctx: TestGroupContext, store: TestSeriesStore): string[] {
  const errs: string[] = [];
  for (const test of tg.exprTests) {
    const where = `    expr: ${goQuoted(test.expr)}, time: ${formatPromDuration(test.evalTimeMs)}`;
    let got: Array<{ labels: Record<string, string>; value: number }>;
    try {
      got = queryForRule(ctx.engine, store, test.expr, test.evalTimeMs, {
        subqueryStepMs: ctx.evaluationIntervalMs,
      }).map((s) => ({ labels: s.labels, value: s.v }));
    } catch (e) {
      errs.push(`${where}, err: ${(e as Error).message}`);
      continue;
    }
    let exp: Array<{ labels: Record<string, string>; value: number }>;
    try {
      exp = test.expSamples.map((s) => ({ labels: parseSeriesLabels(s.labels), value: s.value }));
    } catch (e) {
      errs.push(
        `${where}, err: labels ${goQuoted(test.expSamples.find(() => true)?.labels ?? '')}: ${(e as Error).message}`,
      );
      continue;
    }
    const order = (a: { labels: Record<string, string> }, b: { labels: Record<string, string> }) =>
      compareLabels(a.labels, b.labels);
    exp.sort(order);
    got.sort(order);
    // reflect.DeepEqual on float64: NaN never equals NaN.
    const same =
      exp.length === got.length &&
      exp.every((e, i) => compareLabels(e.labels, got[i].labels) === 0 && e.value === got[i].value);
    if (!same) errs.push(`${where},\n        exp: ${formatSamples(exp)}\n        got: ${formatSamples(got)}`);
  }
  return errs;
}

/** Runs one test group; returns promtool's error messages (empty: passed). */
export function runTestGroup(tg: TestGroup, ctx: TestGroupContext): string[] {
  const store = new TestSeriesStore();
  let samples: InputSample[];
  try {
    samples = inputSamples(tg);
  } catch (e) {
    return [(e as Error).message];
  }
  for (const t of tg.alertTests)
    if (t.alertname === '')
      return [
        `an item under alert_rule_test misses required attribute alertname at eval_time ${formatPromDuration(t.evalTimeMs)}${tg.name ? ` (in TestGroup ${tg.name})` : ''}`,
      ];
  const groups = ctx.ruleGroups.map(
    (spec) =>
      new RuleGroup(spec, {
        engine: ctx.engine,
        queryable: store,
        appendable: store,
        context: { externalLabels: tg.externalLabels, externalURL: tg.externalURL },
        defaultIntervalMs: tg.intervalMs,
        subqueryStepMs: ctx.evaluationIntervalMs,
      }),
  );
  for (const g of groups) for (const r of g.alertingRules()) r.restored = true;
  const maxt = Math.max(0, ...tg.alertTests.map((t) => t.evalTimeMs), ...tg.exprTests.map((t) => t.evalTimeMs));
  const alertTimes = [...new Set(tg.alertTests.map((t) => t.evalTimeMs))].sort((a, b) => a - b);
  const step = ctx.evaluationIntervalMs;
  const errs: string[] = [];
  let loaded = 0;
  let curr = 0;
  for (let ts = 0; ts <= maxt; ts += step) {
    while (loaded < samples.length && samples[loaded].t <= ts) {
      append(store, samples[loaded++]);
    }
    const evalErrs: string[] = [];
    for (const g of groups) {
      g.evaluate(ts);
      g.rules.forEach((r, i) => {
        if (g.status[i].health === 'err')
          evalErrs.push(`    rule: ${r.name}, time: ${formatGoDuration(ts)}, err: ${g.status[i].lastError}`);
      });
    }
    if (evalErrs.length > 0) return [...errs, ...evalErrs];
    while (curr < alertTimes.length && ts <= alertTimes[curr] && alertTimes[curr] < ts + step)
      errs.push(...checkAlerts(tg, groups, alertTimes[curr++]));
  }
  // Like promtool, expressions see the samples loaded for the last evaluation, not those after it.
  return [...errs, ...checkExpressions(tg, ctx, store)];
}
