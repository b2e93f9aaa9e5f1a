import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { renderText, TEXT_CONTENT_TYPE } from '../../metrics/exposition.ts';
import type { MetricFamily } from '../../metrics/family.ts';
import { type ApiCredentials, authorized, challenges } from './auth.ts';
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
const MAX_URL_CHARS = 64 * 1024;

type Handler = (p: URLSearchParams, ctx: ApiContext) => unknown;

export interface ApiServerOptions {
  ctx: ApiContext;
  credentials: ApiCredentials;
  version: string;
  /** redoubt's own metrics for /metrics. */
  selfFamilies(): MetricFamily[];
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** GET's query string, and for a form POST its body first (Go's FormValue prefers the body). */
async function requestParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams();
  if (req.method === 'POST') {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const body = await readBody(req);
    if (type === 'application/x-www-form-urlencoded')
      for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
  }
  for (const [k, v] of url.searchParams) params.append(k, v);
  let n = 0;
  for (const _ of params.keys()) if (++n > MAX_PARAMS) throw new HttpError(400, `more than ${MAX_PARAMS} parameters`);
  return params;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, type: string): void {
  let payload = Buffer.from(body);
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
  if (payload.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    payload = gzipSync(payload);
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  headers['Content-Length'] = payload.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

const JSON_TYPE = 'application/json';

interface Answer {
  status: number;
  body: string;
  type: string;
}

const TEXT = 'text/plain; charset=utf-8';

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
    const name = decodeURIComponent(values[1]);
    return {
      name: '/api/v1/label/:name/values',
      answer: (p) => jsonAnswer((q, ctx) => meta.labelValues(name, q, ctx), p, o.ctx),
    };
  }
  const handler = routes[path];
  return handler ? { name: path, answer: (p) => jsonAnswer(handler, p, o.ctx) } : undefined;
}

/** Answers one request; returns the name it is counted under. */
async function answerRequest(
  req: IncomingMessage,
  res: ServerResponse,
  o: ApiServerOptions,
  routes: Record<string, Handler>,
  counters: ApiCounters,
): Promise<string> {
  const raw = req.url ?? '/';
  if (raw.length > MAX_URL_CHARS) throw new HttpError(414, 'request URL too long');
  const url = new URL(raw, 'http://redoubt');
  if (url.pathname === '/-/healthy' || url.pathname === '/-/ready') {
    send(req, res, 200, 'redoubt is Healthy.\n', TEXT);
    return 'health';
  }
  if (!authorized(req.headers.authorization, o.credentials)) {
    counters.unauthorized++;
    res.setHeader('WWW-Authenticate', challenges(o.credentials));
    send(req, res, 401, 'Unauthorized\n', TEXT);
    return 'unauthorized';
  }
  if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, POST, HEAD');
    throw new HttpError(405, `method ${req.method} not allowed`);
  }
  const endpoint = endpointFor(url.pathname, o, routes);
  if (!endpoint) {
    send(req, res, 404, '404 page not found\n', TEXT);
    return 'other';
  }
  const a = endpoint.answer(await requestParams(req, url));
  send(req, res, a.status, a.body, a.type);
  return endpoint.name;
}

/**
 * Prometheus's HTTP API over node:http: GET and form POST, its JSON shapes and error types, /metrics with
 * redoubt's own metrics, /federate, /-/healthy and /-/ready (without credentials, as Prometheus's). Every other
 * path asks for the configured credentials.
 */
export function createApiServer(o: ApiServerOptions, counters: ApiCounters): Server {
  const routes = apiRoutes(o.version);
  const server = createServer(async (req, res) => {
    const started = performance.now();
    let name = 'other';
    try {
      name = await answerRequest(req, res, o, routes, counters);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 400;
      if (!res.headersSent) send(req, res, status, errorBody('bad_data', (err as Error).message), JSON_TYPE);
    } finally {
      counters.requests.set(name, (counters.requests.get(name) ?? 0) + 1);
      const seconds = (performance.now() - started) / 1000;
      counters.durationSeconds.set(name, (counters.durationSeconds.get(name) ?? 0) + seconds);
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.maxHeadersCount = 100;
  server.maxConnections = 512;
  return server;
}
