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
import type { Labels } from '../types.js';
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
  const matches = new StepMatches(sigs.count, one, oneSig, matching, oneToMany);
  const out = new ColumnSet(n, true, budget);
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) checkpoint();
    // As Prometheus: with one side empty nothing can match, so duplicates on the other side are no error.
    if (lhsPresent[i] !== 1 || rhsPresent[i] !== 1) continue;
    matches.step(i);
    for (let k = 0; k < many.length; k++) {
      const m = many[k]!;
      const s = manySig[k]!;
      const o = m.present[i] === 1 ? matches.oneOf(s) : undefined;
      if (!o) continue;
      const [vl, vr] = oneToMany ? [o.v[i]!, m.v[i]!] : [m.v[i]!, o.v[i]!];
      let [value, keep] = elementBinop(op, vl, vr);
      if (returnBool) value = keep ? 1 : 0;
      else if (!keep) continue;
      let labels = resultLabels(m.labels, o.labels, op, matching);
      if (returnBool) labels = dropMetricName(labels);
      matches.matched(s, labels);
      out.set(labels, i, value);
    }
  }
  return out.columns;
}

/**
 * The matching of one step, by signature id: which "one"-side series has a sample (two is an error), and which
 * results were made (a second for one signature, or for one label set under group_*, is an error), with
 * Prometheus's messages. Stamps (step + 1) instead of clearing arrays at every step.
 */
class StepMatches {
  private stamp = 0;
  private readonly oneStamp: Int32Array;
  private readonly oneAt: Int32Array;
  private readonly matchedStamp: Int32Array;
  private readonly groupedAt = new Map<string, number>();

  constructor(
    count: number,
    private readonly one: readonly Column[],
    private readonly oneSig: Int32Array,
    private readonly matching: VectorMatching,
    private readonly oneToMany: boolean,
  ) {
    this.oneStamp = new Int32Array(count);
    this.oneAt = new Int32Array(count);
    this.matchedStamp = new Int32Array(count);
  }

  step(i: number): void {
    const stamp = ++this.stamp;
    for (let k = 0; k < this.one.length; k++) {
      if (this.one[k]!.present[i] !== 1) continue;
      const s = this.oneSig[k]!;
      if (this.oneStamp[s] === stamp) {
        throw duplicateMatchError(this.one[k]!.labels, this.one[this.oneAt[s]!]!.labels, this.matching, this.oneToMany);
      }
      this.oneStamp[s] = stamp;
      this.oneAt[s] = k;
    }
  }

  /** The "one"-side series of signature s at this step, if any. */
  oneOf(s: number): Column | undefined {
    return this.oneStamp[s] === this.stamp ? this.one[this.oneAt[s]!] : undefined;
  }

  matched(s: number, labels: Labels): void {
    if (this.matching.card === 'one-to-one') {
      if (this.matchedStamp[s] === this.stamp) throw executionError(ONE_TO_ONE_TWICE);
      this.matchedStamp[s] = this.stamp;
      return;
    }
    const key = `${s}\u0000${labelsKey(labels)}`;
    if (this.groupedAt.get(key) === this.stamp) throw executionError(GROUPED_TWICE);
    this.groupedAt.set(key, this.stamp);
  }
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
