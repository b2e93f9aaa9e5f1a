/**
 * The console's contract: how its data routes plug into the app (server side: src/console/app/…), and the JSON
 * the pages (web/) read. Three parts are built against it at once: the app and its security (sessions, CSRF,
 * roles, audit log), the data behind the routes (src/console/data/…), and the pages. Change it in one commit that
 * every side follows.
 *
 * Paths: pages under `/` (`/login`, `/`, `/instances/:instance`, `/alerts`, `/security`, `/audit-log`), their
 * data under `/console/api/…` (below), the Prometheus API under `/api/v1/…`, `/metrics`, `/federate`, static
 * files under `/assets/…`. The pages draw panels through `/api/v1/query_range` with the session cookie.
 */

export type Role = 'viewer' | 'admin';

/** Who is asking, as the app established it. Never holds a password, token or session id. */
export interface Principal {
  user: string;
  role: Role;
  /** session: a console login; token/basic: API credentials (role admin for the API token, viewer for basic). */
  via: 'session' | 'token' | 'basic' | 'loopback';
}

/** One request to a data route, after authentication, role check and (for POST/DELETE) the CSRF check. */
export interface ConsoleRequest {
  principal: Principal;
  /** Path parameters (`:instance` → params.instance), already decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The parsed JSON body of POST/DELETE (at most 64 KiB), undefined for GET. Untrusted: validate it. */
  body: unknown;
  /** The client's address (after the allowlist), for the audit log. */
  clientAddress: string;
}

/** A refusal with the status it gets; the message is shown to the user, so it holds no secret. */
export class ConsoleHttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422 | 429 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleHttpError';
  }
}

/** A data route. The app mounts every one of them under its path with the role it needs. */
export interface ConsoleRoute<Deps> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Hono path syntax, e.g. `/console/api/instances/:instance`. */
  path: string;
  /** The least role allowed. Every POST/DELETE is also CSRF-checked by the app. */
  role: Role;
  /**
   * The audit log's action name for this route (every state-changing route has one): the app writes one line per
   * call with time, user, client address, action, target (`auditTarget`) and outcome (ok / the error's status).
   */
  audit?: string;
  /** What the audit line names as the object of the action (an instance, a silence id); never a secret. */
  auditTarget?: (req: ConsoleRequest) => string;
  /** The JSON answer (200), or throws ConsoleHttpError. */
  handle(req: ConsoleRequest, deps: Deps): unknown | Promise<unknown>;
}

// ---------------------------------------------------------------------------------------------------------------
// The JSON the pages read. Times are Unix milliseconds; every string came from a server and is shown as text only.

export type InstanceHealth = 'up' | 'down' | 'unknown';

/**
 * The app's own routes (not data routes): POST /console/api/login `{ user, password }` → SessionInfo and the session
 * cookie (401 `{ error }` on any failure, the same for an unknown user; 429 with Retry-After when throttled);
 * POST /console/api/logout → 204; GET /console/api/session → SessionInfo (401 without a session).
 * Errors of every /console/api route are `{ error: string }` with the status.
 */

/** GET /console/api/session → who is logged in and the CSRF token for state-changing requests. */
export interface SessionInfo {
  user: string;
  role: Role;
  /** Send as the `X-CSRF-Token` header on every POST/DELETE. */
  csrfToken: string;
  /** Absolute expiry of the session. */
  expiresAt: number;
}

/** GET /console/api/overview → one row per watched instance (the overview table; polled every scrape interval). */
export interface OverviewResponse {
  generatedAt: number;
  scrapeIntervalMs: number;
  instances: InstanceSummary[];
}

export interface InstanceSummary {
  /** The `instance` label (as in redis.targets): the key of every per-instance route. */
  instance: string;
  health: InstanceHealth;
  /** Why it is down (the typed error's message), '' when up. */
  lastError: string;
  lastScrapeAt: number;
  role: 'master' | 'replica' | null;
  version: string | null;
  uptimeSeconds: number | null;
  usedMemoryBytes: number | null;
  /** null when maxmemory is 0 (no limit). */
  maxmemoryBytes: number | null;
  opsPerSecond: number | null;
  /** keyspace_hits / (hits + misses) over the last 5 minutes; null when there were none. */
  hitRatio: number | null;
  connectedClients: number | null;
  /** master: number of connected replicas; replica: link up/down and lag. */
  replication: { connectedReplicas: number } | { linkUp: boolean; lagSeconds: number | null } | null;
  /** 0–100 from the latest audit; null before the first one. */
  securityScore: number | null;
  /**
   * Set when that score is partial, checks having been held back by what the watching user may run: the coverage
   * line of the security view ("graded on 26 of 44 checks; 13 could not run as this user: needs ACL LIST …").
   */
  securityPartial?: string;
  firingAlerts: number;
  pendingAlerts: number;
}

