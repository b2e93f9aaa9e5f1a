import { buildAlerts } from '../../src/catalog/alerts.ts';
import { allPanels } from '../../src/catalog/panels.ts';
import { DATA_START, JOB } from './promql-series.ts';

/**
 * The expressions of the PromQL differential test: every catalogue rule and panel query (Grafana's variables
 * substituted as Grafana does: $job and $instance as regexes, $__rate_interval as four scrape intervals), and a
 * generated set over the grammar redoubt supports.
 */

export const RATE_INTERVAL = '1m';

export function substituteGrafana(expr: string, instanceRegex = '.+'): string {
  return expr
    .replaceAll('$__rate_interval', RATE_INTERVAL)
    .replaceAll('$job', JOB)
    .replaceAll('$instance', instanceRegex);
}

export function catalogueExpressions(): string[] {
  const alerts = buildAlerts().map((a) => a.expr);
  const panels = allPanels().flatMap(({ panel }) => panel.targets.map((t) => t.expr));
  const out = new Set<string>();
  for (const e of alerts) out.add(e);
  for (const e of panels) {
    out.add(substituteGrafana(e));
    out.add(substituteGrafana(e, 'r1:6379|r3:6379'));
  }
  return [...out];
}

const G = 'redis_memory_used_bytes';
const G2 = 'redis_connected_clients';
const C = 'redis_commands_total';
const B = 'redis_up';
const N = 'test_nan_gauge';
const H = 'test_request_duration_seconds_bucket';
const AT = (DATA_START + 3_600_000) / 1000;

const RANGE_FUNCTIONS = [
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'absent_over_time',
];
const MATH = ['abs', 'ceil', 'floor', 'round', 'sqrt', 'exp', 'ln', 'log2', 'log10', 'sgn', '-'];
const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const ARITHMETIC = ['+', '-', '*', '/', '%', '^', 'atan2'];
const COMPARISONS = ['==', '!=', '>', '<', '>=', '<='];

function selectors(): string[] {
  return [
    G,
    `${G}{instance="r1:6379"}`,
    `${G}{instance=~"r[12].*"}`,
    `${G}{instance!~"r1.*",job!="x"}`,
    `{__name__=~"redis_memory_.*_bytes"}`,
    `${G} offset 10m`,
    `${G} offset -5m`,
    `${G} @ start()`,
    `${G} @ end()`,
    `${G} @ ${AT}`,
    `${G} @ ${AT} offset 5m`,
    `${G}[5m]`,
    `${C}[1m] offset 1h`,
    `${G}[10m:1m]`,
    `rate(${C}[5m])[10m:2m]`,
    `${B}{instance="r3:6379"}`,
    `${N}`,
    `nonexistent_metric`,
    '"a string"',
    '1.5e3',
    '0x1F',
    '-Inf',
    'NaN',
  ];
}

function rangeFunctions(): string[] {
  const out: string[] = [];
  for (const f of RANGE_FUNCTIONS) {
    out.push(`${f}(${C}[5m])`, `${f}(${G}[90s])`, `${f}(${N}[10m])`);
  }
  out.push(
    `rate(${C}[1m])`,
    `rate(${C}[1h30m])`,
    `increase(${C}[15s])`,
    `rate(${C}[5m] offset 30m)`,
    `rate(${C}[5m] @ end())`,
    `irate(${C}{cmd="get"}[2m] @ ${AT})`,
    `predict_linear(${G}[10m], 3600)`,
    `predict_linear(${B}[30m], 600)`,
    `quantile_over_time(0.9, ${G}[10m])`,
    `quantile_over_time(0, ${G}[10m])`,
    `quantile_over_time(1.5, ${G}[10m])`,
    `absent_over_time(nonexistent[5m])`,
    `absent_over_time(nonexistent{job="a",instance=~"b"}[5m])`,
    `deriv(${B}[30m])`,
    `delta(${G}[1h])`,
    `changes(${B}[1h])`,
  );
  return out;
}

function subqueries(): string[] {
  return [
    `max_over_time(rate(${C}[1m])[10m:1m])`,
    `avg_over_time(${G}[30m:])`,
    `rate(${C}[5m:30s])`,
    `min_over_time(${G}[10m:2m] offset 5m)`,
    `deriv(sum(${G})[15m:1m])`,
    `max_over_time(${G}[20m:1m] @ ${AT})`,
    `sum_over_time((${B} == 0)[1h:5m])`,
    `count_over_time(${G}[7m:45s])`,
  ];
}

function functions(): string[] {
  const out: string[] = [];
  for (const f of MATH) out.push(`${f}(${G})`, `${f}(${N})`, `${f}(rate(${C}[5m]) - 1)`);
  out.push(
    `round(${G}, 1000)`,
    `round(${N}, 0.5)`,
    `clamp(${G}, 1, 50)`,
    `clamp(${G}, 50, 1)`,
    `clamp_min(${G}, 40)`,
    `clamp_max(${G}, 40)`,
    `timestamp(${G})`,
    `timestamp(${G} offset 5m)`,
    `timestamp(${G} @ ${AT})`,
    `timestamp(sum(${G}))`,
    `scalar(sum(${G}))`,
    `scalar(${G})`,
    `vector(1)`,
    `vector(time())`,
    `time()`,
    `sort(${G})`,
    `sort_desc(${N})`,
    `absent(${G})`,
    `absent(nonexistent{job="x",instance="y",instance!="z"})`,
    `absent(sum(nonexistent))`,
    `label_replace(${G}, "host", "$1", "instance", "([^:]+):.*")`,
    `label_replace(${G}, "host", "$1$2", "instance", "r(\\\\d):(\\\\d+)")`,
    `label_replace(${G}, "instance", "", "instance", ".*")`,
    `label_replace(${G}, "x", "$0", "nope", "(.*)")`,
    `label_join(${G}, "x", "-", "job", "instance")`,
    `label_join(${G}, "job", "", "nope")`,
    `histogram_quantile(0.5, rate(${H}[5m]))`,
    `histogram_quantile(0.9, sum by (le) (rate(${H}[5m])))`,
    `histogram_quantile(0.99, sum by (le, instance) (rate(${H}[10m])))`,
    `histogram_quantile(0, ${H})`,
    `histogram_quantile(1, ${H})`,
    `histogram_quantile(1.1, ${H})`,
    `histogram_quantile(0.5, ${G})`,
    `day_of_week()`,
    `hour(vector(time()))`,
    `month(redis_rdb_last_save_timestamp_seconds)`,
    `days_in_month(redis_rdb_last_save_timestamp_seconds)`,
    `minute(redis_rdb_last_save_timestamp_seconds) + year() + day_of_month()`,
  );
  return out;
}

