/**
 * Mounts the data routes (src/console/data/routes.ts) with what the contract promises them: a principal (session
 * or API token) with at least the route's role, the CSRF check for POST/DELETE made with a session, a JSON body of
 * at most 64 KiB, ConsoleHttpError → its status and `{ error }`, and one audit line per call of an audited route.
 */
import type { Context, Hono } from 'hono';
import { bearerMatches } from '../../monitor/api/auth.ts';
import { requestHeader } from '../../monitor/api/server.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { ConsoleHttpError, type ConsoleRequest, type ConsoleRoute, type Principal, type Role } from '../contract.ts';
import { clientAddress, csrfProblem, type Gate, sessionOf } from './gate.ts';
import { JsonBodyError, jsonError, readJsonBody } from './json-answer.ts';

const RANK: Record<Role, number> = { viewer: 1, admin: 2 };

export interface DataRouteOptions<Deps> {
  gate: Gate;
  audit: AuditLog;
  deps: Deps;
  /** One line for an unexpected error (the request gets 500 "internal error"). */
  log(line: string): void;
}

type Outcome = 'ok' | 'denied' | 'failed';

/** The principal and, for a session, the CSRF problem of a state-changing request. */
function authenticate(c: Context, g: Gate, method: string): { principal?: Principal; csrf?: string } {
  if (bearerMatches(requestHeader(c, 'authorization'), g.credentials))
    return { principal: { user: 'api-token', role: 'admin', via: 'token' } };
  const s = sessionOf(c, g);
  if (!s) return {};
  return { principal: s.principal, csrf: method === 'GET' ? undefined : csrfProblem(c, s.session) };
}

function target<Deps>(route: ConsoleRoute<Deps>, req: ConsoleRequest): string {
  try {
    return route.auditTarget ? route.auditTarget(req) : Object.values(req.params).join(' ');
  } catch {
    return '';
  }
}

async function call<Deps>(c: Context, route: ConsoleRoute<Deps>, o: DataRouteOptions<Deps>): Promise<Response> {
  const { principal, csrf } = authenticate(c, o.gate, route.method);
  if (!principal) return jsonError(c, 401, 'not logged in');
  const req: ConsoleRequest = {
    principal,
    params: c.req.param() as Record<string, string>,
    query: new URL(c.req.url).searchParams,
    body: undefined,
    clientAddress: clientAddress(c),
  };
  const audit = (outcome: Outcome, detail: string) => {
    if (route.audit)
      o.audit.write({
        user: principal.user,
        clientAddress: req.clientAddress,
        action: route.audit,
        target: target(route, req),
        outcome,
        detail,
      });
  };
  if (RANK[principal.role] < RANK[route.role]) {
    audit('denied', `needs the ${route.role} role`);
    return jsonError(c, 403, `this needs the ${route.role} role`);
  }
  if (csrf) {
    audit('denied', csrf);
    return jsonError(c, 403, `refused: ${csrf}`);
  }
  try {
    if (route.method !== 'GET') req.body = await readJsonBody(c);
    const answer = await route.handle(req, o.deps);
    audit('ok', '');
    return c.json(answer as object);
  } catch (err) {
    if (err instanceof ConsoleHttpError || err instanceof JsonBodyError) {
      audit(err.status === 403 || err.status === 429 ? 'denied' : 'failed', `${err.status} ${err.message}`);
      return jsonError(c, err.status, err.message);
    }
    o.log(`${route.method} ${route.path}: ${(err as Error).message}`);
    audit('failed', '500 internal error');
    return jsonError(c, 500, 'internal error');
  }
}

export function mountDataRoutes<Deps>(app: Hono, routes: ConsoleRoute<Deps>[], o: DataRouteOptions<Deps>): void {
  for (const route of routes) app.on(route.method, route.path, (c) => call(c, route, o));
}
