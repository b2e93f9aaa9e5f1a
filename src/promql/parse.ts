/**
 * PromQL text → the typed syntax tree of ast.ts, through @prometheus-io/lezer-promql's grammar. Everything that
 * Prometheus 2.42 rejects at parse time is rejected here (types, matchers, modifiers), so the evaluator can
 * trust its input; syntax newer than 2.42 is refused as unsupported.
 */

import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import type {
  AggregateOp,
  AtModifier,
  Binary,
  BinaryOp,
  Expr,
  Subquery,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { parseError, unsupported } from './errors.js';
import { parseDuration, parseNumber, unquoteString } from './literals.js';
import { matchesEmpty } from './matchers.js';
import { checkAggregate, checkBinary, checkCall, checkSubquery, checkUnary } from './parse-checks.js';
import { compileAnchoredRegex, RegexSyntaxError } from './regex.js';
import type { Matcher, MatchType } from './types.js';

/** Parses and type-checks a query. Throws PromqlError (bad_data) with the position of the first problem. */
export function parsePromql(query: string): Expr {
  if (query.trim() === '') throw parseError('no expression found in input', 0, 0);
  const tree = parser.parse(query);
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        const call = /([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(query.slice(0, node.from));
        if (call && query[node.from] === '(') {
          throw unsupported(`unknown function with name "${call[1]}"`, node.from - call[0].length, node.from);
        }
        const what = node.from >= query.length ? 'end of input' : JSON.stringify(query.slice(node.from, node.from + 1));
        throw parseError(`unexpected ${what}`, node.from, node.to);
      }
    },
  });
  const top = tree.topNode.firstChild;
  if (!top) throw parseError('no expression found in input', 0, 0);
  return new Builder(query).expr(top);
}

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const AGGREGATE_OPS: ReadonlySet<string> = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
]);

const MATCH_TYPES: Readonly<Record<string, MatchType>> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function exprChildren(node: SyntaxNode): SyntaxNode[] {
  return children(node).filter((c) => c.type.is('Expr'));
}

class Builder {
  constructor(private readonly query: string) {}

  private text(node: SyntaxNode): string {
    return this.query.slice(node.from, node.to);
  }

  expr(node: SyntaxNode): Expr {
    switch (node.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.number(node) };
      case 'StringLiteral':
        return { kind: 'string', value: this.string(node) };
      case 'ParenExpr':
        return { kind: 'paren', expr: this.expr(this.only(node)) };
      case 'UnaryExpr':
        return this.unary(node);
      case 'VectorSelector':
        return this.vectorSelector(node);
      case 'MatrixSelector':
        return this.matrixSelector(node);
      case 'SubqueryExpr':
        return this.subquery(node);
      case 'OffsetExpr':
        return this.offset(node);
      case 'StepInvariantExpr':
        return this.at(node);
      case 'BinaryExpr':
        return this.binary(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'FunctionCall':
        return this.call(node);
      default:
        throw unsupported(`${node.name} (${this.text(node)})`, node.from, node.to);
    }
  }

  private only(node: SyntaxNode): SyntaxNode {
    const [first] = exprChildren(node);
    if (!first) throw parseError('expression expected', node.from, node.to);
    return first;
  }

