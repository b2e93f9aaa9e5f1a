import type { RedisConnection } from '../redis/connection.ts';
import { type AuditReport, buildReport } from '../security/audit.ts';
import { ALL_CHECKS } from '../security/checks/index.ts';
import type { Facts } from '../security/facts.ts';
import { type AuditMemo, collectLiveFacts } from '../security/live-facts.ts';
import { type AuditCommands, auditConnection } from './audit-commands.ts';

export interface PostureOptions {
  intervalMs: number;
  timeoutMs: number;
  configCommand: string | null;
  /** What the audit may send; default auto (see auditConnection). */
  auditCommands?: AuditCommands;
  /** Told the facts of each audit that worked (they may hold secrets: keep only what is safe). */
  onFacts?: (facts: Facts) => void;
}

/**
 * The security audit of one target, refreshed in the background on its own slower interval over the
 * exporter's connection. A failed refresh drops the report: posture metrics are never served stale.
 */
export class PostureMonitor {
  private report: AuditReport | undefined;
  private lastStartMs = 0;
  private running: Promise<void> | null = null;
  private readonly conn: RedisConnection;
  /** What the next audit need not ask again (command table, ACL DRYRUN answers): see AuditMemo. */
  private readonly memo: AuditMemo = {};

  constructor(
    conn: RedisConnection,
    private readonly options: PostureOptions,
    private readonly onError: (message: string) => void,
  ) {
    this.conn = auditConnection(conn, options.auditCommands ?? 'auto', options.configCommand);
  }

  /** The latest report, starting a refresh when the interval has passed. Never waits for the audit. */
  latest(snapshotInfo?: string, nowMs = Date.now()): AuditReport | undefined {
    if (!this.running && nowMs - this.lastStartMs >= this.options.intervalMs) {
      this.lastStartMs = nowMs;
      this.running = this.refresh(snapshotInfo).finally(() => {
        this.running = null;
      });
    }
    return this.report;
  }

  /** Runs one audit now and waits for it (tests, first scrape). */
  async refresh(snapshotInfo?: string): Promise<void> {
    try {
      const facts = await collectLiveFacts(this.conn, {
        deadlineMs: Date.now() + this.options.timeoutMs,
        // The scrape's own INFO ALL is reused. No unauthenticated probe: each would add NOAUTH error replies to
        // the monitored server every interval; `redoubt audit` runs it.
        snapshotInfo,
        probe: false,
        configCommand: this.options.configCommand ?? undefined,
        memo: this.memo,
      });
      facts.now = new Date().toISOString();
      this.report = buildReport(facts, ALL_CHECKS);
      this.options.onFacts?.(facts);
    } catch (err) {
      this.report = undefined;
      this.onError((err as Error).message);
    }
  }
}
