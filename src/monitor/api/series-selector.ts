import { parser } from '@prometheus-io/lezer-promql';
import { matchesEmpty } from '../../promql/matchers.ts';
import { compileAnchoredRegex } from '../../promql/regex.ts';
import type { Matcher, MatchType } from '../../promql/types.ts';
import { BadDataError } from './params.ts';

/**
 * A series selector (`match[]` of /api/v1/series, /labels, /federate) as label matchers: `up`,
 * `redis_up{instance=~"redis://.*"}`, `{__name__=~"redis_.*"}`. Parsed with lezer-promql's grammar; anything
 * that is not a lone vector selector is refused, as Prometheus refuses it.
 */
export function parseSeriesSelector(text: string, param = 'match[]'): Matcher[] {
  const fail = (why: string): never => {
    throw new BadDataError(`invalid parameter ${JSON.stringify(param)}: ${why}`);
  };
  const tree = parser.parse(text);
  const top = tree.topNode.firstChild;
  let broken = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) broken = true;
    },
  });
  if (broken || !top) fail(`1:1: parse error: could not parse ${JSON.stringify(text)} as a series selector`);
  const selector = top as NonNullable<typeof top>;
  if (selector.name !== 'VectorSelector' || selector.nextSibling)
    fail(`1:1: parse error: ${JSON.stringify(text)} is not a series selector (a metric name and/or {label matchers})`);
  const matchers: Matcher[] = [];
  for (let c = selector.firstChild; c; c = c.nextSibling) {
    if (c.name === 'Identifier') matchers.push({ name: '__name__', type: '=', value: text.slice(c.from, c.to) });
    if (c.name !== 'LabelMatchers') continue;
    for (let m = c.firstChild; m; m = m.nextSibling) {
      if (m.name === 'QuotedLabelName') {
        // `{"metric_name"}`: the metric name, quoted (UTF-8 names, Prometheus 3).
        const lit = m.getChild('StringLiteral');
        if (lit) matchers.push({ name: '__name__', type: '=', value: unquote(text.slice(lit.from, lit.to)) });
        continue;
      }
      if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
      const nameNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName')?.getChild('StringLiteral');
      const op = m.getChild('MatchOp');
      const lits = m.getChildren('StringLiteral');
      const value = lits[lits.length - 1];
      if (!nameNode || !op || !value)
        fail(`1:1: parse error: a label matcher of ${JSON.stringify(text)} is incomplete`);
      const rawName = text.slice(nameNode!.from, nameNode!.to);
      matchers.push({
        name: nameNode!.name === 'StringLiteral' ? unquote(rawName) : rawName,
        type: text.slice(op!.from, op!.to) as MatchType,
        value: unquote(text.slice(value!.from, value!.to)),
      });
    }
  }
  for (const m of matchers)
    if (m.type === '=~' || m.type === '!~') {
      try {
        compileAnchoredRegex(m.value);
      } catch {
        fail(`1:1: parse error: invalid regular expression ${JSON.stringify(m.value)} for label ${m.name}`);
      }
    }
  if (!matchers.some((m) => !matchesEmpty(m))) fail('match[] must contain at least one non-empty matcher');
  return matchers;
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** A PromQL string literal's value: Go's rules for "…" and '…' (escapes), `…` raw. */
export function unquote(lit: string): string {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    if (e.length === 1) {
      const v = ESCAPES[e];
      if (v === undefined) throw new BadDataError(`invalid escape sequence \\${e} in ${lit}`);
      return v;
    }
    if (e[0] === 'x') return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    return String.fromCharCode(Number.parseInt(e, 8));
  });
}
