/**
 * Binary operators between scalars and instant vectors, as Prometheus 2.42's VectorBinop, VectorscalarBinop and
 * the set operators: vector matching with on/ignoring/group_left/group_right, and its many-to-many errors.
 */

import type { BinaryOp, VectorMatching } from './ast.js';
import { executionError } from './errors.js';
import { goPow } from './functions/math.js';
import {
  dropMetricName,
  formatLabels,
  keepLabels,
  labelsKey,
  METRIC_NAME,
  matchSignature,
  remember,
  removeLabels,
  sortedLabels,
} from './labels.js';
import type { Labels } from './types.js';
import type { Sample } from './values.js';

export const ARITHMETIC_DROPS_NAME: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^']);
export const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** [value, keep]: the result of `lhs op rhs` and, for comparisons, whether it holds. */
export function elementBinop(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+':
      return [lhs + rhs, true];
    case '-':
      return [lhs - rhs, true];
    case '*':
      return [lhs * rhs, true];
    case '/':
      return [lhs / rhs, true];
    case '%':
      return [lhs % rhs, true];
    case '^':
      return [goPow(lhs, rhs), true];
    case 'atan2':
      return [Math.atan2(lhs, rhs), true];
    case '==':
      return [lhs, lhs === rhs];
    case '!=':
      return [lhs, lhs !== rhs];
    case '>':
      return [lhs, lhs > rhs];
    case '<':
      return [lhs, lhs < rhs];
    case '>=':
      return [lhs, lhs >= rhs];
    case '<=':
      return [lhs, lhs <= rhs];
    default:
      throw executionError(`operator "${op}" not allowed for scalar operations`);
  }
}

export function scalarBinop(op: BinaryOp, lhs: number, rhs: number): number {
  const [value, keep] = elementBinop(op, lhs, rhs);
  return COMPARISONS.has(op) ? (keep ? 1 : 0) : value;
}

/** A vector and a scalar; `scalarOnLeft` when the scalar was written first. */
export function vectorScalarBinop(
  op: BinaryOp,
  samples: readonly Sample[],
  scalarValue: number,
  scalarOnLeft: boolean,
  returnBool: boolean,
): Sample[] {
  const out: Sample[] = [];
  for (const s of samples) {
    const [lv, rv] = scalarOnLeft ? [scalarValue, s.v] : [s.v, scalarValue];
    let [value, keep] = elementBinop(op, lv, rv);
    if (COMPARISONS.has(op) && scalarOnLeft) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) {
      const labels = ARITHMETIC_DROPS_NAME.has(op) || returnBool ? dropMetricName(s.labels) : s.labels;
      out.push({ labels, v: value });
    }
  }
  return out;
}

export function vectorBinop(
  op: BinaryOp,
  lhs: readonly Sample[],
  rhs: readonly Sample[],
  matching: VectorMatching,
  returnBool: boolean,
): Sample[] {
  if (op === 'and' || op === 'or' || op === 'unless') return setOperation(op, lhs, rhs, matching);
  // As Prometheus: with one side empty nothing can match, so duplicates on the other side are no error.
  if (lhs.length === 0 || rhs.length === 0) return [];
  const sig = (l: Labels) => matchSignature(l, matching.on, matching.labels);
  const oneToMany = matching.card === 'one-to-many';
  const [many, one] = oneToMany ? [rhs, lhs] : [lhs, rhs];
  const oneBySig = new Map<string, Sample>();
  for (const s of one) {
    const key = sig(s.labels);
    const dup = oneBySig.get(key);
    if (dup) {
      throw duplicateMatchError(s.labels, dup.labels, matching, oneToMany);
    }
    oneBySig.set(key, s);
  }
  const matched = new Map<string, Set<string>>();
  const out: Sample[] = [];
  for (const m of many) {
    const key = sig(m.labels);
    const o = oneBySig.get(key);
    if (!o) continue;
    const [vl, vr] = oneToMany ? [o.v, m.v] : [m.v, o.v];
    let [value, keep] = elementBinop(op, vl, vr);
    if (returnBool) {
      value = keep ? 1 : 0;
    } else if (!keep) continue;
    let labels = resultLabels(m.labels, o.labels, op, matching);
    if (returnBool) labels = dropMetricName(labels);
    const inserted = matched.get(key);
    if (matching.card === 'one-to-one') {
      if (inserted) throw executionError(ONE_TO_ONE_TWICE);
      matched.set(key, new Set());
    } else {
      const labelKey = labelsKey(labels);
      if (inserted?.has(labelKey)) throw executionError(GROUPED_TWICE);
      if (inserted) inserted.add(labelKey);
      else matched.set(key, new Set([labelKey]));
    }
    out.push({ labels, v: value });
  }
  return out;
}

/** Two series of the "one" side share a match group at one step. */
export function duplicateMatchError(later: Labels, earlier: Labels, matching: VectorMatching, oneToMany: boolean) {
  const matched = matching.on
    ? keepLabels(later, matching.labels)
    : removeLabels(later, [...matching.labels, METRIC_NAME]);
  return executionError(
    `found duplicate series for the match group ${formatLabels(matched)} on the ${oneToMany ? 'left' : 'right'} hand-side of the operation: [${formatLabels(later)}, ${formatLabels(earlier)}];many-to-many matching not allowed: matching labels must be unique on one side`,
  );
}

export const ONE_TO_ONE_TWICE =
  'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)';
export const GROUPED_TWICE = 'multiple matches for labels: grouping labels must ensure unique matches';

/** The fixed part of resultLabels' key per matching clause (the same object at every step). */
const matchingKeys = new WeakMap<VectorMatching, [string, string]>();

/** The labels of a matched pair's result (Prometheus's resultMetric), remembered per label set. */
export function resultLabels(many: Labels, one: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  const dropName = ARITHMETIC_DROPS_NAME.has(op);
  let what = matchingKeys.get(matching)?.[dropName ? 1 : 0];
  if (what === undefined) {
    const keys = [false, true].map(
      (d) => `binop:${d}:${matching.card}:${matching.on}:${matching.labels.join(',')}:${matching.include.join(',')}`,
    ) as [string, string];
    matchingKeys.set(matching, keys);
    what = keys[dropName ? 1 : 0];
  }
  if (matching.include.length > 0) what += `:${JSON.stringify(matching.include.map((name) => one[name] ?? ''))}`;
  return remember(many, what, () => computeResultLabels(many, one, op, matching));
}

function computeResultLabels(many: Labels, one: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  let labels: Record<string, string> = { ...many };
  if (ARITHMETIC_DROPS_NAME.has(op)) delete labels[METRIC_NAME];
  if (matching.card === 'one-to-one') {
    labels = matching.on ? { ...keepLabels(labels, matching.labels) } : { ...removeLabels(labels, matching.labels) };
  }
  for (const name of matching.include) {
    const v = one[name];
    if (v !== undefined && v !== '') labels[name] = v;
    else delete labels[name];
  }
  return sortedLabels(labels);
}

function setOperation(
  op: 'and' | 'or' | 'unless',
  lhs: readonly Sample[],
  rhs: readonly Sample[],
  matching: VectorMatching,
): Sample[] {
  const sig = (l: Labels) => matchSignature(l, matching.on, matching.labels);
  if (op === 'or') {
    const left = new Set(lhs.map((s) => sig(s.labels)));
    return [...lhs, ...rhs.filter((s) => !left.has(sig(s.labels)))];
  }
  const right = new Set(rhs.map((s) => sig(s.labels)));
  return lhs.filter((s) => right.has(sig(s.labels)) === (op === 'and'));
}
