/**
 * The type checks Prometheus 2.42's parser makes (parser.checkAST), with its messages: what each operator,
 * aggregation and function accepts.
 */

import type { SyntaxNode } from '@lezer/common';
import { type AggregateOp, type Binary, type Expr, typeOf, type ValueType } from './ast.js';
import { parseError, unsupported } from './errors.js';
import { FUNCTION_SIGNATURES } from './functions/signatures.js';

const TYPE_NAMES: Readonly<Record<ValueType, string>> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};

export function exprType(e: Expr): ValueType {
  return typeOf(e, (func) => FUNCTION_SIGNATURES.get(func)?.returns ?? 'vector');
}

const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);

export function isComparison(op: string): boolean {
  return COMPARISONS.has(op);
}

export function isSetOperator(op: string): boolean {
  return SET_OPS.has(op);
}

export function checkUnary(inner: Expr, node: SyntaxNode): void {
  const t = exprType(inner);
  if (t !== 'scalar' && t !== 'vector') {
    throw parseError(
      'unary expression only allowed on expressions of type scalar or instant vector',
      node.from,
      node.to,
    );
  }
}

export function checkSubquery(inner: Expr, range: number, step: number, node: SyntaxNode): void {
  const t = exprType(inner);
  if (t !== 'vector') {
    throw parseError(`subquery is only allowed on instant vector, got ${TYPE_NAMES[t]} instead`, node.from, node.to);
  }
  if (range <= 0 || step < 0) throw parseError('subquery range and step must be positive', node.from, node.to);
}

export function checkBinary(b: Binary, node: SyntaxNode, opNode: SyntaxNode): Binary {
  const at = (message: string) => parseError(message, opNode.from, opNode.to);
  const lt = exprType(b.lhs);
  const rt = exprType(b.rhs);
  if (b.returnBool && !isComparison(b.op)) throw at('bool modifier can only be used on comparison operators');
  if (isComparison(b.op) && !b.returnBool && lt === 'scalar' && rt === 'scalar') {
    throw at('comparisons between scalars must use BOOL modifier');
  }
  if (![lt, rt].every((t) => t === 'scalar' || t === 'vector')) {
    throw parseError('binary expression must contain only scalar and instant vector types', node.from, node.to);
  }
  let matching = b.matching ?? { card: 'one-to-one' as const, on: false, labels: [], include: [] };
  if (matching.on) {
    const both = matching.labels.find((l) => matching.include.includes(l));
    if (both !== undefined) throw at(`label "${both}" must not occur in ON and GROUP clause at once`);
  }
  if (lt !== 'vector' || rt !== 'vector') {
    if (b.matching && b.matching.labels.length > 0) {
      throw parseError('vector matching only allowed between instant vectors', node.from, node.to);
    }
    if (isSetOperator(b.op)) {
      throw parseError(`set operator "${b.op}" not allowed in binary scalar expression`, node.from, node.to);
    }
    return { ...b, matching: undefined };
  }
  if (isSetOperator(b.op)) {
    if (matching.card === 'one-to-many' || matching.card === 'many-to-one') {
      throw parseError(`no grouping allowed for "${b.op}" operation`, node.from, node.to);
    }
    matching = { ...matching, card: 'many-to-many' };
  }
  return { ...b, matching };
}

const WITH_PARAM: Partial<Record<AggregateOp, ValueType>> = {
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  count_values: 'string',
};

export function checkAggregate(
  op: AggregateOp,
  args: Expr[],
  grouping: string[],
  without: boolean,
  node: SyntaxNode,
): Expr {
  const paramType = WITH_PARAM[op];
  const expected = paramType ? 2 : 1;
  if (args.length !== expected) {
    throw parseError(
      `wrong number of arguments for aggregate expression provided, expected ${expected}, got ${args.length}`,
      node.from,
      node.to,
    );
  }
  const expr = args[expected - 1] as Expr;
  const t = exprType(expr);
  if (t !== 'vector') {
    throw parseError(
      `expected type instant vector in aggregation expression, got ${TYPE_NAMES[t]}`,
      node.from,
      node.to,
    );
  }
  const param = paramType ? (args[0] as Expr) : undefined;
  if (param && paramType && exprType(param) !== paramType) {
    throw parseError(
      `expected type ${TYPE_NAMES[paramType]} in aggregation parameter, got ${TYPE_NAMES[exprType(param)]}`,
      node.from,
      node.to,
    );
  }
  return { kind: 'aggregate', op, expr, param, grouping, without };
}

export function checkCall(func: string, args: Expr[], node: SyntaxNode): Expr {
  const sig = FUNCTION_SIGNATURES.get(func);
  if (!sig) throw unsupported(`the function ${func}()`, node.from, node.to);
  const min = sig.variadic > 0 ? sig.args.length - sig.variadic : sig.args.length;
  const max = sig.variadic < 0 ? Number.POSITIVE_INFINITY : sig.args.length;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} or more`;
    throw parseError(`expected ${expected} argument(s) in call to "${func}", got ${args.length}`, node.from, node.to);
  }
  args.forEach((arg, i) => {
    const want = sig.args[Math.min(i, sig.args.length - 1)] as ValueType;
    const got = exprType(arg);
    if (got !== want) {
      throw parseError(
        `expected type ${TYPE_NAMES[want]} in call to function "${func}", got ${TYPE_NAMES[got]}`,
        node.from,
        node.to,
      );
    }
  });
  return { kind: 'call', func, args };
}
