import { gzipSync } from 'node:zlib';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { renderText, TEXT_CONTENT_TYPE } from '../../metrics/exposition.ts';
import type { MetricFamily } from '../../metrics/family.ts';
import { BodyTooLargeError, readBoundedBody } from './bounded-body.ts';
import type { ApiContext } from './context.ts';
import { classify } from './errors.ts';
import { federate } from './federate.ts';
import { ERROR_STATUS, errorBody, successBody } from './format.ts';
import * as meta from './meta-handlers.ts';
import { instantQuery, rangeQuery } from './query-handlers.ts';

/** A form body larger than this is refused (413): a query of the longest length fits many times over. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** More parameters than this is not a request Grafana or a script sends. */
const MAX_PARAMS = 1000;

type Handler = (p: URLSearchParams, ctx: ApiContext) => unknown;

export interface ApiServerOptions {
  ctx: ApiContext;
  version: string;
  /** redoubt's own metrics for /metrics. */
  selfFamilies(): MetricFamily[];
  /** Headers every answer of the API carries (the console's security headers), set when it is made. */
  headers?: Record<string, string>;
}

/** Requests and their durations by handler, for redoubt_api_* self metrics. */
export interface ApiCounters {
  requests: Map<string, number>;
  durationSeconds: Map<string, number>;
  unauthorized: number;
}

export function apiRoutes(version: string): Record<string, Handler> {
  return {
    '/api/v1/query': instantQuery,
    '/api/v1/query_range': rangeQuery,
    '/api/v1/series': meta.series,
    '/api/v1/labels': meta.labelNames,
    '/api/v1/metadata': meta.metadata,
    '/api/v1/targets': meta.targets,
    '/api/v1/rules': meta.rules,
    '/api/v1/alerts': meta.alerts,
    '/api/v1/query_exemplars': () => [],
    '/api/v1/status/buildinfo': () => meta.buildInfo(version),
  };
}

/** A refusal of the request itself (its size, its method, its parameters), answered in Prometheus's error shape. */
export class ApiHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiHttpError';
  }
}

/** GET's query string, and for a form POST its body first (Go's FormValue prefers the body). */
async function requestParams(req: Request, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams();
  if (req.method === 'POST') {
    const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    let body: Buffer;
    try {
      body = await readBoundedBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new ApiHttpError(413, err.message);
      throw err;
    }
    if (type === 'application/x-www-form-urlencoded')
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  }
  for (const [k, v] of url.searchParams) params.append(k, v);
  let n = 0;
  for (const _ of params.keys())
    if (++n > MAX_PARAMS) throw new ApiHttpError(400, `more than ${MAX_PARAMS} parameters`);
  return params;
}

const JSON_TYPE = 'application/json';
const TEXT = 'text/plain; charset=utf-8';

/**
 * A request header, read from node's parsed IncomingMessage when there is one (under @hono/node-server): asking
 * the Request for it builds a whole Headers object per request.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const headers = (c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)
    ?.incoming?.headers;
  if (!headers) return c.req.header(name);
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Set on the context when an answer already carries ApiServerOptions.headers. */
export const HEADERS_SET = 'apiHeadersSet';

/**
 * An answer as the node:http API sent it: no-store, gzip over 1 KiB when asked for, an exact Content-Length, and
 * the fixed headers, in one plain object (the cheapest way through @hono/node-server).
 */