  private number(node: SyntaxNode): number {
    const text = this.text(node).replace(/\s+/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const value = parseNumber(text.replace(/^[+-]/, ''));
    if (value === undefined)
      throw parseError(`bad number or duration syntax: ${JSON.stringify(text)}`, node.from, node.to);
    return sign * value;
  }

  private string(node: SyntaxNode): string {
    const value = unquoteString(this.text(node));
    if (value === undefined) throw parseError(`invalid string literal ${this.text(node)}`, node.from, node.to);
    return value;
  }

  private duration(node: SyntaxNode): number {
    if (node.name === 'OffsetDurationExpr' || node.name === 'DurationExpr') {
      const kids = children(node);
      if (kids.length === 1 && kids[0]) return this.duration(kids[0]);
      if (kids.length === 2 && kids[0]?.name === 'UnaryOp' && kids[1]) {
        const inner = this.duration(kids[1]);
        return this.text(kids[0]) === '-' ? -inner : inner;
      }
      throw unsupported('duration arithmetic (Prometheus 3)', node.from, node.to);
    }
    if (node.name !== 'NumberDurationLiteralInDurationContext') {
      throw unsupported(`duration expression ${this.text(node)}`, node.from, node.to);
    }
    const ms = parseDuration(this.text(node));
    if (ms === undefined)
      throw parseError(`bad duration syntax: ${JSON.stringify(this.text(node))}`, node.from, node.to);
    return ms;
  }

  private unary(node: SyntaxNode): Expr {
    const op = this.text(node.getChild('UnaryOp') as SyntaxNode) === '-' ? '-' : '+';
    const inner = this.expr(this.only(node));
    checkUnary(inner, node);
    if (inner.kind === 'number') return { kind: 'number', value: op === '-' ? -inner.value : inner.value };
    return { kind: 'unary', op, expr: inner };
  }

  private vectorSelector(node: SyntaxNode): VectorSelector {
    const matchers: Matcher[] = [];
    const nameNode = node.getChild('Identifier');
    const list = node.getChild('LabelMatchers');
    for (const m of list ? children(list) : []) matchers.push(this.matcher(m));
    if (nameNode) {
      if (matchers.some((m) => m.name === '__name__')) {
        throw parseError('metric name must not be set twice', node.from, node.to);
      }
      matchers.push({ name: '__name__', type: '=', value: this.text(nameNode) });
    }
    if (matchers.every(matchesEmpty)) {
      throw parseError('vector selector must contain at least one non-empty matcher', node.from, node.to);
    }
    return { kind: 'vector-selector', matchers, offset: 0 };
  }

  private matcher(node: SyntaxNode): Matcher {
    if (node.name === 'QuotedLabelName') throw unsupported('quoted metric names (Prometheus 3)', node.from, node.to);
    const nameNode = node.firstChild as SyntaxNode;
    if (node.name === 'QuotedLabelMatcher') throw unsupported('quoted label names (Prometheus 3)', node.from, node.to);
    const opNode = node.getChild('MatchOp')?.firstChild;
    const valueNode = node.getChild('StringLiteral');
    if (!opNode || !valueNode) throw parseError('malformed label matcher', node.from, node.to);
    const matcher: Matcher = {
      name: this.text(nameNode),
      type: MATCH_TYPES[opNode.name] as MatchType,
      value: this.string(valueNode),
    };
    if (matcher.type === '=~' || matcher.type === '!~') {
      try {
        compileAnchoredRegex(matcher.value);
      } catch (err) {
        if (err instanceof RegexSyntaxError) throw parseError(err.message, valueNode.from, valueNode.to);
        throw err;
      }
    }
    return matcher;
  }

  /**
   * lezer's grammar binds `offset`, `@`, `[range]` and `[range:step]` to the whole expression before them
   * (`a - b offset 5m`); Prometheus binds them to the operand right before them. This moves them there.
   */
  private postfix(inner: Expr, node: SyntaxNode, apply: (operand: Expr) => Expr): Expr {
    if (inner.kind === 'binary') {
      const rhs = this.postfix(inner.rhs, node, apply);
      return checkBinary({ ...inner, rhs, matching: inner.matching }, node, node);
    }
    if (inner.kind === 'unary') {
      const operand = this.postfix(inner.expr, node, apply);
      checkUnary(operand, node);
      return { ...inner, expr: operand };
    }
    return apply(inner);
  }

  private matrixSelector(node: SyntaxNode): Expr {
    const range = this.duration(node.getChild('DurationExpr') as SyntaxNode);
    return this.postfix(this.expr(this.only(node)), node, (inner) => this.rangeOf(inner, range, node));
  }

  private rangeOf(inner: Expr, range: number, node: SyntaxNode): Expr {
    if (inner.kind !== 'vector-selector') {
      throw parseError('ranges only allowed for vector selectors', node.from, node.to);
    }
    if (inner.offset !== 0 || inner.at) {
      throw parseError('no offset or @ modifiers allowed before range', node.from, node.to);
    }
    return { kind: 'matrix-selector', selector: inner, range };
  }

  private subquery(node: SyntaxNode): Expr {
    const durations = node.getChildren('DurationExpr');
    const range = this.duration(durations[0] as SyntaxNode);
    const step = durations[1] ? this.duration(durations[1]) : 0;
    return this.postfix(this.expr(this.only(node)), node, (inner): Subquery => {
      checkSubquery(inner, range, step, node);
      return { kind: 'subquery', expr: inner, range, step, offset: 0 };
    });
  }

  private offset(node: SyntaxNode): Expr {
    const ms = this.duration(node.getChild('OffsetDurationExpr') as SyntaxNode);
    return this.postfix(this.expr(this.only(node)), node, (inner) => this.offsetOf(inner, ms, node));
  }

  private offsetOf(inner: Expr, ms: number, node: SyntaxNode): Expr {
    const fail = () => parseError('offset may not be set multiple times', node.from, node.to);
    switch (inner.kind) {
      case 'vector-selector':
        if (inner.offset !== 0) throw fail();
        return { ...inner, offset: ms };
      case 'matrix-selector':
        if (inner.selector.offset !== 0) throw fail();
        return { ...inner, selector: { ...inner.selector, offset: ms } };
      case 'subquery':
        if (inner.offset !== 0) throw fail();
        return { ...inner, offset: ms };
      default:
        throw parseError(
          'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
          node.from,
          node.to,
        );
    }
  }

  private at(node: SyntaxNode): Expr {
    const pre = node.getChild('AtModifierPreprocessors');
    let at: AtModifier;
    if (pre) at = { kind: pre.getChild('AtStart') ? 'start' : 'end' };
    else {
      const literal = node.getChild('NumberDurationLiteral') as SyntaxNode;
      const seconds = this.number(literal);
      if (!Number.isFinite(seconds) || Math.abs(seconds) >= 9.2e15) {
        throw parseError('timestamp out of bounds for @ modifier', literal.from, literal.to);
      }
      at = { kind: 'time', ms: Math.round(seconds * 1000) };
    }
    return this.postfix(this.expr(this.only(node)), node, (inner) => this.atOf(inner, at, node));
  }

  private atOf(inner: Expr, at: AtModifier, node: SyntaxNode): Expr {
    const fail = () => parseError('@ <timestamp> may not be set multiple times', node.from, node.to);
    switch (inner.kind) {
      case 'vector-selector':
        if (inner.at) throw fail();
        return { ...inner, at };
      case 'matrix-selector':
        if (inner.selector.at) throw fail();
        return { ...inner, selector: { ...inner.selector, at } };
      case 'subquery':
        if (inner.at) throw fail();
        return { ...inner, at };
      default:
        throw parseError(
          '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
          node.from,
          node.to,
        );
    }
  }

  private binary(node: SyntaxNode): Expr {
    const [lhsNode, rhsNode] = exprChildren(node);
    const opNode = children(node).find((c) => c.name in BINARY_OPS || c.name === 'TrimUpper' || c.name === 'TrimLower');
    if (!lhsNode || !rhsNode || !opNode) throw parseError('malformed binary expression', node.from, node.to);
    const op = BINARY_OPS[opNode.name];
    if (!op) throw unsupported(`the ${this.text(opNode)} operator (Prometheus 3)`, opNode.from, opNode.to);
    if (node.getChild('FillModifier')) throw unsupported('fill modifiers (Prometheus 3)', node.from, node.to);
    const lhs = this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    const sign = this.text(lhsNode).trim()[0];
    if (
      op === '^' &&
      lhsNode.name === 'NumberDurationLiteral' &&
      (sign === '-' || sign === '+') &&
      lhs.kind === 'number'
    ) {
      // lezer reads `-2 ^ 2` as (-2) ^ 2; in PromQL the sign applies after the power: -(2 ^ 2).
      const power = this.binaryOf(node, opNode, { kind: 'number', value: Math.abs(lhs.value) }, rhs, op);
      return { kind: 'unary', op: sign, expr: power };
    }
    return this.binaryOf(node, opNode, lhs, rhs, op);
  }

  private binaryOf(node: SyntaxNode, opNode: SyntaxNode, lhs: Expr, rhs: Expr, op: BinaryOp): Binary {
    const returnBool = node.getChild('BoolModifier') !== null;
    const clause = node.getChild('MatchingModifierClause');
    const matching = clause ? this.matching(clause) : undefined;
    return checkBinary({ kind: 'binary', op, lhs, rhs, returnBool, matching }, node, opNode);
  }

  private matching(clause: SyntaxNode): VectorMatching {
    const lists = clause.getChildren('GroupingLabels').map((g) => this.labelList(g));
    const left = clause.getChild('GroupLeft') !== null;
    const right = clause.getChild('GroupRight') !== null;
    return {
      card: left ? 'many-to-one' : right ? 'one-to-many' : 'one-to-one',
      on: clause.getChild('On') !== null,
      labels: lists[0] ?? [],
      include: lists[1] ?? [],
    };
  }

  private labelList(node: SyntaxNode): string[] {
    return children(node).map((c) => {
      if (c.name !== 'LabelName') throw unsupported('quoted label names (Prometheus 3)', c.from, c.to);
      return this.text(c);
    });
  }

  private aggregate(node: SyntaxNode): Expr {
    const opText = this.text(node.getChild('AggregateOp') as SyntaxNode).toLowerCase();
    if (!AGGREGATE_OPS.has(opText)) throw unsupported(`the ${opText} aggregation (Prometheus 3)`, node.from, node.to);
    const op = opText as AggregateOp;
    const modifier = node.getChild('AggregateModifier');
    const grouping = modifier ? this.labelList(modifier.getChild('GroupingLabels') as SyntaxNode) : [];
    const without = modifier?.getChild('Without') != null;
    const args = exprChildren(node.getChild('FunctionCallBody') as SyntaxNode).map((a) => this.expr(a));
    return checkAggregate(op, args, grouping, without, node);
  }

  private call(node: SyntaxNode): Expr {
    const func = this.text(node.getChild('FunctionIdentifier') as SyntaxNode);
    const args = exprChildren(node.getChild('FunctionCallBody') as SyntaxNode).map((a) => this.expr(a));
    return checkCall(func, args, node);
  }
}
