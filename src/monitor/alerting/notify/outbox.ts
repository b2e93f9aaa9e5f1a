/**
 * Deliveries waiting to go out: each a receiver name and a ready JSON body (never the URL: it may hold a secret and
 * the outbox is written to disk). One queue per receiver, delivered in order; a failed head is retried with
 * exponential backoff while the others keep flowing. Bounded: the oldest deliveries of a receiver are dropped past
 * the cap, and a delivery older than maxAge is given up. Pure over `now`; serialisable as JSON.
 */

export interface Delivery {
  id: number;
  receiver: string;
  body: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface OutboxOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Deliveries kept per receiver. */
  maxPerReceiver?: number;
  /** Give up a delivery this old. */
  maxAgeMs?: number;
}

export interface OutboxSnapshot {
  nextId: number;
  deliveries: Delivery[];
}

export type OutboxEvent =
  | { kind: 'dropped'; receiver: string; why: string; delivery: Delivery }
  | { kind: 'retry'; receiver: string; attempts: number; inMs: number; why: string };

export class Outbox {
  private deliveries: Delivery[] = [];
  private nextId = 1;
  private readonly opts: Required<OutboxOptions>;

  constructor(options: OutboxOptions = {}, snapshot?: OutboxSnapshot) {
    this.opts = {
      initialBackoffMs: options.initialBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 5 * 60e3,
      maxPerReceiver: options.maxPerReceiver ?? 1000,
      maxAgeMs: options.maxAgeMs ?? 24 * 3600e3,
    };
    if (snapshot) {
      this.deliveries = snapshot.deliveries.map((d) => ({ ...d }));
      this.nextId = snapshot.nextId;
    }
  }

  /** Queues a body for a receiver; returns the deliveries dropped to stay under the cap. */
  add(receiver: string, body: string, now: number): OutboxEvent[] {
    this.deliveries.push({ id: this.nextId++, receiver, body, createdAt: now, attempts: 0, nextAttemptAt: now });
    const mine = this.deliveries.filter((d) => d.receiver === receiver);
    const excess = mine.slice(0, Math.max(0, mine.length - this.opts.maxPerReceiver));
    for (const d of excess) this.remove(d.id);
    return excess.map((d) => ({ kind: 'dropped', receiver, why: 'the outbox is full', delivery: d }));
  }

  /** The head delivery of each receiver that is due at `now`. */
  due(now: number): Delivery[] {
    const heads = new Map<string, Delivery>();
    for (const d of this.deliveries) if (!heads.has(d.receiver)) heads.set(d.receiver, d);
    return [...heads.values()].filter((d) => d.nextAttemptAt <= now);
  }

  /** When the next attempt is due, or undefined. */
  nextAttemptAt(): number | undefined {
    const heads = new Map<string, Delivery>();
    for (const d of this.deliveries) if (!heads.has(d.receiver)) heads.set(d.receiver, d);
    let next: number | undefined;
    for (const d of heads.values()) if (next === undefined || d.nextAttemptAt < next) next = d.nextAttemptAt;
    return next;
  }

  delivered(id: number): void {
    this.remove(id);
  }

  /** A failed attempt: retried later, or dropped when not retryable or too old. */
  failed(id: number, now: number, retryable: boolean, why: string): OutboxEvent | undefined {
    const d = this.deliveries.find((x) => x.id === id);
    if (!d) return undefined;
    d.attempts++;
    d.lastError = why;
    if (!retryable || now - d.createdAt >= this.opts.maxAgeMs) {
      this.remove(id);
      return {
        kind: 'dropped',
        receiver: d.receiver,
        why: retryable ? `${why}; given up after ${d.attempts} attempts` : why,
        delivery: d,
      };
    }
    const backoff = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** Math.min(d.attempts - 1, 30));
    d.nextAttemptAt = now + backoff;
    return { kind: 'retry', receiver: d.receiver, attempts: d.attempts, inMs: backoff, why };
  }

  /** Forgets deliveries for receivers no longer configured. */
  keepReceivers(names: ReadonlySet<string>): void {
    this.deliveries = this.deliveries.filter((d) => names.has(d.receiver));
  }

  size(): number {
    return this.deliveries.length;
  }

  private remove(id: number): void {
    this.deliveries = this.deliveries.filter((d) => d.id !== id);
  }

  snapshot(): OutboxSnapshot {
    return { nextId: this.nextId, deliveries: this.deliveries.map((d) => ({ ...d })) };
  }
}
