/**
 * The one app `redoubt up` serves: the IP allowlist and the security headers around everything, then the
 * Prometheus API (/api/v1/…, /federate, /metrics: a session or the bearer token), the console's login and session
 * routes, its data routes, the audit log for admins, and the pages.
 */
import { Hono } from 'hono';
import { API_CHALLENGE } from '../../monitor/api/auth.ts';
import { type ApiCounters, type ApiServerOptions, apiResponse, mountPrometheusApi } from '../../monitor/api/server.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { AuditLogResponse, ConsoleRoute } from '../contract.ts';
import { ConsoleHttpError } from '../contract.ts';
import type { AllowList } from './allowlist.ts';
import { mountDataRoutes } from './data-routes.ts';
import { apiPrincipalOf, clientAddress, type Gate } from './gate.ts';
import { jsonError } from './json-answer.ts';
import { mountPages } from './pages.ts';
import { securityHeaders, securityHeaderValues } from './security-headers.ts';
import { mountSessionRoutes } from './session-routes.ts';
import type { StaticFiles } from './static-files.ts';

const MAX_URL_CHARS = 64 * 1024;

export interface ConsoleAppOptions<Deps> {
  api: ApiServerOptions;
  counters: ApiCounters;
  gate: Gate;
  allow: AllowList;
  throttle: LoginThrottle;
  audit: AuditLog;
  files: StaticFiles;
  sessionAbsoluteMs: number;
  routes: ConsoleRoute<Deps>[];
  deps: Deps;
  log(line: string): void;
}

/** GET /console/api/audit-log?limit=&before= for admins (not audited itself: reading it changes nothing). */
export function auditLogRoute(): ConsoleRoute<AuditLog> {
  return {
    method: 'GET',
    path: '/console/api/audit-log',
    role: 'admin',
    handle(req, log): AuditLogResponse {
      const limitText = req.query.get('limit') ?? '200';
      const beforeText = req.query.get('before');
      if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000)
        throw new ConsoleHttpError(400, 'limit must be 1-1000');
      if (beforeText !== null && !/^\d{1,15}$/.test(beforeText))
        throw new ConsoleHttpError(400, 'before must be a time in Unix milliseconds');
      return { entries: log.read(Number(limitText), beforeText === null ? undefined : Number(beforeText)) };
    },
  };
}

export function createConsoleApp<Deps>(o: ConsoleAppOptions<Deps>): Hono {
  const app = new Hono();
  const open = o.allow.entries.length === 0;
  app.use(async (c, next) => {
    if (!open && !o.allow.allows(clientAddress(c))) return c.text('403 forbidden: your address is not allowed\n', 403);
    if (c.req.url.length > MAX_URL_CHARS) return c.text('414 request URL too long\n', 414);
    await next();
  });
  app.use(securityHeaders(o.gate.tls));
  const fixed = securityHeaderValues(o.gate.tls);
  mountPrometheusApi(app, { ...o.api, headers: fixed }, o.counters, async (c, next) => {
    if (apiPrincipalOf(c, o.gate)) return next();
    o.counters.unauthorized++;
    c.set('apiHandler' as never, 'unauthorized' as never);
    const challenge = { ...fixed, 'WWW-Authenticate': API_CHALLENGE };
    return apiResponse(c, 401, 'Unauthorized\n', 'text/plain; charset=utf-8', challenge);
  });
  mountSessionRoutes(app, { gate: o.gate, throttle: o.throttle, audit: o.audit, absoluteMs: o.sessionAbsoluteMs });
  const dataOptions = { gate: o.gate, audit: o.audit, log: o.log };
  mountDataRoutes(app, [auditLogRoute()], { ...dataOptions, deps: o.audit });
  mountDataRoutes(app, o.routes, { ...dataOptions, deps: o.deps });
  app.all('/console/api/*', (c) => jsonError(c, 404, 'no such console route'));
  mountPages(app, o.gate, o.files);
  app.notFound((c) => c.text('404 page not found\n', 404));
  app.onError((err, c) => {
    o.log(`${c.req.method} ${new URL(c.req.url).pathname}: ${err.message}`);
    return c.text('500 internal error\n', 500);
  });
  return app;
}
