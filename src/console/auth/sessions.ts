/**
 * Console sessions, in memory (a restart logs everyone out): a random 256-bit id in the cookie, kept here only as
 * its SHA-256, with its user, the user's stamp at login, a CSRF token, and idle and absolute expiry. Bounded: at
 * most MAX_PER_USER sessions per user and MAX_SESSIONS in all (the oldest go first).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Session {
  user: string;
  stamp: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 };
const MAX_SESSIONS = 10_000;
const MAX_PER_USER = 20;

function key(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  private readonly byKey = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

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
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: t,
      lastSeenAt: t,
      expiresAt: t + this.limits.absoluteMs,
    };
    this.byKey.set(key(id), session);
    return { id, session };
  }

  /** The live session of a cookie value (its idle time restarted), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const k = key(id);
    const s = this.byKey.get(k);
    if (!s) return undefined;
    const t = this.now();
    if (t >= s.expiresAt || t - s.lastSeenAt >= this.limits.idleMs) {
      this.byKey.delete(k);
      return undefined;
    }
    s.lastSeenAt = t;
    return s;
  }

  delete(id: string | undefined): void {
    if (id) this.byKey.delete(key(id));
  }

  get size(): number {
    return this.byKey.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, s] of this.byKey)
      if (t >= s.expiresAt || t - s.lastSeenAt >= this.limits.idleMs) this.byKey.delete(k);
  }
}
