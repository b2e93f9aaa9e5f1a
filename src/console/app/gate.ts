/**
 * Who is asking: a console session (its cookie), the API's bearer token, or — for the Prometheus API only, when no
 * token is configured and up listens on loopback — a local client. And the checks of a state-changing request:
 * same origin (Origin / Sec-Fetch-Site) and the session's CSRF token.
 */
import type { Context } from 'hono';
import { type ApiCredentials, bearerMatches, sameSecret } from '../../monitor/api/auth.ts';
import { requestHeader } from '../../monitor/api/server.ts';
import type { Session, SessionStore } from '../auth/sessions.ts';
import type { UserDirectory } from '../auth/user-directory.ts';
import type { Principal } from '../contract.ts';
import { normaliseAddress } from './allowlist.ts';

export interface Gate {
  tls: boolean;
  credentials: ApiCredentials;
  /** No API token and a loopback listener: local clients use the Prometheus API without credentials. */
  openLoopbackApi: boolean;
  users: UserDirectory;
  sessions: SessionStore;
}

export function cookieName(tls: boolean): string {
  return tls ? '__Host-redoubt-session' : 'redoubt-session';
}

export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return normaliseAddress(incoming?.socket?.remoteAddress);
}

/** The value of one cookie of the request, or undefined. */
export function cookieValue(c: Context, name: string): string | undefined {
  const header = requestHeader(c, 'cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface SessionPrincipal {
  principal: Principal;
  session: Session;
  id: string;
}

/** The live session of the request's cookie whose user still exists with the same password; else undefined. */
export function sessionOf(c: Context, g: Gate): SessionPrincipal | undefined {
  const id = cookieValue(c, cookieName(g.tls));
  const session = g.sessions.get(id);
  if (!session || !id) return undefined;
  const user = g.users.find(session.user);
  if (!user || user.stamp !== session.stamp) {
    g.sessions.delete(id);
    return undefined;
  }
  return { principal: { user: user.name, role: user.role, via: 'session' }, session, id };
}

/** The principal of a session or of the bearer token (an admin), else undefined. */
export function principalOf(c: Context, g: Gate): Principal | undefined {
  if (bearerMatches(requestHeader(c, 'authorization'), g.credentials))
    return { user: 'api-token', role: 'admin', via: 'token' };
  return sessionOf(c, g)?.principal;
}

function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.toLowerCase().replace(/:\d+$/, '');
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The Prometheus API's principal: the token, a session, or a local client when the API is open on loopback (and
 * the request names this machine in its Host header: a page of another site that rebinds its name to 127.0.0.1
 * gets nothing).
 */
export function apiPrincipalOf(c: Context, g: Gate): Principal | undefined {
  const p = principalOf(c, g);
  if (p) return p;
  if (g.openLoopbackApi && isLoopbackHostHeader(requestHeader(c, 'host')))
    return { user: 'loopback', role: 'viewer', via: 'loopback' };
  return undefined;
}

function withoutDefaultPort(hostPort: string): string {
  return hostPort.replace(/:(80|443)$/, '');
}

/** Why a state-changing request does not come from this console's own pages, or undefined when it does. */
export function crossSiteProblem(c: Context): string | undefined {
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  if (site === undefined && origin === undefined) return 'no Origin or Sec-Fetch-Site header';
  if (site !== undefined && site !== 'same-origin') return `a ${site.slice(0, 20)} request`;
  if (origin !== undefined) {
    // Host and port compared, not the scheme: a TLS-terminating proxy in front that keeps the Host header works.
    const host = withoutDefaultPort((requestHeader(c, 'host') ?? '').toLowerCase());
    const m = /^https?:\/\/([^/]+)$/.exec(origin.toLowerCase());
    if (!m || !host || withoutDefaultPort(m[1]) !== host) return 'the Origin is not this console';
  }
  return undefined;
}

/** The CSRF check of a POST/DELETE made with a session: same origin and the session's token. */
export function csrfProblem(c: Context, session: Session): string | undefined {
  const cross = crossSiteProblem(c);
  if (cross) return cross;
  const token = c.req.header('x-csrf-token');
  if (!token || !sameSecret(token, session.csrfToken)) return 'missing or wrong X-CSRF-Token';
  return undefined;
}