function aggregations(): string[] {
  const out: string[] = [];
  for (const op of AGGREGATIONS) {
    out.push(`${op}(${G})`, `${op} by (instance) (rate(${C}[5m]))`, `${op} without (cmd) (${C})`, `${op}(${N})`);
  }
  out.push(
    `topk(2, ${C})`,
    `topk by (instance) (1, rate(${C}[5m]))`,
    `bottomk(1, ${G})`,
    `bottomk without (cmd) (2, ${C})`,
    `topk(0, ${G})`,
    `topk(1, ${N})`,
    // Ties: which of several equal values topk/bottomk keep is the choice of Prometheus's heap, fed in storage
    // order. (Over a computed input, Prometheus's range queries feed it in Go map order: no fixed answer there.)
    `topk(2, ${B})`,
    `topk(1, ${B})`,
    `bottomk(2, ${B})`,
    `quantile(0.5, ${G})`,
    `quantile by (cmd) (0.9, rate(${C}[5m]))`,
    `quantile(-1, ${G})`,
    `quantile(0.5, ${N})`,
    `count_values("value", ${B})`,
    `count_values by (job) ("v", ${B})`,
    `count_values without (instance) ("v", ${B})`,
    `count_values("v", round(${N}))`,
    `sum by (__name__) ({__name__=~"redis_memory_.*"})`,
    `sum(${G}) by (job)`,
    `avg by (instance, job) (${G})`,
    `max without () (${C})`,
    `group by (cmd) (${C})`,
  );
  return out;
}

function binaries(): string[] {
  const out: string[] = [];
  for (const op of ARITHMETIC) out.push(`${G} ${op} ${G2}`, `${G} ${op} 3`, `2 ${op} ${G2}`, `7 ${op} 3`);
  for (const op of COMPARISONS) {
    out.push(`${G} ${op} 50`, `50 ${op} ${G}`, `${G} ${op} bool 50`, `50 ${op} bool ${G}`, `${G} ${op} ${G2}`);
    out.push(`${G} ${op} bool ${G2}`, `1 ${op} bool 2`);
  }
  out.push(
    `${G} / on(instance) ${G2}`,
    `${G} / ignoring(job) ${G2}`,
    `rate(${C}[5m]) / ignoring(cmd) group_left ${G2}`,
    `rate(${C}[5m]) * on(instance, job) group_left(role) redis_instance_info`,
    `${G2} / on(instance, job) group_right rate(${C}[5m])`,
    `redis_instance_info * on(instance) group_right(role) ${G2}`,
    `rate(${C}[5m]) / on(instance) ${C}`,
    `${C} / on(instance) ${G}`,
    `${C} > on(instance) group_left ${G}`,
    `${C} > bool on(instance) group_left ${G}`,
    `${B} and ${G}`,
    `${B} and on(instance) ${G}`,
    `${G} or ${C}`,
    `${G} unless on(instance) ${B} == 0`,
    `(${G} > 50) or ${G}`,
    `${B} == 1 and on(instance) ${G}`,
    `${C} unless ignoring(cmd) ${B} == 0`,
    `${C} or on(cmd) ${G}`,
    `${N} > 0`,
    `${N} == ${N}`,
    `${N} != bool ${N}`,
    `1 + 2 * 3 - 4 / 2`,
    `2 ^ 3 ^ 2`,
    `-2 ^ 2`,
    `1 / 0`,
    `-1 / 0`,
    `0 / 0`,
    `-7 % 3`,
    `time() - 1`,
    `(1 > bool 0) + ${G}`,
    `${G} + on() group_left vector(1)`,
    `-${G} * -1`,
    `+${G}`,
    `${G} atan2 ${G2}`,
    `{__name__=~"redis_memory_.*_bytes"} + 1`,
    `{__name__=~"redis_memory_.*_bytes"} > 0`,
  );
  return out;
}

/** Syntax and type errors: both engines must refuse them as bad_data. */
function errors(): string[] {
  return [
    `rate(${G})`,
    `sum(${G}[5m])`,
    `${G} > 1 > bool`,
    `1 > 2`,
    `${G} and 1`,
    `{job=~".*"}`,
    `${G}{instance=~"("}`,
    `(${G})[5m]`,
    `topk(${G})`,
    `${G} + bool 1`,
    `${G} and on(instance) group_left ${G2}`,
    `foo bar`,
    `time()[5m:1m]`,
  ];
}

export function generatedExpressions(): string[] {
  return [
    ...selectors(),
    ...rangeFunctions(),
    ...subqueries(),
    ...functions(),
    ...aggregations(),
    ...binaries(),
    ...errors(),
  ];
}

/** Expressions whose result order is part of the result (compared in order). */
export function keepsOrder(expr: string): boolean {
  return /^sort(_desc)?\(/.test(expr);
}