export function apiResponse(
  c: Context,
  status: number,
  body: string,
  type: string,
  fixed?: Record<string, string>,
): Response {
  let payload: Buffer = Buffer.from(body);
  const headers: Record<string, string> = { ...fixed, 'Content-Type': type, 'Cache-Control': 'no-store' };
  if (payload.length > 1024 && /\bgzip\b/.test(requestHeader(c, 'accept-encoding') ?? '')) {
    payload = gzipSync(payload);
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  headers['Content-Length'] = String(payload.length);
  if (fixed) c.set(HEADERS_SET as never, true as never);
  return new Response(c.req.method === 'HEAD' ? null : payload, { status, headers });
}

interface Answer {
  status: number;
  body: string;
  type: string;
}

/** An API handler's answer: its data, or its error in Prometheus's JSON shape. */
function jsonAnswer(handler: Handler, params: URLSearchParams, ctx: ApiContext): Answer {
  try {
    return { status: 200, body: successBody(handler(params, ctx)), type: JSON_TYPE };
  } catch (err) {
    const { errorType, message } = classify(err);
    return { status: ERROR_STATUS[errorType], body: errorBody(errorType, message), type: JSON_TYPE };
  }
}

function federateAnswer(params: URLSearchParams, ctx: ApiContext): Answer {
  try {
    return { status: 200, body: federate(params, ctx.queryable, ctx.now()), type: TEXT_CONTENT_TYPE };
  } catch (err) {
    const { errorType, message } = classify(err);
    return { status: ERROR_STATUS[errorType], body: `${message}\n`, type: TEXT };
  }
}

/** What answers a path (after authentication), and the name it is counted under; undefined for 404. */
function endpointFor(
  path: string,
  o: ApiServerOptions,
  routes: Record<string, Handler>,
): { name: string; answer(params: URLSearchParams): Answer } | undefined {
  if (path === '/metrics')
    return { name: path, answer: () => ({ status: 200, body: renderText(o.selfFamilies()), type: TEXT_CONTENT_TYPE }) };
  if (path === '/federate') return { name: path, answer: (p) => federateAnswer(p, o.ctx) };
  const values = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
  if (values) {
    let name: string;
    try {
      name = decodeURIComponent(values[1]);
    } catch {
      throw new ApiHttpError(400, 'invalid label name encoding');
    }
    return {
      name: '/api/v1/label/:name/values',
      answer: (p) => jsonAnswer((q, ctx) => meta.labelValues(name, q, ctx), p, o.ctx),
    };
  }
  const handler = routes[path];
  return handler ? { name: path, answer: (p) => jsonAnswer(handler, p, o.ctx) } : undefined;
}

/** Counts each request under its handler's name, with its duration. */
function counting(counters: ApiCounters): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const name = (c.get('apiHandler' as never) as string | undefined) ?? 'other';
      counters.requests.set(name, (counters.requests.get(name) ?? 0) + 1);
      const seconds = (performance.now() - started) / 1000;
      counters.durationSeconds.set(name, (counters.durationSeconds.get(name) ?? 0) + seconds);
    }
  };
}

/** The error of a refused request in Prometheus's shape (bad_data, with the refusal's status). */
export function apiErrorResponse(c: Context, err: unknown, fixed?: Record<string, string>): Response {
  const status = err instanceof ApiHttpError ? err.status : 400;
  const allow = status === 405 ? { ...fixed, Allow: 'GET, POST, HEAD' } : fixed;
  return apiResponse(c, status, errorBody('bad_data', (err as Error).message), JSON_TYPE, allow);
}

/**
 * Prometheus's HTTP API on the app: GET and form POST, its JSON shapes and error types, /metrics with redoubt's
 * own metrics, /federate, /-/healthy and /-/ready (without credentials, as Prometheus's). Every other path goes
 * through `guard` first (the console's session or the bearer token).
 */
export function mountPrometheusApi(
  app: Hono,
  o: ApiServerOptions,
  counters: ApiCounters,
  guard: MiddlewareHandler,
): void {
  const routes = apiRoutes(o.version);
  const count = counting(counters);
  app.on(['GET', 'HEAD'], ['/-/healthy', '/-/ready'], count, (c) => {
    c.set('apiHandler' as never, 'health' as never);
    return apiResponse(c, 200, 'redoubt is Healthy.\n', TEXT, o.headers);
  });
  const answer = async (c: Context) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD')
      throw new ApiHttpError(405, `method ${method} not allowed`);
    const url = new URL(c.req.url);
    const endpoint = endpointFor(url.pathname, o, routes);
    if (!endpoint) return apiResponse(c, 404, '404 page not found\n', TEXT, o.headers);
    c.set('apiHandler' as never, endpoint.name as never);
    const a = endpoint.answer(await requestParams(c.req.raw, url));
    return apiResponse(c, a.status, a.body, a.type, o.headers);
  };
  for (const path of ['/api/v1/*', '/federate', '/metrics'])
    app.all(path, count, guard, async (c) => {
      try {
        return await answer(c);
      } catch (err) {
        return apiErrorResponse(c, err, o.headers);
      }
    });
}
