import type { FamilyOptions } from '../metrics/families.ts';
import { snapshotToFamilies } from '../metrics/families.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics/family.ts';
import { SnapshotCollector, type SnapshotOptions } from '../redis/collect-snapshot.ts';
import type { ConnectionOptions, RedisConnection } from '../redis/connection.ts';
import { RedisTimeoutError, redactSecrets } from '../redis/errors.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import type { Snapshot } from '../redis/snapshot.ts';
import type { RedisTarget } from '../redis/target.ts';
import type { AuditReport } from '../security/audit.ts';
import { hideKnownSecrets } from '../text/known-secrets.ts';
import { PostureMonitor, type PostureOptions } from './posture.ts';
import { addPostureFamilies } from './posture-families.ts';

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
 * Work a scrape adds to the shared snapshot (the key checks of its request). Scrapes with the same `id` share one
 * run; `apply` returns a new snapshot and leaves the shared one alone.
 */
export interface SnapshotExtra {
  id: string;
  apply(conn: RedisConnection, snapshot: Snapshot, deadlineMs: number): Promise<Snapshot>;
}

interface Flight {
  promise: Promise<Snapshot>;
  /** The deadline the flight was started with. */
  deadlineMs: number;
}

/**
 * One target: a connection, its snapshot collector, and single-flight so concurrent scrapes of the same target share
 * one snapshot instead of queueing behind a lock. Scrapes asking for different key checks share the snapshot and the
 * connection, and run their key checks on it side by side (each round trip of those ends on the connection's own
 * database, so they do not disturb one another).
 */
export class TargetScraper {
  readonly collector: SnapshotCollector;
  readonly posture?: PostureMonitor;
  private base: Flight | null = null;
  private readonly extras = new Map<string, Flight>();
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
    this.connection = conn;
    this.collector = new SnapshotCollector(conn, snapshotOptions);
    if (posture && posture.intervalMs > 0)
      this.posture = new PostureMonitor(conn, posture, (message) =>
        posture.onError(hideKnownSecrets(message, [this.password])),
      );
  }

  private readonly connection: RespConnection;

  /** The credentials the next login uses (see RespConnection.useCredentials). */
  useCredentials(username: string | undefined, password: string | undefined): void {
    this.connection.useCredentials(username, password);
  }

  /** The password the next login uses. */
  get password(): string | undefined {
    return this.connection.target.password;
  }

  /** Whether the connection is up now (a target that is down and not scraped is not worth redialling). */
  isConnected(): boolean {
    return this.collector.conn.isReady();
  }

  /** Resolves when no snapshot or key checks are in flight (whatever their outcome). */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [this.base, ...this.extras.values()].filter((f) => f !== null);
      if (pending.length === 0) return;
      await Promise.allSettled(pending.map((f) => f.promise));
      // (their own cleanup runs in a later callback)
      await new Promise((r) => setImmediate(r));
    }
  }

  /** The snapshot in flight, or a new one. */
  private snapshotFlight(deadlineMs: number): Flight {
    if (this.base) return this.base;
    const flight: Flight = { promise: this.collector.collect(deadlineMs), deadlineMs };
    this.base = flight;
    flight.promise
      .finally(() => {
        if (this.base === flight) this.base = null;
      })
      .catch(() => {});
    return flight;
  }

  /**
   * The snapshot plus `extra`, in flight or new: a new snapshot runs against `snapshotDeadlineMs`, new key checks
   * against `deadlineMs` (they stop in time with what they have rather than fail).
   */
  private flight(deadlineMs: number, snapshotDeadlineMs: number, extra?: SnapshotExtra): Flight {
    if (!extra) return this.snapshotFlight(snapshotDeadlineMs);
    const running = this.extras.get(extra.id);
    if (running) return running;
    const base = this.snapshotFlight(snapshotDeadlineMs);
    const flight: Flight = {
      promise: base.promise.then((s) => extra.apply(this.collector.conn, s, deadlineMs)),
      // It ends by the later of the two: a joined snapshot's, then its own key checks' (bounded by deadlineMs).
      deadlineMs: Math.max(deadlineMs, base.deadlineMs),
    };
    this.extras.set(extra.id, flight);
    flight.promise
      .finally(() => {
        if (this.extras.get(extra.id) === flight) this.extras.delete(extra.id);
      })
      .catch(() => {});
    return flight;
  }

  /**
   * `deadlineMs` is this scrape's (a request's header may shorten it); `flightDeadlineMs`, the longest any scrape
   * may have (--scrape-timeout from now), is what a snapshot it starts runs against. Otherwise a request with a
   * tiny timeout (anyone may send the header) would start a snapshot that every scrape joining it shares, cut
   * short, and the connection reset with it.
   */
  async scrape(deadlineMs: number, extra?: SnapshotExtra, flightDeadlineMs = deadlineMs): Promise<ScrapeOutcome> {
    const started = performance.now();
    const startedMs = Date.now();
    this.lastUsedMs = startedMs;
    this.scrapes++;
    const flight = this.flight(deadlineMs, Math.max(deadlineMs, flightDeadlineMs), extra);
    // A snapshot ends by the deadline it was started with; a scrape with a shorter one races it against that.
    let done: Promise<Snapshot> = flight.promise;
    let timer: NodeJS.Timeout | undefined;
    if (flight.deadlineMs > deadlineMs) {
      const ownDeadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RedisTimeoutError(
                this.target.display,
                'the scrape',
                Math.max(0, deadlineMs - startedMs) / 1000,
                '--scrape-timeout',
                'deadline',
              ),
            ),
          Math.max(1, deadlineMs - Date.now()),
        );
      });
      done = Promise.race([flight.promise, ownDeadline]);
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
      const message = err instanceof Error ? err.message : String(err);
      return {
        families: [],
        postureFamilies: NO_FAMILIES,
        up: false,
        // A server may echo the password it was sent in an error: the error reaches logs, labels and the API.
        error: hideKnownSecrets(redactSecrets(message), [this.password]),
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
