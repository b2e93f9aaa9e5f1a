import { PromqlError } from '../../promql/errors.ts';
import { parsePromql } from '../../promql/parse.ts';
import type { Matcher } from '../../promql/types.ts';
import { BadDataError } from './params.ts';

/**
 * A series selector (`match[]` of /api/v1/series, /labels, /federate) as label matchers: `up`,
 * `redis_up{instance=~"redis://.*"}`, `{__name__=~"redis_.*"}`. Parsed by the PromQL parser the queries use (its
 * matchers, regular expressions and "at least one non-empty matcher" rule); anything that is not a lone vector
 * selector is refused, as Prometheus refuses it.
 */
export function parseSeriesSelector(text: string, param = 'match[]'): Matcher[] {
  const fail = (why: string): never => {
    throw new BadDataError(`invalid parameter ${JSON.stringify(param)}: ${why}`);
  };
  let expr: ReturnType<typeof parsePromql>;
  try {
    expr = parsePromql(text);
  } catch (err) {
    if (err instanceof PromqlError) fail(err.message);
    throw err;
  }
  if (expr.kind === 'vector-selector' && expr.offset === 0 && !expr.at) return [...expr.matchers];
  return fail(`${JSON.stringify(text)} is not a series selector (a metric name and/or {label matchers})`);
}
