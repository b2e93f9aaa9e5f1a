/**
 * Console sessions: a random 256-bit id in the cookie, kept here only as its SHA-256, with its user, the user's stamp
 * at login, and idle and absolute expiry. Its CSRF token is derived from the id (csrfTokenOf), never stored: what is
 * saved gives neither the cookie nor the token. Bounded: at most MAX_PER_USER sessions per user and
 * MAX_SESSIONS in all (the oldest go first). With a persistence (session-file.ts) they outlive a restart: a login or
 * a logout is saved at once, the idle clock of sessions in use at most every SAVE_EVERY_MS and at flush().
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface Session {
  user: string;
  stamp: string;
  /** csrfTokenOf(the id): known only to whoever has the cookie's value (and the page it was given to). */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

/** A session as saved: by the SHA-256 of its id (never the id), without its CSRF token (derived from the id). */
export interface StoredSession extends Omit<Session, 'csrfToken'> {
  key: string;
}

/** Where sessions are kept across restarts; save() reports its own failures (the sessions stay in memory). */
export interface SessionPersistence {
  load(): StoredSession[];
  save(sessions: StoredSession[]): void;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 };
export const MAX_SESSIONS = 10_000;
const MAX_PER_USER = 20;
const SAVE_EVERY_MS = 60_000;

function key(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/**
 * A session's CSRF token: HMAC-SHA256 keyed by its id. The same after a restart (the page's token stays good), and
 * not computable from what sessions.json keeps (SHA-256 of the id): without the cookie's value there is no token.
 */
export function csrfTokenOf(id: string): string {
  return createHmac('sha256', id).update('redoubt console CSRF token').digest('base64url');
}

export class SessionStore {
  private readonly byKey = new Map<string, Session>();
  private dirty = false;
  private savedAt: number;

  constructor(
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly persistence?: SessionPersistence,
  ) {
    this.savedAt = now();
    const t = now();
    // A saved session keeps its expiry; one that claims more than the absolute limit, or creation or use in the
    // future (its absolute expiry as far away), is over. Its CSRF token is filled in by get(), the first time the
    // cookie's value is seen.
    for (const { key: k, ...s } of persistence?.load() ?? [])
      if (
        this.byKey.size < MAX_SESSIONS &&
        !this.expired(s, t) &&
        s.expiresAt <= s.createdAt + limits.absoluteMs &&
        s.createdAt <= t &&
        s.lastSeenAt <= t + limits.idleMs
      )
        this.byKey.set(k, { ...s, csrfToken: '' });
  }

  private expired(s: Pick<Session, 'expiresAt' | 'lastSeenAt'>, t: number): boolean {
    return t >= s.expiresAt || t - s.lastSeenAt >= this.limits.idleMs;
  }

  /** Saves the live sessions (with a persistence); a login or logout at once, idle clocks now and then. */
  private save(): void {
    if (!this.persistence) return;
    this.sweep();
    this.dirty = false;
    this.savedAt = this.now();
    this.persistence.save([...this.byKey].map(([k, { csrfToken: _, ...s }]) => ({ key: k, ...s })));
  }

  /** Saves what changed since the last save (at a clean stop). */
  flush(): void {
    if (this.dirty) this.save();
  }

  /** A new session for `user` (login); returns the id for the cookie. */
  create(user: string, stamp: string): { id: string; session: Session } {
    this.sweep();
    const mine = [...this.byKey.entries()].filter(([, s]) => s.user === user);
    for (const [k] of mine.slice(0, Math.max(0, mine.length - MAX_PER_USER + 1))) this.byKey.delete(k);
    if (this.byKey.size >= MAX_SESSIONS) this.byKey.delete(this.byKey.keys().next().value as string);
    const t = this.now();
    const id = randomBytes(32).toString('base64url');
    const session: Session = {
      user,
      stamp,
      csrfToken: csrfTokenOf(id),
      createdAt: t,
      lastSeenAt: t,
      expiresAt: t + this.limits.absoluteMs,
    };
    this.byKey.set(key(id), session);
    this.save();
    return { id, session };
  }

  /** The live session of a cookie value (its idle time restarted), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const k = key(id);
    const s = this.byKey.get(k);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.byKey.delete(k);
      return undefined;
    }
    s.lastSeenAt = t;
    s.csrfToken ||= csrfTokenOf(id);
    this.dirty = true;
    if (t - this.savedAt >= SAVE_EVERY_MS) this.save();
    return s;
  }

  delete(id: string | undefined): void {
    if (id && this.byKey.delete(key(id))) this.save();
  }

  get size(): number {
    return this.byKey.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, s] of this.byKey) if (this.expired(s, t)) this.byKey.delete(k);
  }
}
