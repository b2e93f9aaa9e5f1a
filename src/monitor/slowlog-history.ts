/**
 * One target's slowlog kept over time: Redis keeps only its last slowlog-max-len entries (128 by default), so
 * `redoubt up` copies the new ones as they appear and keeps the last KEPT of them. Every scrape's snapshot already
 * holds the newest entry (SLOWLOG GET 1): when it is the only new one, that is what is kept; only when more than one
 * is new does the monitor read the entries since the last one it has (see slowlog-read.ts), so a quiet server, or
 * one slow command between two scrapes, costs no extra round trip. Ids the server dropped before they
 * were read (more new entries than its slowlog-max-len between two scrapes) are counted as a gap. Ids start again
 * when the server restarts (a new run_id): then the server's entries are read afresh, and none are counted missed.
 * Pure state over explicit times.
 */

export interface KeptSlowlogEntry {
  id: number;
  /** ms */
  at: number;
  durationMicros: number;
  command: string[];
  client: string;
  clientName: string;
}

/** Entries kept per target. */
export const KEPT_SLOWLOG_ENTRIES = 1000;
/** At most this many entries are read at once (the rest of a burst is counted missed). */
export const MAX_SLOWLOG_READ = 256;
/** Entries read beyond those known to be new: the ones logged between the scrape and the read. */
const SLACK = 32;
/** Gaps kept per target. */
const KEPT_GAPS = 1000;

export interface SlowlogGap {
  /** When the gap was found (ms). */
  at: number;
  /** Entries the server dropped before they were read. */
  count: number;
}

export class SlowlogHistory {
  /** Oldest first. */
  private entries: KeptSlowlogEntry[] = [];
  private gaps: SlowlogGap[] = [];
  /** The newest id read from the server of `runId`; -1 before the first read. */
  private lastId = -1;
  private runId: string | undefined;

  constructor(private readonly capacity = KEPT_SLOWLOG_ENTRIES) {}

  /**
   * How many entries to read now, given the snapshot's newest id, the slowlog's length and the server's run_id;
   * 0 when nothing is new.
   */
  toRead(newestId: number | undefined, length: number | undefined, runId: string | undefined): number {
    if (newestId === undefined || !Number.isSafeInteger(newestId) || newestId < 0) return 0;
    if (runId !== this.runId || newestId < this.lastId) {
      // A new server behind the address (restart, failover): its ids are its own.
      this.runId = runId;
      this.lastId = -1;
    }
    if (this.lastId < 0) return Math.max(1, Math.min(length ?? MAX_SLOWLOG_READ, MAX_SLOWLOG_READ));
    return newestId === this.lastId ? 0 : Math.min(newestId - this.lastId + SLACK, MAX_SLOWLOG_READ);
  }

  /**
   * Whether the snapshot's newest entry is the only one not read yet (asked after toRead): then it is all there
   * is to keep, and no SLOWLOG GET of its own is needed (the common case: one new slow command between scrapes).
   */
  onlyNewestIsNew(newestId: number, length: number | undefined): boolean {
    return this.lastId >= 0 ? newestId === this.lastId + 1 : length === 1;
  }

  /**
   * Keeps the entries read (any order, the server's whole answer) that are newer than the last kept one; counts
   * the ids between the last kept one and the oldest new one as missed.
   */
  record(read: readonly KeptSlowlogEntry[], snapshotNewestId: number, now: number): void {
    const fresh = read.filter((e) => e.id > this.lastId).sort((a, b) => a.id - b.id);
    const newestId = Math.max(snapshotNewestId, fresh.at(-1)?.id ?? -1);
    const unique = fresh.filter((e, i) => i === 0 || e.id !== fresh[i - 1].id);
    if (this.lastId >= 0) {
      const missed = newestId - this.lastId - unique.length;
      if (missed > 0) {
        this.gaps.push({ at: now, count: missed });
        if (this.gaps.length > KEPT_GAPS) this.gaps.splice(0, this.gaps.length - KEPT_GAPS);
      }
    }
    this.entries.push(...unique);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    this.lastId = Math.max(this.lastId, newestId);
  }

  /** Entries at or after `since` (ms), newest first, at most `limit`; and the entries missed since then. */
  query(since: number, limit: number): { entries: KeptSlowlogEntry[]; missed: number } {
    const out: KeptSlowlogEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i];
      if (e.at >= since) out.push(e);
    }
    let missed = 0;
    for (const g of this.gaps) if (g.at >= since) missed += g.count;
    return { entries: out, missed };
  }

  size(): number {
    return this.entries.length;
  }
}
