import { FamilyBuilder, type MetricFamily } from '../metrics/family.ts';
import type { Appendable, Labels } from '../promql/types.ts';
import { STALE_NAN } from '../promql/types.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { redactSecrets } from '../redis/errors.ts';
import type { Snapshot } from '../redis/snapshot.ts';
import type { RedisTarget } from '../redis/target.ts';
import type { AuditCommands } from '../scrape/audit-commands.ts';
import { PostureMonitor } from '../scrape/posture.ts';
import { addPostureFamilies } from '../scrape/posture-families.ts';
import { type ScrapeOutcome, TargetScraper } from '../scrape/scraper.ts';
import { scrapeSelfFamilies } from '../scrape/self-metrics.ts';
import type { AuditReport } from '../security/audit.ts';
import { hideKnownSecrets } from '../text/known-secrets.ts';
import { AuditHistory, type PostureDigest, postureDigest } from './audit-history.ts';
import {
  type FamilyMetadata,
  familiesMetadata,
  familiesToSamples,
  SeriesLabelCache,
  scrapeReportSamples,
  type TargetLabels,
} from './scrape-samples.ts';
import { SlowlogHistory } from './slowlog-history.ts';
import { followSlowlog } from './slowlog-read.ts';
import { SeriesTracker } from './staleness.ts';

export interface WatchOptions {
  /** The address as given, before credentials were resolved. */
  given?: RedisTarget;
  /** The labels of every series of this target. */
  labels: TargetLabels;
  connectTimeoutMs: number;
  tls?: TlsOptions;
  /** CONFIG command name; null skips CONFIG (a least-privilege user without it). */
  configCommand: string | null;
  /** What the background audit may send; default auto (see auditConnection). */
  auditCommands?: AuditCommands;
  /** Deadline of one security audit, from its start. */
  postureTimeoutMs: number;
}

/** What the API tells about a target (Prometheus's /api/v1/targets). */
export interface TargetHealth {
  readonly labels: TargetLabels;
  readonly address: string;
  health: 'up' | 'down' | 'unknown';
  /** Why the last scrape failed; '' when it did not. Never holds a secret. */
  lastError: string;
  lastScrapeMs: number;
  lastScrapeDurationSeconds: number;
  /** The last security audit's error, '' when it worked or never ran. */
  postureError: string;
}

/** The exporter's own counters of one target, for its redis_exporter_* series (as /scrape gives them). */
interface Counters {
  scrapesTotal: number;
  durationSum: number;
  durationCount: number;
  targetRequestErrors: number;
}

/**
 * One Redis that `redoubt up` watches: a persistent connection through the scraper (src/scrape/, the same snapshot
 * and families as `redoubt exporter`'s /scrape), its security audit on that connection, and the series of its
 * last scrape, to mark stale those that disappear.
 */
export class WatchedTarget {
  readonly scraper: TargetScraper;
  private readonly posture: PostureMonitor;
  private readonly tracker = new SeriesTracker();
  private readonly labelCache = new SeriesLabelCache();
  private readonly counters: Counters = { scrapesTotal: 0, durationSum: 0, durationCount: 0, targetRequestErrors: 0 };
  private lastInfo: string | undefined;
  /** The last successful scrape's snapshot (INFO, CONFIG values): what the console shows beside the history. */
  lastSnapshot: Snapshot | undefined;
  /** Slowlog entries kept over time, and the last two audits (for drift): what the console shows. */
  readonly slowlog = new SlowlogHistory();
  readonly audits = new AuditHistory();
  private auditing: Promise<void> | undefined;
  private slowlogRead: Promise<void> | undefined;
  private lastDigest: PostureDigest | undefined;
  private postureReport: { report: AuditReport; families: readonly MetricFamily[] } | undefined;
  readonly health: TargetHealth;
  /** The address as given, before credentials were resolved (see TargetPasswords). */
  readonly given?: RedisTarget;
  /** Metadata of the families of the last successful scrape. */
  metadata: ReadonlyMap<string, FamilyMetadata> = new Map();

