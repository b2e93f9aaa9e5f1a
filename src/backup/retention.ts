import { type BackupName, parseBackupName } from './backup-names.ts';

/** How many backups to keep: the newest `last`, plus the newest of each of the last `daily` days and `weekly` weeks. */
export interface RetentionPolicy {
  last: number;
  daily: number;
  weekly: number;
}

function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** ISO-8601 week (Monday first) as "2026-W49". */
function weekOf(time: number): string {
  const d = new Date(time);
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * 86400e3));
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function newestPerPeriod(sorted: BackupName[], period: (t: number) => string, count: number): BackupName[] {
  const kept: BackupName[] = [];
  const seen = new Set<string>();
  for (const b of sorted) {
    if (seen.size >= count) break;
    const p = period(b.time);
    if (seen.has(p)) continue;
    seen.add(p);
    kept.push(b);
  }
  return kept;
}

/**
 * The backup files of `prefix` (one source) that the policy no longer keeps, oldest first. Pure: names in, names
 * out; files that do not look like redoubt backups of this source are never chosen.
 */
export function expiredBackups(files: string[], prefix: string, policy: RetentionPolicy): string[] {
  const mine = files
    .map(parseBackupName)
    .filter((b): b is BackupName => b !== undefined && b.prefix === prefix)
    .sort((a, b) => b.time - a.time || (a.file < b.file ? 1 : -1));
  const keep = new Set<string>(mine.slice(0, Math.max(1, policy.last)).map((b) => b.file));
  for (const b of newestPerPeriod(mine, dayOf, policy.daily)) keep.add(b.file);
  for (const b of newestPerPeriod(mine, weekOf, policy.weekly)) keep.add(b.file);
  return mine
    .filter((b) => !keep.has(b.file))
    .map((b) => b.file)
    .reverse();
}
