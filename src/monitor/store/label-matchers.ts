import type { Matcher } from '../../promql/types.ts';

/** A matcher's regular expression does not compile; the message names it. */
export class MatcherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatcherError';
  }
}

/** Tests one label's value; an absent label is tested as '' (Prometheus: `{foo=""}` matches series without foo). */
export type ValueTest = (value: string) => boolean;

/**
 * A regex anchored at both ends, as Prometheus compiles it (`^(?:re)$`). Go's leading inline flags `(?i)`/`(?s)`,
 * which JavaScript's RegExp lacks, become RegExp flags.
 */
export function anchoredRegex(source: string): RegExp {
  let flags = '';
  let body = source;
  const inline = /^\(\?([is]+)\)/.exec(body);
  if (inline) {
    flags = [...new Set(inline[1])].join('');
    body = body.slice(inline[0].length);
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (err) {
    throw new MatcherError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

export function compileMatcher(m: Matcher): ValueTest {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = anchoredRegex(m.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = anchoredRegex(m.value);
      return (v) => !re.test(v);
    }
    default:
      throw new MatcherError(`unknown matcher type ${JSON.stringify(m.type)}`);
  }
}

/** Whether a whole label set satisfies every matcher. */
export function labelsMatch(labels: Readonly<Record<string, string>>, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => compileMatcher(m)(labels[m.name] ?? ''));
}
