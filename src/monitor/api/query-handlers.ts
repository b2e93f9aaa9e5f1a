import type { PromqlEngine } from '../../promql/types.ts';
import { BoundedQueryable } from './bounded-queryable.ts';
import type { ApiContext } from './context.ts';
import { ApiError, classify } from './errors.ts';
import { queryData } from './format.ts';
import { BadDataError, invalidParam, optionalTime, parseDurationParam, parseTime } from './params.ts';

function engineOf(ctx: ApiContext): PromqlEngine {
  if (!ctx.engine) throw new ApiError('unavailable', 'this redoubt has no PromQL engine built in yet');
  return ctx.engine;
}

function queryText(p: URLSearchParams, ctx: ApiContext): string {
  const q = p.get('query') ?? '';
  if (q.length > ctx.limits.maxQueryLength)
    throw invalidParam(
      'query',
      `the query is ${q.length} characters long; redoubt accepts at most ${ctx.limits.maxQueryLength}`,
    );
  return q;
}

/** The evaluation's deadline: the server's limit, or the request's `timeout` when shorter. */
function deadline(p: URLSearchParams, ctx: ApiContext): number {
  let ms = ctx.limits.queryTimeoutMs;
  const t = p.get('timeout');
  if (t) ms = Math.min(ms, Math.max(0, parseDurationParam('timeout', t)));
  return ctx.now() + ms;
}

/** Runs the engine; its parse and type errors are about the `query` parameter, as Prometheus words them. */
function evaluate<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    const c = classify(err);
    if (c.errorType === 'bad_data' && !(err instanceof BadDataError))
      throw new ApiError('bad_data', `invalid parameter "query": ${c.message}`);
    throw err;
  }
}

/** /api/v1/query */
export function instantQuery(p: URLSearchParams, ctx: ApiContext): unknown {
  const query = queryText(p, ctx);
  const t = optionalTime(p, 'time', ctx.now());
  const q = new BoundedQueryable(ctx.queryable, deadline(p, ctx), ctx.limits.maxSamples, ctx.now);
  const engine = engineOf(ctx);
  return queryData(evaluate(() => engine.instantQuery(q, query, t, { checkpoint: () => q.check() })));
}

/** /api/v1/query_range */
export function rangeQuery(p: URLSearchParams, ctx: ApiContext): unknown {
  const query = queryText(p, ctx);
  const start = parseTime('start', p.get('start') ?? '');
  const end = parseTime('end', p.get('end') ?? '');
  if (end < start) throw invalidParam('end', 'end timestamp must not be before start time');
  const step = parseDurationParam('step', p.get('step') ?? '');
  if (!(step > 0))
    throw invalidParam(
      'step',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  // Go divides the durations as integers (nanoseconds): the quotient is truncated.
  if (Math.floor((end - start) / step) > ctx.limits.maxPointsPerSeries)
    throw new BadDataError(
      `exceeded maximum resolution of ${ctx.limits.maxPointsPerSeries.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  const q = new BoundedQueryable(ctx.queryable, deadline(p, ctx), ctx.limits.maxSamples, ctx.now);
  const engine = engineOf(ctx);
  return queryData(
    evaluate(() => engine.rangeQuery(q, query, start, end, Math.round(step), { checkpoint: () => q.check() })),
  );
}
