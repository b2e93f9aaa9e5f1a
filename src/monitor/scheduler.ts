/**
 * Runs jobs on a shared tick, Prometheus's way: every job starts at the same instant of each interval, each with
 * a deadline before the next tick, and none waits for another. A job still running when its next tick comes
 * (it ignored its deadline) is not started again: that tick is skipped for it alone and counted, so a slow or
 * hostile target never overlaps itself and never delays the rest.
 *
 * `redoubt up` runs two: the scrape of every target, and the security posture of every target on a slower
 * interval (PostureMonitor.refresh, src/scrape/posture.ts). The exporter runs neither: as redis_exporter, it
 * scrapes when it is scraped and starts its posture refresh from a scrape (PostureMonitor.latest); posture.ts's
 * module doc says what the two share and why their triggers differ.
 */

export interface ScheduledJob {
  /** Unique among the scheduler's jobs (a target's address). */
  readonly id: string;
  /**
   * One round. `tickMs` is the scheduled instant (the same for every job of that tick, used as the samples'
   * timestamp); the job should settle by `deadlineMs`. A rejection is counted, never thrown further.
   */
  run(tickMs: number, deadlineMs: number): Promise<void>;
}

export interface JobStats {
  runs: number;
  /** Ticks not started because the previous round had not settled. */
  skipped: number;
  /** Rounds that settled after their deadline. */
  overran: number;
  /** Rounds that rejected. */
  failed: number;
}

export interface SchedulerOptions {
  intervalMs: number;
  /** Each round's deadline, from its tick; must be below intervalMs. */
  timeoutMs: number;
  /** Wall clock in ms (tests pass their own). */
  now?: () => number;
}

interface JobState {
  job: ScheduledJob;
  running: Promise<void> | null;
  stats: JobStats;
}

export class Scheduler {
  private readonly jobs = new Map<string, JobState>();
  private timer: NodeJS.Timeout | undefined;
  private anchorMs = 0;
  private tickCount = 0;
  private stopped = true;
  /** Ticks that came later than one interval after they were due (an event loop blocked that long). */
  missedTicks = 0;
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('the scheduler interval must be greater than 0');
    if (!(options.timeoutMs > 0 && options.timeoutMs < options.intervalMs))
      throw new RangeError('the scheduler timeout must be greater than 0 and less than the interval');
    this.now = options.now ?? Date.now;
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  add(job: ScheduledJob): void {
    if (this.jobs.has(job.id)) throw new Error(`a job "${job.id}" is already scheduled`);
    this.jobs.set(job.id, { job, running: null, stats: { runs: 0, skipped: 0, overran: 0, failed: 0 } });
  }

  /** Takes a job off the tick; a round in flight finishes on its own. */
  remove(id: string): void {
    this.jobs.delete(id);
  }

  stats(id: string): Readonly<JobStats> | undefined {
    return this.jobs.get(id)?.stats;
  }

  /** The first tick is now; the next ones every interval after it. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.anchorMs = Math.floor(this.now());
    this.tickCount = 0;
    this.tick(this.anchorMs);
  }

  /** Stops ticking and waits for the rounds in flight (each bounded by its deadline). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.jobs.values()].map((s) => s.running));
  }

  /** Runs one round of every job at `tickMs` (tests drive the scheduler by hand with it). */
  runTick(tickMs: number): Promise<void> {
    const deadlineMs = tickMs + this.options.timeoutMs;
    const rounds: Promise<void>[] = [];
    for (const state of this.jobs.values()) {
      if (state.running) {
        state.stats.skipped++;
        continue;
      }
      rounds.push(this.runJob(state, tickMs, deadlineMs));
    }
    return Promise.all(rounds).then(() => {});
  }

  private runJob(state: JobState, tickMs: number, deadlineMs: number): Promise<void> {
    state.stats.runs++;
    let round: Promise<void>;
    try {
      round = state.job.run(tickMs, deadlineMs);
    } catch (err) {
      round = Promise.reject(err);
    }
    const settled = round.then(
      () => {},
      () => {
        state.stats.failed++;
      },
    );
    const running = settled.finally(() => {
      if (this.now() > deadlineMs) state.stats.overran++;
      if (state.running === running) state.running = null;
    });
    state.running = running;
    return running;
  }

  private tick(tickMs: number): void {
    if (this.stopped) return;
    void this.runTick(tickMs);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const interval = this.options.intervalMs;
    const now = this.now();
    // The next tick on the grid anchored at start; ticks the process slept through are skipped, not caught up.
    let next = this.anchorMs + (this.tickCount + 1) * interval;
    if (next <= now - interval) {
      const behind = Math.floor((now - next) / interval);
      this.missedTicks += behind;
      next += behind * interval;
    }
    this.tickCount = Math.round((next - this.anchorMs) / interval);
    this.timer = setTimeout(() => this.tick(next), Math.max(0, next - now));
  }
}
