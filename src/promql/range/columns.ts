/**
 * The values a range query passes between nodes when it evaluates whole columns at once (range-evaluator.ts):
 * one value per step of the query for each series, with a flag saying whether the series has a sample there.
 * One column stands for what the step-by-step evaluator would produce as one Sample at each step.
 */

import { executionError } from '../errors.js';
import { labelsKey } from '../labels.js';
import type { Labels } from '../types.js';

/** The steps of a range query: t(i) = start + i * step for i in [0, n). */
export interface Steps {
  readonly start: number;
  readonly step: number;
  readonly n: number;
}

export interface Column {
  readonly labels: Labels;
  readonly v: Float64Array;
  /** 1 where the series has a sample at that step. */
  readonly present: Uint8Array;
}

export type RangeValue =
  | { readonly type: 'scalar'; readonly v: Float64Array }
  | { readonly type: 'string'; readonly v: string }
  | { readonly type: 'vector'; readonly series: readonly Column[] };

export function emptyColumn(labels: Labels, n: number): Column {
  return { labels, v: new Float64Array(n), present: new Uint8Array(n) };
}

const DUPLICATE = 'vector cannot contain metrics with the same labelset';

/**
 * The most cells (series × steps) the columns a range query creates for label sets found step by step may take
 * (9 bytes each: ~144 MB). Past it the query is too sparse for columns (count_values over 11,000 steps makes one
 * column per point: 11,000² cells, 1 GB) and is evaluated step by step instead, holding only its points.
 */
export const MAX_COLUMN_CELLS = 16_000_000;

/** Thrown when a query's columns would exceed their CellBudget; the engine then evaluates step by step. */
export class ColumnsTooSparse extends Error {
  constructor() {
    super('the columns of this range query would take too much memory');
  }
}

/** The cells one range query's new columns may still take. */
export class CellBudget {
  private used = 0;

  constructor(private readonly limit = MAX_COLUMN_CELLS) {}

  take(cells: number): void {
    this.used += cells;
    if (this.used > this.limit) throw new ColumnsTooSparse();
  }
}

/**
 * Columns gathered by label set: the same label object (the common case) or an equal one maps to one column, in
 * order of first appearance. `check` makes two samples of one label set at one step an error, as Prometheus's
 * evaluator refuses such a vector after a function or an operator drops or changes labels.
 */
export class ColumnSet {
  private readonly byObject = new Map<Labels, Column>();
  private readonly byKey = new Map<string, Column>();
  readonly columns: Column[] = [];

  constructor(
    private readonly n: number,
    private readonly check: boolean,
    /** Charged for every column this set allocates (label sets met step by step). */
    private readonly budget?: CellBudget,
  ) {}

  column(labels: Labels): Column {
    let c = this.byObject.get(labels);
    if (c) return c;
    const key = labelsKey(labels);
    c = this.byKey.get(key);
    if (!c) {
      this.budget?.take(this.n);
      c = emptyColumn(labels, this.n);
      this.byKey.set(key, c);
      this.columns.push(c);
    }
    this.byObject.set(labels, c);
    return c;
  }

  set(labels: Labels, i: number, v: number): void {
    const c = this.column(labels);
    if (this.check && c.present[i] === 1) throw executionError(DUPLICATE);
    c.v[i] = v;
    c.present[i] = 1;
  }

  /**
   * A column as one whole series of a matrix, the way Prometheus's range functions (rate(), *_over_time) and unary
   * minus build their result: a label set met twice is an error even when the two never share a step (rate() of
   * a metric renamed half-way); a column without a sample is left out, as Prometheus leaves out empty series.
   */
  addSeries(labels: Labels, v: Float64Array, present: Uint8Array): void {
    if (!present.includes(1)) return;
    if (this.byObject.has(labels) || this.byKey.has(labelsKey(labels))) throw executionError(DUPLICATE);
    this.add(labels, v, present);
  }

  /** A whole column under `labels`: taken as it is when the label set is new, merged step by step otherwise. */
  add(labels: Labels, v: Float64Array, present: Uint8Array): void {
    if (!this.byObject.has(labels) && !this.byKey.has(labelsKey(labels))) {
      const c = { labels, v, present };
      this.byObject.set(labels, c);
      this.byKey.set(labelsKey(labels), c);
      this.columns.push(c);
      return;
    }
    const c = this.column(labels);
    for (let i = 0; i < this.n; i++) {
      if (present[i] !== 1) continue;
      if (this.check && c.present[i] === 1) throw executionError(DUPLICATE);
      c.v[i] = v[i]!;
      c.present[i] = 1;
    }
  }
}

/** Whether any column has a sample at each step. */
export function anyPresent(columns: readonly Column[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (const c of columns) for (let i = 0; i < n; i++) out[i] = out[i]! | c.present[i]!;
  return out;
}