  constructor(
    readonly target: RedisTarget,
    private readonly options: WatchOptions,
  ) {
    this.given = options.given;
    this.scraper = new TargetScraper(
      target,
      { connectTimeoutMs: options.connectTimeoutMs, commandTimeoutMs: options.connectTimeoutMs, tls: options.tls },
      { configCommand: options.configCommand },
      { namespace: 'redis', includeSystemMetrics: false },
    );
    // Refreshed by the posture scheduler only: an interval nothing reaches keeps latest() from starting one.
    this.posture = new PostureMonitor(
      this.scraper.collector.conn,
      {
        intervalMs: Number.POSITIVE_INFINITY,
        timeoutMs: options.postureTimeoutMs,
        configCommand: options.configCommand,
        auditCommands: options.auditCommands,
        onFacts: (facts) => {
          this.lastDigest = postureDigest(facts);
        },
      },
      (message) => {
        // As the scraper's errors: a server may echo the password in one (src/text/known-secrets.ts).
        this.health.postureError = hideKnownSecrets(message, [this.scraper.password]);
      },
    );
    this.health = {
      labels: options.labels,
      address: target.display,
      health: 'unknown',
      lastError: '',
      lastScrapeMs: 0,
      lastScrapeDurationSeconds: 0,
      postureError: '',
    };
  }

  /** One scrape at tickMs: its samples, the scrape's own series, and stale markers, appended to `into`. */
  async scrape(tickMs: number, deadlineMs: number, into: Appendable): Promise<{ samples: number; up: boolean }> {
    const outcome = await this.scraper.scrape(deadlineMs);
    this.counters.scrapesTotal++;
    this.counters.durationSum += outcome.durationSeconds;
    this.counters.durationCount++;
    if (outcome.snapshot) {
      this.lastInfo = outcome.snapshot.info;
      this.lastSnapshot = outcome.snapshot;
      this.readSlowlog(outcome.snapshot);
    }
    const groups = this.familyGroups(outcome);
    const samples = familiesToSamples(groups, this.options.labels, this.labelCache);
    const { stale, added } = this.tracker.next(samples);
    for (const s of samples) into.append(s.labels, tickMs, s.value);
    for (const labels of stale) into.append(labels, tickMs, STALE_NAN);
    const report = {
      up: outcome.up,
      durationSeconds: outcome.durationSeconds,
      samplesScraped: samples.length,
      seriesAdded: added,
    };
    for (const s of scrapeReportSamples(report, this.options.labels, this.labelCache))
      into.append(s.labels, tickMs, s.value);
    if (outcome.up) this.metadata = familiesMetadata(groups);
    Object.assign(this.health, {
      health: outcome.up ? 'up' : 'down',
      lastError: outcome.error,
      lastScrapeMs: tickMs,
      lastScrapeDurationSeconds: outcome.durationSeconds,
    });
    return { samples: samples.length, up: outcome.up };
  }

  /** Reads the slowlog entries the snapshot says are new, off the scrape's path; one read at a time. */
  private readSlowlog(snapshot: Snapshot): void {
    this.slowlogRead ??= followSlowlog(this.scraper.collector.conn, snapshot, this.slowlog, Date.now()).finally(() => {
      this.slowlogRead = undefined;
    });
  }

  /** The families of a scrape as /scrape?target= serves them: the snapshot's, the posture's, the exporter's own. */
  private familyGroups(outcome: ScrapeOutcome): MetricFamily[][] {
    const posture = outcome.up && this.postureReport ? [...this.postureReport.families] : [];
    const self = scrapeSelfFamilies('redis', outcome, this.counters, { buildInfo: true, scrapeEndpoint: true });
    return [outcome.families, posture, self];
  }

  /** One security audit over the target's connection, reusing the last scrape's INFO; joins one in flight. */
  refreshPosture(): Promise<void> {
    this.auditing ??= this.audit().finally(() => {
      this.auditing = undefined;
    });
    return this.auditing;
  }

  /** Runs the audit now (the console's re-run), or undefined when one is already in flight. */
  auditNow(): Promise<void> | undefined {
    return this.auditing ? undefined : this.refreshPosture();
  }

  private async audit(): Promise<void> {
    if (!this.scraper.isConnected()) {
      this.postureReport = undefined;
      this.audits.recordFailure(Date.now(), this.health.lastError || 'not connected');
      return;
    }
    this.health.postureError = '';
    this.lastDigest = undefined;
    await this.posture.refresh(this.lastInfo);
    const report = this.posture.latest(undefined, 0);
    if (report === undefined) {
      this.postureReport = undefined;
      this.audits.recordFailure(Date.now(), redactSecrets(this.health.postureError) || 'the audit did not finish');
      return;
    }
    this.audits.recordReport({ at: Date.now(), report, digest: this.lastDigest });
    const b = new FamilyBuilder('redis');
    addPostureFamilies(b, report);
    this.postureReport = { report, families: Object.freeze(b.families()) };
  }

  /** The series of the last scrape, to mark stale when the target is removed. */
  lastSeries(): Labels[] {
    return this.tracker.all();
  }

  async close(): Promise<void> {
    await this.scraper.close();
    await this.slowlogRead;
  }
}
