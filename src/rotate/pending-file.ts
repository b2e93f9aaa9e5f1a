import { lstatSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import { passwordHash } from './new-password.ts';
import type { CredentialFile } from './rotation.ts';
import { parseState, type RotationState, StateFileError } from './state-file.ts';

/**
 * The rotation that is under way, written (0600, atomically) before the first server is touched and removed when
 * the state file is written (or everything was rolled back). Unlike the state file it holds the new password in
 * clear: a rotation killed after adding it to a server but before writing .env would otherwise leave a password
 * the server accepts and nobody knows. With this file, `redoubt rotate --resume` finishes what was started
 * (writes the files, verifies, writes the state) and `--abort` undoes it (removes the new password from every
 * server, puts masterauth and the files back). It also holds what --abort puts back: the old masterauth of the
 * replicas rotate changes, and what each credential file held before. It never reaches output or logs.
 */
export interface PendingRotation {
  version: 1;
  /** The state file the first half writes at its end (the servers, the user, both hashes, where the password goes). */
  state: RotationState;
  newPassword: string;
  /** Replica (as displayed) → its masterauth before the rotation, for the servers whose masterauth rotate sets. */
  masterauthBefore: Record<string, string>;
  /** Each credential file as planned: what it held before (base64, absent: no file) and the content rotate writes. */
  files: PendingFile[];
}

export interface PendingFile {
  path: string;
  label: string;
  before?: string;
  beforeMode: number;
  beforeOwner?: { uid: number; gid: number };
  after: string;
}

const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** The pending file beside the state file: .redoubt-rotate.json → .redoubt-rotate.pending.json. */
export function pendingPathFor(statePath: string): string {
  return statePath.endsWith('.json') ? `${statePath.slice(0, -5)}.pending.json` : `${statePath}.pending`;
}

export function pendingFrom(
  state: RotationState,
  newPassword: string,
  masterauthBefore: Record<string, string>,
  files: CredentialFile[],
): PendingRotation {
  return {
    version: 1,
    state,
    newPassword,
    masterauthBefore,
    files: files.map((f) => ({
      path: f.path,
      label: f.label,
      ...(f.before ? { before: f.before.toString('base64') } : {}),
      beforeMode: f.beforeMode,
      ...(f.beforeOwner ? { beforeOwner: f.beforeOwner } : {}),
      after: f.after,
    })),
  };
}

/** The files as the rotation steps take them (before decoded). */
export function credentialFilesOf(p: PendingRotation): CredentialFile[] {
  return p.files.map((f) => ({ ...f, before: f.before === undefined ? undefined : Buffer.from(f.before, 'base64') }));
}

function fail(path: string, what: string): never {
  // Never quotes the file: it holds passwords.
  throw new StateFileError(
    `the pending-rotation file ${path} ${what}; it is written by \`redoubt rotate\`: check the user's passwords with ACL GETUSER on each server before removing it`,
  );
}

function isOwner(v: unknown): boolean {
  const o = v as { uid?: unknown; gid?: unknown };
  return v === undefined || (typeof o === 'object' && Number.isInteger(o?.uid) && Number.isInteger(o?.gid));
}

function checkFile(path: string, f: unknown): void {
  const x = f as Partial<PendingFile>;
  if (!x || typeof x !== 'object' || typeof x.path !== 'string' || typeof x.label !== 'string')
    fail(path, 'has a malformed file entry');
  if (typeof x.after !== 'string' || (x.before !== undefined && typeof x.before !== 'string'))
    fail(path, 'has a malformed file entry');
  if (!Number.isInteger(x.beforeMode) || !isOwner(x.beforeOwner)) fail(path, 'has a malformed file entry');
}

/** Checks every field of a pending file read back from disk (anything could be there). */
export function parsePending(path: string, text: string): PendingRotation {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    fail(path, 'is not valid JSON');
  }
  const p = data as Partial<PendingRotation>;
  if (!p || typeof p !== 'object' || p.version !== 1) fail(path, 'is not a version 1 pending rotation');
  const state = parseState(path, JSON.stringify(p.state ?? null));
  if (typeof p.newPassword !== 'string' || passwordHash(p.newPassword) !== state.newHash)
    fail(path, "has a new password that does not match the rotation's hash");
  const before = p.masterauthBefore ?? {};
  if (typeof before !== 'object' || Object.values(before).some((v) => typeof v !== 'string'))
    fail(path, 'has a malformed masterauth entry');
  if (!Array.isArray(p.files) || p.files.length > 2) fail(path, 'has malformed files');
  for (const f of p.files) checkFile(path, f);
  return { version: 1, state, newPassword: p.newPassword, masterauthBefore: before, files: p.files };
}

/**
 * --resume writes its files' `after` to their paths and --abort their `before` (modes and owners too), to the
 * servers it names: a file another user could have written (or may read: it holds a password) is refused.
 */
function checkOwnership(path: string): void {
  const st = lstatSync(path);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    fail(path, `belongs to uid ${st.uid}, not to the user running rotate (uid ${uid})`);
  if ((st.mode & 0o077) !== 0)
    fail(
      path,
      `has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}: others may read or change it (it is written 0600)`,
    );
}

export function readPending(path: string): PendingRotation | undefined {
  const buf = readRegularFile(path);
  if (buf === undefined) return undefined;
  checkOwnership(path);
  if (buf.length > MAX_PENDING_BYTES) fail(path, `is larger than ${MAX_PENDING_BYTES} bytes`);
  return parsePending(path, buf.toString('utf8'));
}

export function writePending(path: string, pending: PendingRotation): void {
  writeFileAtomic(path, `${JSON.stringify(pending)}\n`, { mode: 0o600, overwrite: true });
}

export function removePending(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
