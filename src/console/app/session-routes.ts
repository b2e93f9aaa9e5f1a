/**
 * The app's own routes: POST /console/api/login, POST /console/api/logout, GET /console/api/session. A login is
 * throttled per client address and per user, costs one scrypt whether or not the user exists (a dummy hash for an
 * unknown one) and answers the same 401 for an unknown user and a wrong password.
 */
import type { Context, Hono } from 'hono';
import type { AuditLog } from '../audit/audit-log.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { generatePassword, hashPassword, MAX_PASSWORD_CHARS, verifyPassword } from '../auth/password-hash.ts';
import type { SessionInfo } from '../contract.ts';
import { ConsoleHttpError } from '../contract.ts';
import { clientAddress, cookieName, crossSiteProblem, csrfProblem, type Gate, sessionOf } from './gate.ts';
import { JsonBodyError, jsonError, readJsonBody } from './json-answer.ts';

export interface SessionRouteOptions {
  gate: Gate;
  throttle: LoginThrottle;
  audit: AuditLog;
  absoluteMs: number;
}

const WRONG = 'wrong user or password';
/**
 * Password checks running or waiting at once: each takes 32 MiB and a libuv thread for tens of milliseconds, so a
 * flood of logins from many addresses gets 503 beyond this instead of starving the rest of the process.
 */
const MAX_PENDING_CHECKS = 16;
let pendingChecks = 0;

function setSessionCookie(c: Context, g: Gate, id: string, maxAgeSeconds: number): void {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (g.tls) attrs.push('Secure');
  c.header('Set-Cookie', `${cookieName(g.tls)}=${id}; ${attrs.join('; ')}`, { append: true });
}

function credentialsOf(body: unknown): { user: string; password: string } {
  const b = body as { user?: unknown; password?: unknown } | undefined;
  if (typeof b?.user !== 'string' || typeof b.password !== 'string')
    throw new ConsoleHttpError(400, 'send { "user": "…", "password": "…" }');
  return { user: b.user.slice(0, 64), password: b.password.slice(0, MAX_PASSWORD_CHARS + 1) };
}

async function login(c: Context, o: SessionRouteOptions, dummy: Promise<string>): Promise<Response> {
  const address = clientAddress(c);
  const record = (user: string, outcome: 'ok' | 'denied' | 'failed', detail: string) =>
    o.audit.write({ user, clientAddress: address, action: 'login', target: '', outcome, detail });
  const cross = crossSiteProblem(c);
  if (cross) {
    record('', 'denied', cross);
    return jsonError(c, 403, `refused: ${cross}`);
  }
  const { user, password } = credentialsOf(await readJsonBody(c));
  const known = o.gate.users.find(user);
  const wait = o.throttle.waitMs(address, user);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    record(known ? user : '(unknown)', 'denied', `throttled for ${seconds} s`);
    c.header('Retry-After', String(seconds));
    return jsonError(c, 429, `too many failed logins: try again in ${seconds} s`);
  }
  if (pendingChecks >= MAX_PENDING_CHECKS) {
    c.header('Retry-After', '1');
    return jsonError(c, 503, 'too many logins at once: try again in a second');
  }
  // The same work for an unknown user as for a known one: one scrypt, then the same answer.
  pendingChecks++;
  let ok: boolean;
  try {
    ok = await verifyPassword(password, known?.hash ?? (await dummy));
  } finally {
    pendingChecks--;
  }
  if (!known || !ok) {
    o.throttle.failed(address, user);
    record(known ? user : '(unknown)', 'failed', WRONG);
    return jsonError(c, 401, WRONG);
  }
  o.throttle.succeeded(address, user);
  // A new id at every login (an id planted before it is worth nothing); the old session of this browser ends.
  o.gate.sessions.delete(sessionOf(c, o.gate)?.id);
  const { id, session } = o.gate.sessions.create(known.name, known.stamp);
  setSessionCookie(c, o.gate, id, Math.floor(o.absoluteMs / 1000));
  record(known.name, 'ok', '');
  const info: SessionInfo = {
    user: known.name,
    role: known.role,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
  return c.json(info);
}

async function logout(c: Context, o: SessionRouteOptions): Promise<Response> {
  const s = sessionOf(c, o.gate);
  if (!s) return jsonError(c, 401, 'not logged in');
  const problem = csrfProblem(c, s.session);
  const address = clientAddress(c);
  if (problem) {
    o.audit.write({
      user: s.principal.user,
      clientAddress: address,
      action: 'logout',
      target: '',
      outcome: 'denied',
      detail: problem,
    });
    return jsonError(c, 403, `refused: ${problem}`);
  }
  o.gate.sessions.delete(s.id);
  setSessionCookie(c, o.gate, '', 0);
  o.audit.write({
    user: s.principal.user,
    clientAddress: address,
    action: 'logout',
    target: '',
    outcome: 'ok',
    detail: '',
  });
  return c.body(null, 204);
}

function session(c: Context, g: Gate): Response {
  const s = sessionOf(c, g);
  if (!s) return jsonError(c, 401, 'not logged in');
  const info: SessionInfo = {
    user: s.principal.user,
    role: s.principal.role,
    csrfToken: s.session.csrfToken,
    expiresAt: s.session.expiresAt,
  };
  return c.json(info);
}

/** A ConsoleHttpError or body refusal as `{ error }` with its status; anything else is rethrown. */
export function refusal(c: Context, err: unknown): Response {
  if (err instanceof ConsoleHttpError || err instanceof JsonBodyError) return jsonError(c, err.status, err.message);
  throw err;
}

export function mountSessionRoutes(app: Hono, o: SessionRouteOptions): void {
  let dummy: Promise<string> | undefined;
  const dummyHash = () => {
    dummy ??= hashPassword(generatePassword());
    return dummy;
  };
  app.post('/console/api/login', (c) => login(c, o, dummyHash()).catch((err) => refusal(c, err)));
  app.post('/console/api/logout', (c) => logout(c, o).catch((err) => refusal(c, err)));
  app.get('/console/api/session', (c) => session(c, o.gate));
}
