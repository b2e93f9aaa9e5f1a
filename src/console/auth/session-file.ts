/**
 * The console's sessions on disk, `<data dir>/sessions.json` (mode 0600, written atomically), so that a restart of
 * `up` keeps everyone signed in: each session by the SHA-256 of its id (the cookie's value is never written), its
 * user and that user's stamp at login (whoever was removed, or whose password or role changed, is not let back in),
 * and its idle and absolute expiry. Not its CSRF token: that is derived from the id (csrfTokenOf), so nothing here
 * lets anyone act as a session without its cookie. A `csrfToken` an older version wrote is ignored. A file that is
 * missing, a link, another user's, readable by others, too large or malformed starts empty with one line saying
 * why: sessions are a convenience, never a reason not to start.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileWriteError, writeFileAtomic } from '../../fs/atomic-write.ts';
import { MAX_SESSIONS, type SessionPersistence, type StoredSession } from './sessions.ts';
import { userNameProblem } from './user-file.ts';

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function sessionsPath(dataDir: string): string {
  return join(dataDir, 'sessions.json');
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The well-formed entries of a parsed file (the others dropped), at most MAX_SESSIONS. */
export function parseSessions(doc: unknown): StoredSession[] {
  const list = (doc as { sessions?: unknown } | null)?.sessions;
  if (!Array.isArray(list)) return [];
  const out: StoredSession[] = [];
  for (const e of list.slice(0, MAX_SESSIONS) as Array<Record<string, unknown> | null>) {
    const ok =
      typeof e?.key === 'string' &&
      TOKEN.test(e.key) &&
      typeof e.user === 'string' &&
      !userNameProblem(e.user) &&
      typeof e.stamp === 'string' &&
      e.stamp.length <= 64 &&
      isTime(e.createdAt) &&
      isTime(e.lastSeenAt) &&
      isTime(e.expiresAt);
    if (!ok) continue;
    const { key, user, stamp, createdAt, lastSeenAt, expiresAt } = e as unknown as StoredSession;
    out.push({ key, user, stamp, createdAt, lastSeenAt, expiresAt });
  }
  return out;
}

/** Why sessions.json is set aside. */
class SessionFileProblem extends Error {}

/** The file's text, undefined when there is none; a SessionFileProblem when it is not to be trusted. */
function readText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SessionFileProblem(
      code === 'ELOOP' ? 'it is a symbolic link (not followed)' : `it cannot be read (${code})`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SessionFileProblem('it is not a regular file');
    // Another user's file could grant any session (its stamps are in users.json): only up's own is trusted.
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid)
      throw new SessionFileProblem(`it belongs to uid ${st.uid}, not to up's user`);
    if ((st.mode & 0o077) !== 0) throw new SessionFileProblem('others may read it');
    if (st.size > MAX_FILE_BYTES) throw new SessionFileProblem(`it is larger than ${MAX_FILE_BYTES} bytes`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** sessions.json as the store's persistence; `warn` gets one line when the file is set aside or cannot be written. */
export function sessionFile(dataDir: string, warn: (line: string) => void): SessionPersistence {
  const path = sessionsPath(dataDir);
  let failing = false;
  return {
    load() {
      try {
        const text = readText(path);
        return text === undefined ? [] : parseSessions(JSON.parse(text));
      } catch (err) {
        if (!(err instanceof SessionFileProblem || err instanceof SyntaxError)) throw err;
        const why = err instanceof SessionFileProblem ? err.message : 'not valid JSON';
        warn(`${path}: ${why}; the console starts with no sessions`);
        return [];
      }
    },
    save(sessions) {
      try {
        writeFileAtomic(path, `${JSON.stringify({ version: 1, sessions })}\n`, { mode: 0o600, overwrite: true });
        failing = false;
      } catch (err) {
        if (!(err instanceof FileWriteError)) throw err;
        if (!failing) warn(`cannot save the console's sessions (a restart will sign everyone out): ${err.message}`);
        failing = true;
      }
    },
  };
}
