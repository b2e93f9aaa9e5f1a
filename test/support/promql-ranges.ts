/**
 * The function calls and `[…]` brackets (ranges, subqueries) of a PromQL expression, for the dashboard's
 * `$__rate_interval` checks. Metric names and matchers come from src/catalog/promql-names.ts; this scanner only
 * skips strings and label matchers so that a `[` or `(` inside them is not mistaken for syntax.
 */

export interface RangesAndCalls {
  /** Contents of every `[…]`: range selectors and subqueries. */
  ranges: string[];
  /** Identifiers called as functions or used as aggregations (rate, sum, topk, time …). */
  functions: string[];
}

/** Aggregation operators, which may be followed by `by (…)` before their parenthesis. */
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  if (i >= expr.length) throw new Error(`unclosed string at ${start} in ${expr}`);
  return i + 1;
}

/** Index just past the `close` that ends the bracket opened at `start`, skipping strings. */
function skipBracket(expr: string, start: number, close: string): number {
  let i = start + 1;
  while (i < expr.length && expr[i] !== close) i = /["'`]/.test(expr[i]) ? skipString(expr, i) : i + 1;
  if (i >= expr.length) throw new Error(`unclosed ${expr[start]} at ${start} in ${expr}`);
  return i + 1;
}

export function rangesAndCalls(expr: string): RangesAndCalls {
  const out: RangesAndCalls = { ranges: [], functions: [] };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/["'`]/.test(c)) {
      i = skipString(expr, i);
    } else if (c === '{') {
      i = skipBracket(expr, i, '}');
    } else if (c === '[') {
      const end = skipBracket(expr, i, ']');
      out.ranges.push(expr.slice(i + 1, end - 1));
      i = end;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))![0];
      i += word.length;
      const next = /^\s*(.)/.exec(expr.slice(i))?.[1];
      if (next === '(' || AGGREGATIONS.has(word.toLowerCase())) out.functions.push(word);
    } else {
      i++;
    }
  }
  return out;
}
