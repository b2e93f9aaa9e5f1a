import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import { ConfigError } from '../redis/password-file.ts';

/**
 * What `redoubt rotate --finish` needs, kept between the two halves of a rotation in a small 0600 file. It holds no
 * password: the old and new ones as SHA-256 (as ACL keeps them: `!<hash>` removes one), and where the new one was
 * written (a requirepass server needs it in clear once more, for CONFIG SET requirepass; --finish reads it back
 * from there and checks it against the hash).
 */
export interface RotationState {
  version: 1;
  user: string;
  /** The servers, as displayed (no credentials): redis://host:port. */
  servers: string[];
  oldHash: string;
  newHash: string;
  /** ISO time the new password was added everywhere. */
  startedAt: string;
  /** ISO time the grace period ends (--grace), or '' when the user finishes by hand. */
  graceUntil: string;
  envFile?: { path: string; key: string };
  passwordFile?: { path: string; keys: string[] };
  /** acl_access_denied_auth per server when the rotation started (Redis 7.2+), to show the increase. */
  deniedAuthAtStart: Record<string, number>;
}

export class StateFileError extends ConfigError {}

const HASH = /^[0-9a-f]{64}$/;
const MAX_STATE_BYTES = 64 * 1024;

function fail(path: string, what: string): never {
  throw new StateFileError(
    `the rotation state file ${path} ${what}; it is written by \`redoubt rotate\`: if it was damaged, check the user's passwords with ACL GETUSER and remove the file`,
  );
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= 64 && v.every((s) => typeof s === 'string' && s.length <= 1024);
}

/** Checks every field of a parsed state file (it is read back from disk: anything could be there). */
export function parseState(path: string, text: string): RotationState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    fail(path, 'is not valid JSON');
  }
  const s = data as Partial<RotationState>;
  if (!s || typeof s !== 'object' || s.version !== 1) fail(path, 'is not a version 1 rotation state');
  if (typeof s.user !== 'string' || s.user === '' || s.user.length > 256) fail(path, 'has no user');
  if (!isStringArray(s.servers) || s.servers.length === 0) fail(path, 'has no servers');
  if (typeof s.oldHash !== 'string' || !HASH.test(s.oldHash)) fail(path, 'has no valid old password hash');
  if (typeof s.newHash !== 'string' || !HASH.test(s.newHash)) fail(path, 'has no valid new password hash');
  if (typeof s.startedAt !== 'string' || Number.isNaN(Date.parse(s.startedAt))) fail(path, 'has no start time');
  if (typeof s.graceUntil !== 'string') fail(path, 'has no grace period');
  const env = s.envFile;
  if (env !== undefined && (typeof env?.path !== 'string' || typeof env.key !== 'string'))
    fail(path, 'has a malformed envFile');
  const pwf = s.passwordFile;
  if (pwf !== undefined && (typeof pwf?.path !== 'string' || !isStringArray(pwf.keys)))
    fail(path, 'has a malformed passwordFile');
  const denied = s.deniedAuthAtStart ?? {};
  if (typeof denied !== 'object' || Object.values(denied).some((n) => typeof n !== 'number'))
    fail(path, 'has malformed counters');
  return { ...(s as RotationState), deniedAuthAtStart: denied };
}

export function readState(path: string): RotationState | undefined {
  const buf = readRegularFile(path);
  if (buf === undefined) return undefined;
  if (buf.length > MAX_STATE_BYTES) fail(path, `is larger than ${MAX_STATE_BYTES} bytes`);
  return parseState(path, buf.toString('utf8'));
}

export function writeState(path: string, state: RotationState): void {
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, overwrite: true });
}
