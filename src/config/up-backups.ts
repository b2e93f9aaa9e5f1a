import { parseTarget } from '../redis/target.ts';

/** One scheduled backup of `redoubt up` (redoubt.yml `up.backups[]`). */
export interface UpBackup {
  /** One of redis.targets, as written there (no password; `user` names who logs in). */
  target: string;
  /** An interval (`24h`, `6h`, `30m`) or a daily local time (`03:00`). */
  schedule: string;
  /** Directory for the backups and their manifests (relative to redoubt.yml). */
  out: string;
  /** age X25519 recipients (age1…); or passphraseFile. */
  recipients: string[];
  passphraseFile: string;
  /** Keep the newest N backups of this target in `out` (0: keep all). */
  keep: number;
  /** ACL user the backup logs in as ('' for up's own user). */
  user: string;
}

/** When a backup runs: every `everyMs`, or daily at `hour:minute` (local time). */
export type BackupSchedule = { kind: 'interval'; everyMs: number } | { kind: 'daily'; hour: number; minute: number };

const KNOWN = ['target', 'schedule', 'out', 'recipient', 'passphraseFile', 'keep', 'user'];
const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `1h30m`, `2s` or `03:00`; undefined when it is neither (or an interval under a second). */
export function parseBackupSchedule(text: string): BackupSchedule | undefined {
  const daily = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (daily) return { kind: 'daily', hour: Number(daily[1]), minute: Number(daily[2]) };
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNITS[m[2]];
  return ms >= 1000 && Number.isSafeInteger(ms) ? { kind: 'interval', everyMs: ms } : undefined;
}

/** The schedule's period in seconds (a day for a daily time): what RedisBackupStale doubles. */
export function schedulePeriodSeconds(s: BackupSchedule): number {
  return s.kind === 'interval' ? s.everyMs / 1000 : 86_400;
}

/** When the next run is due after `from` (ms): the next daily time, or `from` + the interval. */
export function nextRunAt(s: BackupSchedule, from: number): number {
  if (s.kind === 'interval') return from + s.everyMs;
  const d = new Date(from);
  d.setHours(s.hour, s.minute, 0, 0);
  if (d.getTime() <= from) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** host:port (or socket path) of a Redis URL, to match an entry with redis.targets whoever logs in. */
export function targetAddress(url: string): string {
  const t = parseTarget(url);
  return t.scheme === 'unix' ? `unix:${t.path}` : `${t.scheme}://${t.host}:${t.port}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && ![...v].some((c) => c.charCodeAt(0) < 0x20) ? v.trim() : undefined;
}

function recipientsOf(v: unknown, fail: (why: string) => never): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((r) => {
    if (typeof r !== 'string' || !RECIPIENT.test(r.trim()))
      fail(
        'must be an age X25519 recipient (age1 followed by 58 characters, as age-keygen -y prints), or a list of them',
      );
    return (r as string).trim();
  });
}

/** One `up.backups[i]` entry, checked against redis.targets; `fail(key, why)` names the key and line. */
function parseEntry(
  raw: unknown,
  key: string,
  targets: readonly string[],
  fail: (key: string, why: string) => never,
): UpBackup {
  if (!isRecord(raw)) fail(key, 'must be a mapping { target, schedule, out, recipient | passphraseFile, keep }');
  const e = raw as Record<string, unknown>;
  const extra = Object.keys(e).find((k) => !KNOWN.includes(k));
  if (extra) fail(`${key}.${extra}`, `is not a known key; known keys: ${KNOWN.join(', ')}`);
  const target = text(e.target);
  const known = targets.map((t) => targetAddress(t));
  let address: string | undefined;
  try {
    address = target ? targetAddress(target) : undefined;
  } catch {
    address = undefined;
  }
  if (!target || !address || !known.includes(address))
    fail(`${key}.target`, `must be one of redis.targets (${targets.join(', ')})`);
  if (/^[a-z]+:\/\/[^@/]*:[^@/]*@/i.test(target as string))
    fail(`${key}.target`, 'holds a password; give it in --redis.password-file or REDIS_PASSWORD, never in redoubt.yml');
  const schedule = text(e.schedule);
  if (!schedule || !parseBackupSchedule(schedule))
    fail(`${key}.schedule`, 'must be an interval of 1s or more (24h, 6h, 30m) or a daily time (03:00)');
  const out = text(e.out);
  if (!out) fail(`${key}.out`, 'must name the directory for the backups');
  const recipients = recipientsOf(e.recipient, (why) => fail(`${key}.recipient`, why));
  const passphraseFile = e.passphraseFile === undefined ? '' : text(e.passphraseFile);
  if (passphraseFile === undefined) fail(`${key}.passphraseFile`, 'must be a path');
  if (recipients.length > 0 === Boolean(passphraseFile))
    fail(key, 'needs recipient (age1…) or passphraseFile, one of the two: backups are always encrypted');
  const keep = e.keep ?? 0;
  if (!Number.isInteger(keep) || (keep as number) < 0) fail(`${key}.keep`, 'must be a whole number, 0 or more');
  const user = e.user === undefined ? '' : text(e.user);
  if (user === undefined || !/^[^\s@:/]*$/.test(user)) fail(`${key}.user`, 'must be an ACL user name');
  return {
    target: target as string,
    schedule: schedule as string,
    out: out as string,
    recipients,
    passphraseFile: passphraseFile as string,
    keep: keep as number,
    user: user as string,
  };
}

/** `up.backups`: a list of scheduled backups, at most one per target. */
export function parseUpBackups(
  raw: unknown,
  targets: readonly string[],
  fail: (key: string, why: string) => never,
): UpBackup[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail('up.backups', 'must be a list of { target, schedule, out, recipient, keep }');
  const seen = new Set<string>();
  return (raw as unknown[]).map((r, i) => {
    const entry = parseEntry(r, `up.backups[${i}]`, targets, fail);
    const address = targetAddress(entry.target);
    if (seen.has(address)) fail(`up.backups[${i}].target`, `${entry.target} has a backup entry already`);
    seen.add(address);
    return entry;
  });
}
