import type { Appendable } from '../promql/types.ts';
import { STALE_NAN } from '../promql/types.ts';
import type { TlsOptions } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/target.ts';
import type { AuditCommands } from '../scrape/audit-commands.ts';
import { Scheduler } from './scheduler.ts';
import { type FamilyMetadata, SCRAPE_REPORT_METADATA } from './scrape-samples.ts';
import { type TargetHealth, WatchedTarget } from './watched-target.ts';

export interface MonitorOptions {
  /** The job label of every target (the compose stack's Prometheus names it `redis`). */
  job: string;
  scrapeIntervalMs: number;
  /** Deadline of a scrape from its tick; below the interval. */
  scrapeTimeoutMs: number;
  securityIntervalMs: number;
  configCommand: string | null;
  /** What the background audit may send; default auto (see auditConnection). */
  auditCommands?: AuditCommands;
  tls?: TlsOptions;
  /** Called before each scrape of a target (e.g. to give its next login a rotated password). */
  beforeScrape?: (t: WatchedTarget) => void;
  /** Told when a target goes up or down (its first scrape included). */
  onHealthChange?: (health: Readonly<TargetHealth>) => void;
}

/** One target to watch: the address to dial (with credentials) and the instance label (as the user wrote it). */
export interface WatchSpec {
  target: RedisTarget;
  instance: string;
  /** The address as given, before credentials were resolved (to resolve them again when a password file changes). */
  given?: RedisTarget;
}

/** Counters for redoubt's own /metrics. */
export interface MonitorCounters {
  scrapes: number;
  failedScrapes: number;
  samplesAppended: number;
}

/**
 * Watches every target: scrapes on a shared tick into the store, and runs their security audits on a slower one.
 * Nothing here fails on a target that is down or misconfigured: it is reported `up` 0 with the reason.
 */
export class Monitor {
  readonly targets: WatchedTarget[];
  readonly scrapes: Scheduler;
  readonly audits: Scheduler;
  readonly counters: MonitorCounters = { scrapes: 0, failedScrapes: 0, samplesAppended: 0 };

  constructor(
    specs: readonly WatchSpec[],
    private readonly store: Appendable,
    readonly options: MonitorOptions,
  ) {
    // An audit's deadline: before the next tick, and at most 10 s, as the exporter's (src/scrape/posture.ts).
    const auditTimeout = Math.min(10_000, Math.floor(options.securityIntervalMs * 0.8));
    this.targets = specs.map(
      (s) =>
        new WatchedTarget(s.target, {
          given: s.given,
          labels: { job: options.job, instance: s.instance },
          connectTimeoutMs: Math.min(options.scrapeTimeoutMs, 5000),
          tls: options.tls,
          configCommand: options.configCommand,
          auditCommands: options.auditCommands,
          postureTimeoutMs: auditTimeout,
        }),
    );
    this.scrapes = new Scheduler({ intervalMs: options.scrapeIntervalMs, timeoutMs: options.scrapeTimeoutMs });
    this.audits = new Scheduler({ intervalMs: options.securityIntervalMs, timeoutMs: auditTimeout });
    for (const t of this.targets) {
      const id = t.health.labels.instance;
      this.scrapes.add({ id, run: (tick, deadline) => this.scrapeOne(t, tick, deadline) });
      this.audits.add({ id, run: () => t.refreshPosture() });
    }
  }

  private async scrapeOne(t: WatchedTarget, tickMs: number, deadlineMs: number): Promise<void> {
    this.options.beforeScrape?.(t);
    const before = t.health.health;
    const r = await t.scrape(tickMs, deadlineMs, this.store);
    if (t.health.health !== before) this.options.onHealthChange?.(t.health);
    this.counters.scrapes++;
    if (!r.up) this.counters.failedScrapes++;
    this.counters.samplesAppended += r.samples;
  }

  private running = false;

  start(): void {
    this.scrapes.start();
    // The first audit after the first scrape has had a chance to connect and read INFO.
    setTimeout(
      () => {
        if (this.running) this.audits.start();
      },
      Math.min(this.options.scrapeTimeoutMs, 2000),
    ).unref();
    this.running = true;
  }

  /** Stops both schedules (waiting for rounds in flight) and closes every connection. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([this.scrapes.stop(), this.audits.stop()]);
    await Promise.all(this.targets.map((t) => t.close()));
  }

  /** Marks every series of every target stale at tMs (targets removed for good). */
  markAllStale(tMs: number): void {
    for (const t of this.targets) for (const labels of t.lastSeries()) this.store.append(labels, tMs, STALE_NAN);
  }

  health(): TargetHealth[] {
    return this.targets.map((t) => t.health);
  }

  /** The metadata of every metric the targets expose, by name (Prometheus's /api/v1/metadata). */
  metadata(): Map<string, FamilyMetadata> {
    const out = new Map<string, FamilyMetadata>(SCRAPE_REPORT_METADATA);
    for (const t of this.targets) for (const [name, m] of t.metadata) if (!out.has(name)) out.set(name, m);
    return out;
  }
}
