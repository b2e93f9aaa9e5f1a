/**
 * Backups `redoubt up` runs on a schedule (redoubt.yml `up.backups`): each target's backup at its interval or
 * daily time, one at a time (a queue; a second target waits for the first), in-process with the backup engine,
 * never on the scrape path (the scrape ticks do not wait for it). Outcomes become the same series
 * `redoubt backup --metrics-file` writes (last success, last size, failures; labelled by source) plus the
 * schedule's period, on up's /metrics and in its history so the catalogue's RedisBackupStale/Failed see them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type BackupSchedule, nextRunAt, schedulePeriodSeconds } from '../config/up-backups.ts';
import { makeDirectory } from '../fs/atomic-write.ts';
import type { MetricFamily } from '../metrics/family.ts';
import type { Appendable } from '../promql/types.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { redactSecrets } from '../redis/errors.ts';
import type { RedisTarget } from '../redis/target.ts';
import { backupPrefix, parseBackupName } from './backup-names.ts';
import type { EncryptionKey } from './keys.ts';
import { manifestPathFor, parseManifest } from './manifest.ts';
import { Progress } from './progress.ts';
import type { RetentionPolicy } from './retention.ts';
import { runBackup } from './run-backup.ts';

/** One scheduled backup, resolved: who to log in as, where to write, how to encrypt. */
export interface ScheduledBackup {
  target: RedisTarget;
  schedule: BackupSchedule;
  outDir: string;
  key: EncryptionKey;
  retention?: RetentionPolicy;
}

interface Outcome {
  lastSuccessSeconds?: number;
  lastSizeBytes?: number;
  failures: number;
}

export interface BackupSchedulerOptions {
  tls?: TlsOptions;
  /** Where the series go besides /metrics (up's history), appended every `appendEveryMs`. */
  history: Appendable;
  appendEveryMs: number;
  say(line: string): void;
  /** Give up on a transfer when no byte arrives for this long. */
  idleTimeoutMs?: number;
}

const JOB = 'redoubt';
const silent = new Writable({ write: (_c, _e, done) => done() });

/** The newest kept backup of this target in its directory (so a restart of up keeps the last success time). */
function newestKept(job: ScheduledBackup): Outcome {
  const prefix = backupPrefix(job.target);
  let files: string[];
  try {
    files = readdirSync(job.outDir);
  } catch {
    return { failures: 0 };
  }
  const newest = files
    .map((f) => parseBackupName(f))
    .filter((b) => b !== undefined && b.prefix === prefix)
    .sort((a, b) => (b?.time ?? 0) - (a?.time ?? 0))[0];
  if (!newest) return { failures: 0 };
  try {
    const m = parseManifest(readFileSync(manifestPathFor(join(job.outDir, newest.file)), 'utf8'));
    if (m.size_bytes === undefined) return { failures: 0 };
    return { lastSuccessSeconds: Math.floor(newest.time / 1000), lastSizeBytes: m.size_bytes, failures: 0 };
  } catch {
    return { failures: 0 };
  }
}

