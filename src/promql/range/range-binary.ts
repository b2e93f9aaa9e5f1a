/**
 * Binary operators over whole columns, with the per-step semantics of binary.ts: labels and match signatures are
 * worked out once per series, and each step then matches the series present at it (so a duplicate that only
 * exists at some steps fails exactly where the step-by-step evaluator fails).
 */

import type { BinaryOp, VectorMatching } from '../ast.js';
import {
  ARITHMETIC_DROPS_NAME,
  COMPARISONS,
  duplicateMatchError,
  elementBinop,
  GROUPED_TWICE,
  ONE_TO_ONE_TWICE,
  resultLabels,
  scalarBinop,
} from '../binary.js';
import { executionError } from '../errors.js';
import { dropMetricName, labelsKey, matchSignature } from '../labels.js';
import { anyPresent, type CellBudget, type Column, ColumnSet } from './columns.js';

export function scalarColumns(op: BinaryOp, lhs: Float64Array, rhs: Float64Array): Float64Array {
  const out = new Float64Array(lhs.length);
  for (let i = 0; i < out.length; i++) out[i] = scalarBinop(op, lhs[i]!, rhs[i]!);
  return out;
}

/** A vector and a scalar column; `scalarOnLeft` when the scalar was written first. */
export function vectorScalarColumns(
  op: BinaryOp,
  series: readonly Column[],
  scalar: Float64Array,
  scalarOnLeft: boolean,
  returnBool: boolean,
): Column[] {
  const n = scalar.length;
  const comparison = COMPARISONS.has(op);
  const out = new ColumnSet(n, true);
  for (const c of series) {
    const labels = ARITHMETIC_DROPS_NAME.has(op) || returnBool ? dropMetricName(c.labels) : c.labels;
    const v = new Float64Array(n);
    const present = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (c.present[i] !== 1) continue;
      const sv = c.v[i]!;
      let [value, keep] = scalarOnLeft ? elementBinop(op, scalar[i]!, sv) : elementBinop(op, sv, scalar[i]!);
      if (comparison && scalarOnLeft) value = sv;
      if (returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (!keep) continue;
      v[i] = value;
      present[i] = 1;
    }
    out.add(labels, v, present);
  }
  return out.columns;
}

/** Small integer ids of the match signatures of both sides' series. */
function signatures(
  lhs: readonly Column[],
  rhs: readonly Column[],
  matching: VectorMatching,
): { lhs: Int32Array; rhs: Int32Array; count: number } {
  const ids = new Map<string, number>();
  const idsOf = (cols: readonly Column[]) =>
    Int32Array.from(cols, (c) => {
      const sig = matchSignature(c.labels, matching.on, matching.labels);
      let id = ids.get(sig);
      if (id === undefined) {
        id = ids.size;
        ids.set(sig, id);
      }
      return id;
    });
  const l = idsOf(lhs);
  return { lhs: l, rhs: idsOf(rhs), count: ids.size };
}

export function vectorColumns(
  op: BinaryOp,
  lhs: readonly Column[],
  rhs: readonly Column[],
  matching: VectorMatching,
  returnBool: boolean,
  n: number,
  /** Called every 64 steps (the query's deadline). */
  checkpoint: () => void = () => {},
  /** Charged for the result's label sets (group_left/right can make one per step). */
  budget?: CellBudget,
): Column[] {
  if (op === 'and' || op === 'or' || op === 'unless') return setColumns(op, lhs, rhs, matching, n, checkpoint);
  const sigs = signatures(lhs, rhs, matching);
  const oneToMany = matching.card === 'one-to-many';
  const [many, one] = oneToMany ? [rhs, lhs] : [lhs, rhs];
  const [manySig, oneSig] = oneToMany ? [sigs.rhs, sigs.lhs] : [sigs.lhs, sigs.rhs];
  const lhsPresent = anyPresent(lhs, n);
  const rhsPresent = anyPresent(rhs, n);
  // Per signature: the step (+1) it was last seen on the "one" side and by which series, and last matched.
  const oneStamp = new Int32Array(sigs.count);
  const oneAt = new Int32Array(sigs.count);
  const matchedStamp = new Int32Array(sigs.count);
  const groupedAt = new Map<string, number>();
  const out = new ColumnSet(n, true, budget);
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) checkpoint();
    // As Prometheus: with one side empty nothing can match, so duplicates on the other side are no error.
    if (lhsPresent[i] !== 1 || rhsPresent[i] !== 1) continue;
    const stamp = i + 1;
    for (let k = 0; k < one.length; k++) {
      if (one[k]!.present[i] !== 1) continue;
      const s = oneSig[k]!;
      if (oneStamp[s] === stamp) {
        throw duplicateMatchError(one[k]!.labels, one[oneAt[s]!]!.labels, matching, oneToMany);
      }
      oneStamp[s] = stamp;
      oneAt[s] = k;
    }
    for (let k = 0; k < many.length; k++) {
      const m = many[k]!;
      if (m.present[i] !== 1) continue;
      const s = manySig[k]!;
      if (oneStamp[s] !== stamp) continue;
      const o = one[oneAt[s]!]!;
      const [vl, vr] = oneToMany ? [o.v[i]!, m.v[i]!] : [m.v[i]!, o.v[i]!];
      let [value, keep] = elementBinop(op, vl, vr);
      if (returnBool) value = keep ? 1 : 0;
      else if (!keep) continue;
      let labels = resultLabels(m.labels, o.labels, op, matching);
      if (returnBool) labels = dropMetricName(labels);
      if (matching.card === 'one-to-one') {
        if (matchedStamp[s] === stamp) throw executionError(ONE_TO_ONE_TWICE);
        matchedStamp[s] = stamp;
      } else {
        const key = `${s}\u0000${labelsKey(labels)}`;
        if (groupedAt.get(key) === stamp) throw executionError(GROUPED_TWICE);
        groupedAt.set(key, stamp);
      }
      out.set(labels, i, value);
    }
  }
  return out.columns;
}

function setColumns(
  op: 'and' | 'or' | 'unless',
  lhs: readonly Column[],
  rhs: readonly Column[],
  matching: VectorMatching,
  n: number,
  checkpoint: () => void,
): Column[] {
  const sigs = signatures(lhs, rhs, matching);
  const [marking, kept, markSig, keptSig] =
    op === 'or' ? [lhs, rhs, sigs.lhs, sigs.rhs] : [rhs, lhs, sigs.rhs, sigs.lhs];
  // and: kept where the other side has the signature at that step; or/unless: where it has not.
  const want = op === 'and';
  const keptPresent = kept.map(() => new Uint8Array(n));
  const markedAt = new Int32Array(sigs.count);
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) checkpoint();
    const stamp = i + 1;
    for (let k = 0; k < marking.length; k++) if (marking[k]!.present[i] === 1) markedAt[markSig[k]!] = stamp;
    for (let k = 0; k < kept.length; k++) {
      if (kept[k]!.present[i] === 1 && (markedAt[keptSig[k]!] === stamp) === want) keptPresent[k]![i] = 1;
    }
  }
  const out = new ColumnSet(n, true);
  if (op === 'or') for (const c of lhs) out.add(c.labels, c.v, c.present);
  for (let k = 0; k < kept.length; k++) out.add(kept[k]!.labels, kept[k]!.v, keptPresent[k]!);
  return out.columns;
}
