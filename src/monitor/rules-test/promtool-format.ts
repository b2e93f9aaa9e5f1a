/** How promtool 2.42 prints a unit test's failures (cmd/promtool/unittest.go), so output reads the same. */
import type { Labels } from '../../promql/types.ts';
import { compareLabels, formatLabels } from '../alerting/labels.ts';

export interface LabelsAndAnnotations {
  labels: Labels;
  annotations: Labels;
}

export function indentLines(lines: string, indent: string): string {
  return lines.split('\n').join(`\n${indent}`);
}

export function compareAlerts(a: LabelsAndAnnotations, b: LabelsAndAnnotations): number {
  return compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
}

/** labelsAndAnnotations.String(). */
export function formatAlertList(list: readonly LabelsAndAnnotations[]): string {
  if (list.length === 0) return '[]';
  const one = (a: LabelsAndAnnotations) =>
    `Labels:${formatLabels(a.labels)}\nAnnotations:${formatLabels(a.annotations)}`;
  let s = `[\n0:${indentLines(`\n${one(list[0])}`, '  ')}`;
  list.slice(1).forEach((a, i) => {
    s += `,\n${i + 1}:${indentLines(`\n${one(a)}`, '  ')}`;
  });
  return `${s}\n]`;
}

/** strconv.FormatFloat(v, 'E', -1, 64): 4E+00, 1.5E-03, NaN, +Inf. */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mantissa, e] = v.toExponential().split('e');
  const exp = Number(e);
  return `${mantissa}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** parsedSamplesString: `nil` or `{labels} 4E+00, {labels} 5E+00`. */
export function formatSamples(samples: ReadonlyArray<{ labels: Labels; value: number }>): string {
  if (samples.length === 0) return 'nil';
  return samples.map((s) => `${formatLabels(s.labels)} ${formatFloatE(s.value)}`).join(', ');
}

/** Go's %q for the expression in a failure line. */
export function goQuoted(s: string): string {
  return JSON.stringify(s);
}