/** GET /console/api/instances/:instance → the state shown beside the panels. */
export interface InstanceDetail {
  summary: InstanceSummary;
  keyspace: { db: number; keys: number; expires: number; avgTtlMs: number }[];
  clients: { connected: number; blocked: number; maxclients: number | null };
  persistence: {
    rdbLastSaveAt: number | null;
    rdbLastBgsaveOk: boolean | null;
    rdbChangesSinceLastSave: number | null;
    aofEnabled: boolean | null;
    aofLastWriteOk: boolean | null;
  };
  replication: {
    role: 'master' | 'replica' | null;
    connectedReplicas: { address: string; state: string; lagSeconds: number | null; offset: number }[];
    master: { address: string; linkUp: boolean; lastIoSecondsAgo: number | null } | null;
  };
}

/** GET /console/api/instances/:instance/slowlog?since=&limit= → entries kept over time (newest first). */
export interface SlowlogResponse {
  entries: SlowlogEntry[];
  /** Entries the server dropped between two reads (its slowlog-max-len was exceeded): shown as a gap. */
  missed: number;
}

export interface SlowlogEntry {
  id: number;
  at: number;
  durationMicros: number;
  /** The command and its arguments as Redis reported them (already truncated by Redis), neutralised. */
  command: string[];
  client: string;
  clientName: string;
}

/** GET /console/api/alerts → firing and pending now; GET /console/api/alerts/history?limit= → transitions. */
export interface AlertsResponse {
  alerts: AlertView[];
  silences: SilenceView[];
  notifiers: { name: string; type: 'webhook' | 'slack' | 'alertmanager' }[];
}

export interface AlertView {
  name: string;
  state: 'pending' | 'firing';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  activeAt: number;
  value: number;
  /** Ids of silences that silence it now. */
  silencedBy: string[];
}

export interface AlertHistoryResponse {
  events: { at: number; name: string; labels: Record<string, string>; from: string; to: string; value: number }[];
}

export interface SilenceView {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  state: 'active' | 'pending' | 'expired';
}

/** POST /console/api/silences (admin) body; answers `{ id }`. DELETE /console/api/silences/:id (admin) expires it. */
export interface CreateSilenceRequest {
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  /** Go duration: `30m`, `2h`, `1d`… at most 30 days. */
  duration: string;
  comment: string;
}

/** POST /console/api/notifiers/:name/test (admin) → sends one test notification; answers its outcome. */
export interface TestNotificationResponse {
  ok: boolean;
  /** The receiver's status or the error, with no URL or secret in it. */
  detail: string;
}

/** GET /console/api/security → the latest audit of every instance. */
export interface SecurityResponse {
  instances: SecurityInstance[];
}

export interface SecurityInstance {
  instance: string;
  auditedAt: number | null;
  score: number | null;
  /** Why the last audit failed, '' when it worked. */
  error: string;
  findings: SecurityFinding[];
  /** What changed since the previous audit. */
  drift: SecurityDrift[];
  /** How much of the server the score grades; null before the first audit. */
  coverage: SecurityCoverage | null;
}

/**
 * The share of the checks the score grades. Checks that could not run count neither way, so a score from a user
 * that may not read the configuration or the users grades only part of the server: this says which part.
 */
export interface SecurityCoverage {
  /** Checks that passed or failed: what the score is made of. */
  graded: number;
  /** Checks that apply to this server (all but the skipped ones). */
  applicable: number;
  /** Applicable checks that could not run because of what the user `up` logs in as may run (or is sent). */
  blocked: number;
  /** The commands those checks need, e.g. ["CONFIG GET", "ACL LIST"]; empty when nothing is blocked. */
  needs: string[];
  /** Applicable checks unknown for another reason (they need the server's host, an opt-in, a newer Redis …). */
  otherUnknown: number;
  /** One line, e.g. "graded on 26 of 44 checks; 13 could not run as this user: needs ACL LIST, ACL LOG". */
  summary: string;
}

export interface SecurityFinding {
  id: string;
  title: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  status: 'fail' | 'pass' | 'unknown' | 'skip';
  evidence: string;
  remediation: string;
}

export interface SecurityDrift {
  kind: 'newly-failing' | 'fixed' | 'user-added' | 'user-removed' | 'setting-changed';
  /** One readable line: "protected-mode turned off", "user 'deploy' added". */
  text: string;
  checkId?: string;
}

/** POST /console/api/security/:instance/audit (admin) → runs the audit now; answers the new SecurityInstance. */

/** GET /console/api/audit-log?limit=&before= (admin) → audit log lines, newest first. */
export interface AuditLogResponse {
  entries: AuditLogEntry[];
}

export interface AuditLogEntry {
  at: number;
  user: string;
  clientAddress: string;
  action: string;
  target: string;
  outcome: 'ok' | 'denied' | 'failed';
  /** Why it was denied or failed; never a password or token. */
  detail: string;
}
