import { type Stats, statSync } from 'node:fs';
import { loadPasswordFile, type PasswordMap } from './password-file.ts';

/**
 * --redis.password-file, read again when it changes (redis_exporter reads it once; the exporter and `up` watch it): `redoubt rotate` replaces it
 * with the new password (a new file renamed over the old), and the exporter's next connection should use it. A stat
 * per scrape is the whole cost. A file that becomes unreadable or malformed keeps the last good passwords, and
 * says so once per change (never quoting the file: it is full of passwords).
 */
/** Far more than any password file (a few hundred bytes per server). */
const MAX_PASSWORD_FILE_BYTES = 1024 * 1024;

export class PasswordFileWatch {
  private passwords: PasswordMap;
  private signature: string;

  constructor(
    private readonly path: string,
    private readonly onBadChange: (message: string) => void,
  ) {
    this.signature = signatureOf(statOrUndefined(path));
    this.passwords = loadPasswordFile(path);
  }

  /** The passwords now: the file read again if its inode, size or modification time changed. */
  current(): PasswordMap {
    const st = statOrUndefined(this.path);
    const signature = signatureOf(st);
    if (signature === this.signature) return this.passwords;
    this.signature = signature;
    // A FIFO put at the path would block the read (and every scrape with it); a huge file would fill the memory.
    if (st && !st.isFile()) {
      this.onBadChange(`${this.path} is not a regular file any more; keeping the passwords read before`);
      return this.passwords;
    }
    if (st && st.size > MAX_PASSWORD_FILE_BYTES) {
      this.onBadChange(
        `${this.path} is larger than ${MAX_PASSWORD_FILE_BYTES} bytes, not a password file; keeping the passwords read before`,
      );
      return this.passwords;
    }
    try {
      this.passwords = loadPasswordFile(this.path);
    } catch (err) {
      this.onBadChange(`${(err as Error).message}; keeping the passwords read before`);
    }
    return this.passwords;
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function signatureOf(st: Stats | undefined): string {
  return st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'missing';
}
