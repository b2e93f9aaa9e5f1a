import { type Stats, statSync } from 'node:fs';
import { loadPasswordFile, type PasswordMap } from './password-file.ts';

/**
 * --redis.password-file, read again when it changes (redis_exporter reads it once; the exporter and `up` watch it): `redoubt rotate` replaces it
 * with the new password (a new file renamed over the old), and the exporter's next connection should use it. A stat
 * per scrape is the whole cost. A file that becomes unreadable or malformed keeps the last good passwords, and
 * says so once per change (never quoting the file: it is full of passwords).
 */
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
    const signature = signatureOf(statOrUndefined(this.path));
    if (signature === this.signature) return this.passwords;
    this.signature = signature;
    // loadPasswordFile refuses a FIFO put at the path (the read would block every scrape) and a huge file.
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
