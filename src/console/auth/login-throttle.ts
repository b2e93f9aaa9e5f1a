/**
 * Login throttling: failures are counted per client address (an IPv6 address by its /64) and per user name; after
 * FREE_FAILURES in a row, each further attempt must wait 1 s, 2 s, 4 s … (at most 15 min) after the last failure. An
 * attempt counts as a failure from its start. A success takes back only the failures that address made at that user
 * (counted per pair too): one's own login does not wipe the guesses the address made at other users, nor those other
 * addresses made at this user. A quiet hour forgets a key. Bounded: at most MAX_KEYS keys (the stalest idle ones go
 * first, those holding someone back last).
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

/**
 * The address's key: an IPv4 address as is, an IPv6 address by its /64 (one host is given a whole /64: counting
 * each of its addresses apart would give it 2^64 fresh starts).
 */
export function addressKey(address: string): string {
  if (!address.includes(':')) return `a:${address}`;
  const bare = address.split('%')[0].toLowerCase();
  const groupsOf = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const [head, tail] = bare.split('::');
  const h = groupsOf(head);
  const groups =
    tail === undefined
      ? h
      : [...h, ...Array(Math.max(0, 8 - h.length - groupsOf(tail).length)).fill('0'), ...groupsOf(tail)];
  return `a:${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

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
    return Math.max(this.delayOf(this.entry(addressKey(address))), this.delayOf(this.entry(`u:${user}`)));
  }

  /**
   * Starts a login attempt: the milliseconds to wait (the attempt is refused), or 0 and the attempt is counted as
   * a failure at once, before its password check runs: logins sent all at once cannot each pass the check of an
   * empty count. A right password then calls succeeded(), which clears it.
   */
  attempt(address: string, user: string): number {
    const wait = this.waitMs(address, user);
    if (wait === 0) this.failed(address, user);
    return wait;
  }

  /** The keys one attempt counts under: the address, the user, and the pair (what a success takes back). */
  private keysOf(address: string, user: string): [string, string, string] {
    const a = addressKey(address);
    return [a, `u:${user}`, `p:${a} ${user}`];
  }

  /** The password check of an attempt failed: the wait runs from now (the attempt is counted already). */
  checkFailed(address: string, user: string): void {
    for (const k of this.keysOf(address, user)) {
      const f = this.failures.get(k);
      if (f) f.lastAt = Math.max(f.lastAt, this.now());
    }
  }

  failed(address: string, user: string): void {
    for (const k of this.keysOf(address, user)) {
      const f = this.entry(k) ?? { count: 0, lastAt: 0 };
      f.count++;
      f.lastAt = this.now();
      this.failures.delete(k);
      this.failures.set(k, f);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.evictable());
  }

  /**
   * The key to drop when the table is full: the stalest that holds nobody back (forgotten, or still within its
   * free failures), else the stalest. Dropping the stalest key alone let fresh keys sprayed from many addresses
   * evict a user's backoff and give the guesser a clean start.
   */
  private evictable(): string {
    let stalest: string | undefined;
    const t = this.now();
    for (const [k, f] of this.failures) {
      stalest ??= k;
      if (f.count < this.rules.freeFailures || t - f.lastAt > this.rules.forgetAfterMs) return k;
    }
    return stalest as string;
  }

  /**
   * The right password: the pair's failures (this attempt among them) come off the address's and the user's counts;
   * failures of this address at other users, and of other addresses at this user, stay.
   */
  succeeded(address: string, user: string): void {
    const [a, u, pair] = this.keysOf(address, user);
    const mine = this.entry(pair)?.count ?? 0;
    this.failures.delete(pair);
    for (const k of [a, u]) {
      const f = this.entry(k);
      if (!f) continue;
      f.count -= Math.min(f.count, mine);
      if (f.count === 0) this.failures.delete(k);
    }
  }
}
