/**
 * The security posture of one target (`redis_security_*`), as both `redoubt exporter` and `redoubt up` compute it.
 *
 * Shared, the same code in both: the connection (the target's TargetScraper connection, through auditConnection's
 * command filter, so --security.audit-commands means the same thing), the facts (collectLiveFacts over the last
 * scrape's own INFO ALL from SnapshotCollector, no unauthenticated probe, the AuditMemo kept across audits), the
 * checks (buildReport with ALL_CHECKS), the report dropped on a failed audit (never served stale), and the
 * families (addPostureFamilies). A scrape's snapshot is TargetScraper's in both.
 *
 * Different, on purpose: what starts an audit.
 * - The exporter has no clock of its own, as redis_exporter has none: it talks to Redis only when it is scraped.
 *   `latest()` starts a refresh from a scrape once `intervalMs` (--security-interval) has passed since the last
 *   start, and answers with the report it has without waiting. An exporter nobody scrapes sends nothing, and one
 *   scraped by two Prometheus still audits once per interval. Its timeout is min(--connection-timeout, 10 s).
 * - `redoubt up` owns its clock: src/monitor/scheduler.ts runs every target's audit on one tick of
 *   --security-interval (after the scrapes have an INFO to reuse), with its deadline (min(10 s, 80 % of the
 *   interval)), a tick skipped rather than overlapped, and each audit's outcome recorded (AuditHistory, the
 *   console). It builds the monitor with `intervalMs: Infinity`, so `latest()` never starts one there, and calls
 *   `refresh()` itself (WatchedTarget.refreshPosture, which also joins an audit in flight).
 * The interval check of `latest()` is the only scheduling logic here; it is not the Scheduler's (no tick, no
 * deadline per round) and must not become it, or an unscraped exporter would start sending commands on its own.
 */
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
 * The security audit of one target, refreshed in the background on its own slower interval over the target's
 * scrape connection (see the module's doc for who starts it). A failed refresh drops the report: posture
 * metrics are never served stale.
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
