/**
 * Changes to the console's users, as `redoubt up user …` and the first start make them: read users.json under its
 * lock, change the list, write it back atomically (0600). The running `redoubt up` sees the new file at its next
 * request; a changed password or a removed user ends that user's sessions there.
 */
import type { Role } from '../contract.ts';
import { hashPassword } from './password-hash.ts';
import {
  type ConsoleUser,
  newStamp,
  readUsers,
  UserFileError,
  userNameProblem,
  withUserFileLock,
  writeUsers,
} from './user-file.ts';

export type UserChange =
  | { kind: 'add'; name: string; role: Role; password: string }
  | { kind: 'passwd'; name: string; password: string }
  | { kind: 'role'; name: string; role: Role }
  | { kind: 'del'; name: string };

/** The list after `change`, or a UserFileError saying why not (unknown user, last admin, …). Pure. */
export function applyChange(users: readonly ConsoleUser[], change: UserChange, hash: string): ConsoleUser[] {
  const problem = userNameProblem(change.name);
  if (problem) throw new UserFileError(problem);
  const existing = users.find((u) => u.name === change.name);
  if (change.kind === 'add') {
    if (existing)
      throw new UserFileError(`user ${change.name} exists; change its password with "redoubt up user passwd"`);
    return [...users, { name: change.name, role: change.role, hash, stamp: newStamp() }];
  }
  if (!existing) throw new UserFileError(`no user ${change.name}`);
  const admins = users.filter((u) => u.role === 'admin' && u.name !== change.name).length;
  if (change.kind === 'del') {
    if (existing.role === 'admin' && admins === 0)
      throw new UserFileError(`${change.name} is the last admin; add another admin before removing it`);
    return users.filter((u) => u.name !== change.name);
  }
  if (change.kind === 'role') {
    if (existing.role === 'admin' && change.role !== 'admin' && admins === 0)
      throw new UserFileError(`${change.name} is the last admin; add another admin first`);
    return users.map((u) => (u.name === change.name ? { ...u, role: change.role, stamp: newStamp() } : u));
  }
  return users.map((u) => (u.name === change.name ? { ...u, hash, stamp: newStamp() } : u));
}

/** Applies one change to users.json under its lock. */
export async function changeUsers(dataDir: string, change: UserChange): Promise<void> {
  const hash = 'password' in change ? await hashPassword(change.password) : '';
  withUserFileLock(dataDir, () => {
    const users = readUsers(dataDir);
    if (users === undefined)
      throw new UserFileError(`no users yet in ${dataDir}: "redoubt up" creates the first admin when it starts`);
    writeUsers(dataDir, applyChange(users ?? [], change, hash));
  });
}

/**
 * At the first start (no users.json): the `admin` user with REDOUBT_ADMIN_PASSWORD or the password given, created
 * only if the file is still absent under the lock. Returns whether it was created.
 */
export async function createFirstAdmin(dataDir: string, password: string): Promise<boolean> {
  if (readUsers(dataDir) !== undefined) return false;
  const hash = await hashPassword(password);
  return withUserFileLock(dataDir, () => {
    if (readUsers(dataDir) !== undefined) return false;
    writeUsers(dataDir, [{ name: 'admin', role: 'admin', hash, stamp: newStamp() }]);
    return true;
  });
}
