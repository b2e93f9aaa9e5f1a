/**
 * Alertmanager's label matchers (`alertname="RedisDown"`, `severity=~"warning|critical"`, `instance!="x"`), as
 * silences and inhibition rules use them: parsed from their text form, matched against an alert's labels (a missing
 * label is the empty string; regexes are fully anchored).
 */
import type { Labels } from '../../../promql/types.ts';

export type AmMatchType = '=' | '!=' | '=~' | '!~';

export interface AmMatcher {
  readonly name: string;
  readonly type: AmMatchType;
  readonly value: string;
}

export class MatcherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatcherError';
  }
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s,{}]*))\s*$/;
const compiled = new Map<string, RegExp>();

function regex(value: string): RegExp {
  let re = compiled.get(value);
  if (!re) {
    try {
      re = new RegExp(`^(?:${value})$`, 's');
    } catch (e) {
      throw new MatcherError(`invalid regular expression "${value}": ${(e as Error).message}`);
    }
    if (compiled.size < 1000) compiled.set(value, re);
  }
  return re;
}

/** Parses one matcher; throws MatcherError naming the text. */
export function parseAmMatcher(text: string): AmMatcher {
  const m = MATCHER.exec(text);
  if (!m)
    throw new MatcherError(
      `"${text}" is not a matcher; write name="value", name!="value", name=~"regex" or name!~"regex"`,
    );
  const value = m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : (m[4] ?? '');
  const matcher = { name: m[1], type: m[2] as AmMatchType, value };
  if (matcher.type === '=~' || matcher.type === '!~') regex(value);
  return matcher;
}

/** A matcher with the fields checked (from JSON, e.g. the silences API). */
export function checkAmMatcher(m: AmMatcher): AmMatcher {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) throw new MatcherError(`invalid label name "${m.name}"`);
  if (!['=', '!=', '=~', '!~'].includes(m.type)) throw new MatcherError(`invalid match type "${m.type}"`);
  if (typeof m.value !== 'string') throw new MatcherError(`the value of ${m.name} must be a string`);
  if (m.type === '=~' || m.type === '!~') regex(m.value);
  return { name: m.name, type: m.type, value: m.value };
}

export function matches(m: AmMatcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return regex(m.value).test(v);
    case '!~':
      return !regex(m.value).test(v);
  }
}

export function matchesAll(ms: readonly AmMatcher[], labels: Labels): boolean {
  return ms.every((m) => matches(m, labels));
}

export function formatAmMatcher(m: AmMatcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
