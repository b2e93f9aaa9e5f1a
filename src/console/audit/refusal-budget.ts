/**
 * How many refused logins (throttled, or from another site) of one client address the audit log takes: at most
 * PER_MINUTE lines a minute; the rest are counted and the next line written says how many were left out. Such
 * refusals cost a client nothing, so without this one address could push the log through its rotation and wipe
 * the record of what came before. Bounded: at most MAX_ADDRESSES addresses (the oldest go first).
 */
import { addressKey } from '../auth/login-throttle.ts';

const PER_MINUTE = 10;
const MAX_ADDRESSES = 10_000;

interface Window {
  startedAt: number;
  written: number;
  left: number;
}

export class RefusalBudget {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** undefined: leave this refusal out; else the note to add to its line ('' or how many were left out). */
  take(address: string): string | undefined {
    const k = addressKey(address);
    const t = this.now();
    let w = this.windows.get(k);
    if (!w || t - w.startedAt >= 60_000) {
      const left = w?.left ?? 0;
      this.windows.delete(k);
      w = { startedAt: t, written: 0, left };
      this.windows.set(k, w);
      while (this.windows.size > MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value as string);
    }
    if (w.written >= PER_MINUTE) {
      w.left++;
      return undefined;
    }
    w.written++;
    const note = w.left > 0 ? ` (and ${w.left} more refused logins from this address not written)` : '';
    w.left = 0;
    return note;
  }
}