export class BackupScheduler {
  private readonly outcomes: Outcome[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly queue: number[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The job whose backup is running, if any. */
  private current: number | undefined;

  constructor(
    private readonly jobs: readonly ScheduledBackup[],
    private readonly o: BackupSchedulerOptions,
  ) {
    this.outcomes = jobs.map((j) => newestKept(j));
  }

  start(): void {
    for (const [i, job] of this.jobs.entries()) this.arm(i, nextRunAt(job.schedule, Date.now()));
    if (this.jobs.length > 0) {
      const t = setInterval(() => this.appendSamples(Date.now()), this.o.appendEveryMs);
      t.unref();
      this.timers.push(t);
      this.appendSamples(Date.now());
    }
  }

  /**
   * Stops the timers and lets a backup under way finish (it is kept only if it verifies). A SIGKILL meanwhile
   * leaves only a hidden temporary file, which the next backup of that server removes once it is an hour old.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.queue.length = 0;
    if (this.current !== undefined)
      this.o.say(
        `waiting for the backup of ${this.jobs[this.current].target.display} to finish (SIGKILL abandons it; nothing is kept from it then)`,
      );
    await this.running;
  }

  private arm(i: number, at: number): void {
    if (this.stopped) return;
    // setTimeout's limit is 2^31-1 ms (24.8 days): longer waits re-arm.
    const wait = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    const t = setTimeout(() => {
      this.timers.splice(this.timers.indexOf(t), 1);
      if (Date.now() < at) {
        this.arm(i, at);
        return;
      }
      this.enqueue(i);
      this.arm(i, nextRunAt(this.jobs[i].schedule, Math.max(at, Date.now())));
    }, wait);
    t.unref();
    this.timers.push(t);
  }

  /** Queues a run unless this target is queued already (a slow backup does not pile up runs behind it). */
  private enqueue(i: number): void {
    if (this.queue.includes(i)) return;
    this.queue.push(i);
    if (!this.running) this.running = this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    for (let i = this.queue.shift(); i !== undefined && !this.stopped; i = this.queue.shift()) {
      this.current = i;
      await this.runOne(i);
      this.current = undefined;
    }
  }

  private async runOne(i: number): Promise<void> {
    const job = this.jobs[i];
    const say = (line: string) => this.o.say(`backup of ${job.target.display}: ${redactSecrets(line)}`);
    try {
      makeDirectory(job.outDir, 0o700);
      const result = await runBackup({
        targets: [job.target],
        tls: this.o.tls,
        outDir: job.outDir,
        key: job.key,
        retention: job.retention,
        idleTimeoutMs: this.o.idleTimeoutMs ?? 60_000,
        maxBytes: 1024 ** 4,
        rdbOnly: false,
        progress: (label) => new Progress(silent, false, label, Number.POSITIVE_INFINITY),
        say,
      });
      const o = this.outcomes[i];
      o.lastSuccessSeconds = Math.floor(Date.now() / 1000);
      o.lastSizeBytes = result.manifest.size_bytes;
      say(`wrote ${result.path} (${result.manifest.kind}, ${result.manifest.keys} keys, ${o.lastSizeBytes} bytes)`);
      for (const f of result.removed) say(`removed ${f}`);
    } catch (err) {
      this.outcomes[i].failures++;
      say(`failed: ${(err as Error).message}`);
    }
    this.appendSamples(Date.now());
  }

  /** [name, labels, value] of every series, as /metrics shows them and the history keeps them. */
  private series(): Array<[string, Record<string, string>, number]> {
    const out: Array<[string, Record<string, string>, number]> = [];
    this.jobs.forEach((job, i) => {
      const labels = { source: job.target.display };
      const o = this.outcomes[i];
      if (o.lastSuccessSeconds !== undefined)
        out.push(['redoubt_backup_last_success_timestamp_seconds', labels, o.lastSuccessSeconds]);
      if (o.lastSizeBytes !== undefined) out.push(['redoubt_backup_last_size_bytes', labels, o.lastSizeBytes]);
      out.push(['redoubt_backup_failures_total', labels, o.failures]);
      out.push(['redoubt_backup_interval_seconds', labels, schedulePeriodSeconds(job.schedule)]);
    });
    return out;
  }

  private appendSamples(now: number): void {
    for (const [name, labels, value] of this.series())
      this.o.history.append({ __name__: name, job: JOB, ...labels }, now, value);
  }

  /** The series as /metrics families. */
  families(): MetricFamily[] {
    const help: Record<string, [MetricFamily['type'], string]> = {
      redoubt_backup_last_success_timestamp_seconds: ['gauge', 'When the last backup of this source was kept.'],
      redoubt_backup_last_size_bytes: ['gauge', 'Plaintext size of the last backup kept.'],
      redoubt_backup_failures_total: ['counter', 'Backups of this source that failed (nothing was kept).'],
      redoubt_backup_interval_seconds: ['gauge', 'How often this source is backed up (a day for a daily time).'],
    };
    const all = this.series();
    return Object.entries(help).map(([name, [type, text]]) => ({
      name,
      type,
      help: text,
      samples: all.filter((s) => s[0] === name).map(([, labels, value]) => ({ labels, value, suffix: '' })),
    }));
  }
}
