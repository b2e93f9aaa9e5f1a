/**
 * Login throttling: failures are counted per client address and per user name; after FREE_FAILURES in a row, each
 * further attempt must wait 1 s, 2 s, 4 s … (at most 15 min) after the last failure. A success clears the user's
 * and the address's count; a quiet hour forgets a key. Bounded: at most MAX_KEYS keys (the stalest go first).
 */

export interface ThrottleRules {
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE: ThrottleRules = {
  freeFailures: 5,
  firstDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 3600_000,
};
const MAX_KEYS = 50_000;

interface Failures {
  count: number;
  lastAt: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly rules: ThrottleRules = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  private delayOf(f: Failures | undefined): number {
    if (!f || f.count < this.rules.freeFailures) return 0;
    const exp = Math.min(30, f.count - this.rules.freeFailures);
    const delay = Math.min(this.rules.maxDelayMs, this.rules.firstDelayMs * 2 ** exp);
    return Math.max(0, f.lastAt + delay - this.now());
  }

  private entry(k: string): Failures | undefined {
    const f = this.failures.get(k);
    if (f && this.now() - f.lastAt > this.rules.forgetAfterMs) {
      this.failures.delete(k);
      return undefined;
    }
    return f;
  }

  /** Milliseconds to wait before this address may try this user again (0: go ahead). */
  waitMs(address: string, user: string): number {
    return Math.max(this.delayOf(this.entry(`a:${address}`)), this.delayOf(this.entry(`u:${user}`)));
  }

  failed(address: string, user: string): void {
    for (const k of [`a:${address}`, `u:${user}`]) {
      const f = this.entry(k) ?? { count: 0, lastAt: 0 };
      f.count++;
      f.lastAt = this.now();
      this.failures.delete(k);
      this.failures.set(k, f);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(address: string, user: string): void {
    this.failures.delete(`a:${address}`);
    this.failures.delete(`u:${user}`);
  }
}
