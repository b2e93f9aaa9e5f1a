import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile } from '../../fs/read-file.ts';

/** Another process holds the data directory. */
export class StoreLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLockedError';
  }
}

const LOCK_NAME = 'LOCK';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One store per data directory: a LOCK file holding the owner's pid, created exclusively (never through a link).
 * A lock left by a process that no longer runs (killed with -9) is taken over.
 */
export class DirectoryLock {
  private constructor(private readonly path: string) {}

  static acquire(dir: string): DirectoryLock {
    const path = join(dir, LOCK_NAME);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new DirectoryLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number.parseInt(readRegularFile(path)?.toString('utf8') ?? '', 10);
      if (Number.isSafeInteger(owner) && owner > 0 && isAlive(owner))
        throw new StoreLockedError(
          `${dir} is in use by another redoubt (pid ${owner}); stop it or choose another data directory`,
        );
      rmSync(path, { force: true });
    }
    throw new StoreLockedError(`${dir} is being locked by another process at the same time; try again`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
