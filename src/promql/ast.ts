/**
 * The typed syntax tree the evaluator walks: built once from the lezer tree by parse.ts, type-checked there.
 * Durations and times are in milliseconds.
 */

import type { Matcher } from './types.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** `@ 123.4`, `@ start()`, `@ end()`: the time a selector or subquery is evaluated at instead of the step's. */
export type AtModifier = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'start' | 'end' };

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
}

export interface VectorSelector {
  readonly kind: 'vector-selector';
  /** Every matcher, the metric name included as `__name__="…"`. */
  readonly matchers: readonly Matcher[];
  readonly offset: number;
  readonly at?: AtModifier;
}

export interface MatrixSelector {
  readonly kind: 'matrix-selector';
  readonly selector: VectorSelector;
  readonly range: number;
}

export interface Subquery {
  readonly kind: 'subquery';
  readonly expr: Expr;
  readonly range: number;
  /** 0 = the query's step (Prometheus: the default evaluation interval for instant queries). */
  readonly step: number;
  readonly offset: number;
  readonly at?: AtModifier;
}

export interface Paren {
  readonly kind: 'paren';
  readonly expr: Expr;
}

export interface Unary {
  readonly kind: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** How two vectors are matched: Prometheus's VectorMatching. */
export interface VectorMatching {
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** true for on(…), false for ignoring(…) or no clause. */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Labels copied from the "one" side with group_left/group_right. */
  readonly include: readonly string[];
}

export interface Binary {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Present when both sides are instant vectors. */
  readonly matching?: VectorMatching;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile';

export interface Aggregate {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param?: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
}

export interface Call {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Subquery
  | Paren
  | Unary
  | Binary
  | Aggregate
  | Call;

/** The value type an expression evaluates to. */
export function typeOf(e: Expr, callType: (func: string) => ValueType): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector-selector':
    case 'aggregate':
      return 'vector';
    case 'matrix-selector':
    case 'subquery':
      return 'matrix';
    case 'paren':
    case 'unary':
      return typeOf(e.expr, callType);
    case 'binary':
      return typeOf(e.lhs, callType) === 'scalar' && typeOf(e.rhs, callType) === 'scalar' ? 'scalar' : 'vector';
    case 'call':
      return callType(e.func);
  }
}
