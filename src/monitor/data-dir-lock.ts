import { DirectoryLock } from '../fs/directory-lock.ts';

export const LOCK_FILE = 'redoubt.lock';

/** One `redoubt up` per data directory (src/fs/directory-lock.ts). */
export function lockDataDirectory(dir: string): DirectoryLock {
  return DirectoryLock.acquire(dir, LOCK_FILE, { program: 'redoubt up', choice: '--data-dir' });
}
