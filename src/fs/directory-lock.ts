import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeFsError } from './atomic-write.ts';
import { readRegularFile } from './read-file.ts';

/** Who holds a directory, for the refusal a user reads: the program, and what to change to pick another. */
export interface LockOwner {
  /** e.g. 'redoubt up'. */
  readonly program: string;
  /** e.g. '--data-dir'. */
  readonly choice: string;
}

/** Another process holds the directory: the user stops it or picks another. */
export class DirectoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
    owner: LockOwner,
  ) {
    super(
      `the data directory ${dir} is in use by another ${owner.program} (pid ${pid}); stop it first, or pick another ${owner.choice}`,
    );
    this.name = 'DirectoryLockedError';
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock file names ("pid hostname"), read without following a link and at most 512 bytes of it. */
function holder(path: string): number | undefined {
  const text = readRegularFile(path)?.subarray(0, 512).toString('utf8') ?? '';
  const m = /^(\d+)\s/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * One process per directory: a lock file created with O_EXCL (never through a link) holding "pid hostname". A lock
 * left by a process that no longer runs (kill -9, a crash) is taken over; one whose process runs is refused. The
 * hostname is for people reading the file: a container gets a new one on every start, so it cannot tell a stale
 * lock. (Not made for a directory shared by two machines.)
 */
export class DirectoryLock {
  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static acquire(dir: string, fileName: string, owner: LockOwner): DirectoryLock {
    const path = join(dir, fileName);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        writeSync(fd, `${process.pid} ${hostname()}\n`);
        return new DirectoryLock(path, fd);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeFsError(`create the lock ${path}`, err);
      }
      const pid = holder(path);
      if (pid !== undefined && alive(pid)) throw new DirectoryLockedError(dir, pid, owner);
      // Stale (its process is gone, or the file is unreadable garbage): take it over.
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw describeFsError(`remove the stale lock ${path}`, err);
      }
    }
    throw new Error(`could not lock ${dir}: another ${owner.program} took it at the same time`);
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
