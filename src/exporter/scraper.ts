import type { FamilyOptions } from '../metrics/families.ts';
import { snapshotToFamilies } from '../metrics/families.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics/family.ts';
import { addPostureFamilies } from '../metrics/security-families.ts';
import { SnapshotCollector, type SnapshotOptions } from '../redis/collect-snapshot.ts';
import type { ConnectionOptions } from '../redis/connection.ts';
import { RedisError, scrub } from '../redis/errors.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import type { Snapshot } from '../redis/snapshot.ts';
import type { RedisTarget } from '../redis/target.ts';
import { keepTimerList } from '../redis/timer-lists.ts';
import type { AuditReport } from '../security/audit.ts';
import { PostureMonitor, type PostureOptions } from './posture.ts';

const NO_FAMILIES: readonly MetricFamily[] = Object.freeze([]);

export interface ScrapeOutcome {
  snapshot?: Snapshot;
  /**
   * The target's families: those of the snapshot, then those of the latest security audit (kept apart so that
   * the exporter assembles its list once, at its final size).
   */
  families: MetricFamily[];
  postureFamilies: readonly MetricFamily[];
  up: boolean;
  /** Safe to show: typed error message without secrets. Empty on success. */
  error: string;
  durationSeconds: number;
  connectSeconds: number;
  pingSeconds?: number;
}

/**
 * One target: a persistent connection, its snapshot collector, and single-flight so concurrent scrapes of the
 * same target share one snapshot instead of queueing behind a lock.
 */
export class TargetScraper {
  readonly collector: SnapshotCollector;
  readonly posture?: PostureMonitor;
  private inflight: Promise<Snapshot> | null = null;
  /** The deadline the in-flight snapshot was started with. */
  private inflightDeadlineMs = 0;
  /** The last audit report's families. */
  private lastPosture?: { report: AuditReport; families: readonly MetricFamily[] };
  lastUsedMs = Date.now();
  scrapes = 0;
  durationSum = 0;

  constructor(
    readonly target: RedisTarget,
    connection: ConnectionOptions,
    snapshotOptions: SnapshotOptions,
    private readonly familyOptions: FamilyOptions,
    posture?: PostureOptions & { onError: (message: string) => void },
  ) {
    const conn = new RespConnection(target, connection);
    this.collector = new SnapshotCollector(conn, snapshotOptions);
    if (posture && posture.intervalMs > 0) this.posture = new PostureMonitor(conn, posture, posture.onError);
  }

  async scrape(deadlineMs: number): Promise<ScrapeOutcome> {
    const started = performance.now();
    this.lastUsedMs = Date.now();
    this.scrapes++;
    if (!this.inflight) {
      this.inflight = this.collector.collect(deadlineMs).finally(() => {
        this.inflight = null;
      });
      this.inflightDeadlineMs = deadlineMs;
    }
    // collect() ends the snapshot by the deadline of the scrape that started it; a scrape that joined it with a
    // shorter deadline of its own races it against that.
    let done: Promise<Snapshot> = this.inflight;
    let timer: NodeJS.Timeout | undefined;
    if (this.inflightDeadlineMs > deadlineMs) {
      const ownDeadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RedisError('timeout', `scrape of ${this.target.display} did not finish by its deadline`)),
          keepTimerList(Math.max(1, deadlineMs - Date.now())),
        );
      });
      done = Promise.race([this.inflight, ownDeadline]);
    }
    try {
      const snapshot = await done;
      const families = snapshotToFamilies(snapshot, this.familyOptions);
      const postureFamilies = this.postureFamilies(this.posture?.latest(snapshot.info));
      const durationSeconds = (performance.now() - started) / 1000;
      this.durationSum += durationSeconds;
      return {
        snapshot,
        families,
        postureFamilies,
        up: true,
        error: '',
        durationSeconds,
        connectSeconds: snapshot.connectSeconds ?? 0,
        pingSeconds: snapshot.pingSeconds,
      };
    } catch (err) {
      const durationSeconds = (performance.now() - started) / 1000;
      this.durationSum += durationSeconds;
      const secrets = this.target.password ? [this.target.password] : [];
      const message = err instanceof Error ? err.message : String(err);
      return {
        families: [],
        postureFamilies: NO_FAMILIES,
        up: false,
        error: scrub(message, secrets),
        durationSeconds,
        connectSeconds: 0,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The families of an audit report. A report stands for a whole security interval (minutes), so its families
   * are built once and shared by the scrapes in between (nothing changes families after they are built).
   */
  private postureFamilies(report: AuditReport | undefined): readonly MetricFamily[] {
    if (report === undefined) return NO_FAMILIES;
    if (this.lastPosture?.report !== report) {
      const b = new FamilyBuilder(this.familyOptions.namespace);
      addPostureFamilies(b, report);
      this.lastPosture = { report, families: Object.freeze(b.families()) };
    }
    return this.lastPosture.families;
  }

  async close(): Promise<void> {
    await this.collector.conn.close();
  }
}
