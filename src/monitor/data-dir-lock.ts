import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeFsError } from '../fs/atomic-write.ts';

export const LOCK_FILE = 'redoubt.lock';

/** Another `redoubt up` holds the data directory: the user stops it or picks another directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the data directory ${dir} is in use by another redoubt up (pid ${pid}); stop it first, or pick another --data-dir`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock file names. */
function holder(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+) /.exec(text.slice(0, 512));
  return m ? Number(m[1]) : undefined;
}

/**
 * One `redoubt up` per data directory: a lock file created with O_EXCL holding "pid hostname". A lock left by a
 * process that no longer runs (kill -9, a crash) is taken over; one whose process runs is refused. The hostname is
 * for people reading the file: a container gets a new one on every start, so it cannot tell a stale lock. (Not
 * made for a data directory shared by two machines.)
 */
export class DataDirLock {
  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static acquire(dir: string): DataDirLock {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        writeSync(fd, `${process.pid} ${hostname()}\n`);
        return new DataDirLock(path, fd);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeFsError(`create the lock ${path}`, err);
      }
      const pid = holder(path);
      if (pid !== undefined && alive(pid)) throw new DataDirLockedError(dir, pid);
      // Stale (its process is gone, or the file is unreadable garbage): take it over.
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw describeFsError(`remove the stale lock ${path}`, err);
      }
    }
    throw new Error(`could not lock the data directory ${dir}: another redoubt up took it at the same time`);
  }

  release(): void {
    try {
      closeSync(this.fd);
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
