import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FileWriteError } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import { loadPasswordFile, lookupPassword } from '../redis/password-file.ts';
import { parseTarget, type RedisTarget } from '../redis/target.ts';
import { passwordFileKeys, readEnvEntry, setEnvEntry, setPasswordEntries } from './credential-files.ts';
import { passwordHash, readNewPassword } from './new-password.ts';
import type { CredentialFile } from './rotation.ts';
import type { RotationState } from './state-file.ts';

/** Where the user asked the new password to go: `--dotenv`/`--env-key`, `--password-file`/`--password-key`. */
export interface CredentialTargets {
  envFile?: string;
  envKey?: string;
  passwordFile?: string;
  passwordKeys: string[];
}

export interface CredentialWrites {
  files: CredentialFile[];
  /** What the state file records, for --finish to read the password back. */
  env?: RotationState['envFile'];
  passwords?: RotationState['passwordFile'];
}

/** The mode of an existing file (kept when it is rewritten), 0600 for a new one. */
function modeOf(path: string): number {
  return (statSync(path, { throwIfNoEntry: false })?.mode ?? 0o600) & 0o777;
}

/** The owner and group of an existing file (kept when root rewrites it), undefined for a new one. */
function ownerOf(path: string): { uid: number; gid: number } | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { uid: st.uid, gid: st.gid } : undefined;
}

/** The directory of a file rotate will write exists and only its owners may write it (checked before any change). */
export function checkDirectory(path: string): void {
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory())
    throw new FileWriteError(`the directory of ${path} does not exist; create it first or choose another path`);
  checkNotWorldWritable(dirname(path));
}

/**
 * The refusal the atomic writer makes at write time (src/fs/atomic-write.ts), made here before any server changes:
 * a directory on the path every user may write to, without the sticky bit, would fail the file step after the new
 * password was already added everywhere (then rolled back).
 */
function checkNotWorldWritable(dir: string): void {
  let current = realpathSync(dir);
  for (;;) {
    const st = statSync(current, { throwIfNoEntry: false });
    if (st?.isDirectory() && st.mode & 0o002 && !(st.mode & 0o1000))
      throw new FileWriteError(
        `${current} may be written by every user (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): another user could replace the file redoubt writes there; run chmod o-w ${current}, or choose another directory`,
      );
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * The files to write and their new content, read before anything changes: a link, a directory, a malformed
 * password file or a missing directory is found here (errors name the file, never a password).
 */
export function planCredentialWrites(
  to: CredentialTargets,
  servers: RedisTarget[],
  user: string,
  password: string,
): CredentialWrites {
  const out: CredentialWrites = { files: [] };
  if (to.envFile && to.envKey) {
    const path = resolve(to.envFile);
    checkDirectory(path);
    const before = readRegularFile(path);
    const after = setEnvEntry(before?.toString('utf8') ?? '', to.envKey, password);
    const label = `${to.envFile} (${to.envKey})`;
    out.files.push({ path, label, before, beforeMode: modeOf(path), beforeOwner: ownerOf(path), after });
    out.env = { path, key: to.envKey };
  }
  if (to.passwordFile) {
    const path = resolve(to.passwordFile);
    checkDirectory(path);
    const before = readRegularFile(path);
    const map = before ? loadPasswordFile(path) : new Map<string, string>();
    const keys = passwordFileKeys(map, servers, user, to.passwordKeys);
    const label = `${to.passwordFile} (${keys.length} entr${keys.length === 1 ? 'y' : 'ies'})`;
    const after = setPasswordEntries(map, keys, password);
    out.files.push({ path, label, before, beforeMode: modeOf(path), beforeOwner: ownerOf(path), after });
    out.passwords = { path, keys };
  }
  return out;
}

/**
 * The new password read back from where the first half wrote it (or from --new-password-file), if it is still
 * there and its SHA-256 is the one recorded; undefined otherwise.
 */
export function readNewPasswordBack(state: RotationState, givenFile: string | undefined): string | undefined {
  const candidates: Array<string | undefined> = [];
  if (givenFile) candidates.push(readNewPassword(givenFile));
  if (state.envFile) {
    const text = readRegularFile(state.envFile.path)?.toString('utf8');
    if (text) candidates.push(readEnvEntry(text, state.envFile.key));
  }
  if (state.passwordFile && readRegularFile(state.passwordFile.path)) {
    const map = loadPasswordFile(state.passwordFile.path);
    for (const k of state.passwordFile.keys) candidates.push(map.get(k) ?? lookupPassword(map, parseTarget(k)));
  }
  return candidates.find((p) => p !== undefined && passwordHash(p) === state.newHash);
}
