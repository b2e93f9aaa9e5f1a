/**
 * The console's users, in `<data dir>/users.json` (mode 0600, written atomically): name, role and scrypt hash, and a
 * stamp that changes with the password, so the sessions of a changed or removed user end. Read and written by
 * the running `redoubt up` and by `redoubt up user …`, which takes `users.json.lock` while it changes the file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FileWriteError, writeFileAtomic } from '../../fs/atomic-write.ts';
import type { Role } from '../contract.ts';
import { parseHash } from './password-hash.ts';

export interface ConsoleUser {
  name: string;
  role: Role;
  hash: string;
  /** Changes when the password or role changes: sessions made under another stamp are over. */
  stamp: string;
}

export class UserFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFileError';
  }
}

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_USERS = 1000;

export function usersPath(dataDir: string): string {
  return join(dataDir, 'users.json');
}

/** A user name: letters, digits and `._-`, 1–64 characters, starting with a letter or digit. */
export function userNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    return `"${name.slice(0, 64)}" is not a user name: use 1-64 letters, digits, ".", "_" or "-"`;
  return undefined;
}

export function newStamp(): string {
  return randomBytes(9).toString('base64url');
}

function parseUsers(path: string, text: string): ConsoleUser[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserFileError(`${path} is not valid JSON; restore it or remove it to start over with a new admin`);
  }
  const list = (doc as { users?: unknown })?.users;
  if (!Array.isArray(list) || list.length > MAX_USERS) throw new UserFileError(`${path}: no "users" list`);
  return list.map((u: Record<string, unknown>, i) => {
    const ok =
      typeof u?.name === 'string' &&
      !userNameProblem(u.name) &&
      (u.role === 'viewer' || u.role === 'admin') &&
      typeof u.hash === 'string' &&
      parseHash(u.hash) !== undefined &&
      typeof u.stamp === 'string';
    if (!ok) throw new UserFileError(`${path}: user ${i + 1} is not a valid entry (name, role, hash, stamp)`);
    return { name: u.name as string, role: u.role as Role, hash: u.hash as string, stamp: u.stamp as string };
  });
}

/** The users in the file, or undefined when there is no file yet. A file others may read is refused. */
export function readUsers(dataDir: string): ConsoleUser[] | undefined {
  const path = usersPath(dataDir);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UserFileError(`cannot read ${path}: ${code === 'ELOOP' ? 'a symbolic link (not followed)' : code}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserFileError(`${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) throw new UserFileError(`${path} is readable by others; run chmod 600 ${path}`);
    if (st.size > MAX_FILE_BYTES) throw new UserFileError(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
    return parseUsers(path, readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

export function writeUsers(dataDir: string, users: readonly ConsoleUser[]): void {
  const body = JSON.stringify({ version: 1, users }, null, 2);
  writeFileAtomic(usersPath(dataDir), `${body}\n`, { mode: 0o600, overwrite: true });
}

/** What identifies a version of the file: a change by anyone (an atomic rename) changes it. */
export function fileVersion(dataDir: string): string {
  try {
    const st = statSync(usersPath(dataDir));
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

/**
 * Runs `change` holding `users.json.lock` (created exclusively, holding the pid): two `redoubt up user` commands
 * never lose each other's change. A lock older than a minute is left by a killed command and taken over.
 */
export function withUserFileLock<T>(dataDir: string, change: () => T): T {
  const lock = `${usersPath(dataDir)}.lock`;
  let fd: number | undefined;
  for (let attempt = 0; attempt < 2 && fd === undefined; attempt++) {
    try {
      fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FileWriteError(`cannot create ${lock}`);
      const age = Date.now() - statSync(lock).mtimeMs;
      if (age < 60_000 || attempt > 0)
        throw new UserFileError(`${lock} exists: another "redoubt up user" is changing the users; try again`);
      rmSync(lock, { force: true });
    }
  }
  try {
    writeSync(fd as number, `${process.pid}\n`);
    return change();
  } finally {
    closeSync(fd as number);
    rmSync(lock, { force: true });
  }
}
