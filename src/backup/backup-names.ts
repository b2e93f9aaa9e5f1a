import type { RedisTarget } from '../redis/target.ts';

/** `redis-<host>-<port>`: the part of a backup's name that says which server it came from. */
export function backupPrefix(target: RedisTarget): string {
  const where =
    target.scheme === 'unix' ? `unix-${target.path.split('/').pop() ?? 'socket'}` : `${target.host}-${target.port}`;
  return `redis-${where.replace(/[^A-Za-z0-9.-]+/g, '_')}`;
}

/** 2026-12-06T02:30:05.123Z → 20261206T023005Z */
export function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export function backupFileName(prefix: string, date: Date, kind: 'rdb' | 'logical'): string {
  return `${prefix}-${stamp(date)}.${kind}.age`;
}

const NAME = /^(.+)-(\d{8}T\d{6}Z)\.(rdb|logical)\.age$/;

export interface BackupName {
  file: string;
  prefix: string;
  /** Unix milliseconds from the name's timestamp. */
  time: number;
}

export function parseBackupName(file: string): BackupName | undefined {
  const m = NAME.exec(file);
  if (!m) return undefined;
  const s = m[2];
  const time = Date.UTC(
    +s.slice(0, 4),
    +s.slice(4, 6) - 1,
    +s.slice(6, 8),
    +s.slice(9, 11),
    +s.slice(11, 13),
    +s.slice(13, 15),
  );
  return Number.isNaN(time) ? undefined : { file, prefix: m[1], time };
}
