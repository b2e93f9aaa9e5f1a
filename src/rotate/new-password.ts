import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generatePassword } from '../catalog/acl-users.ts';
import { ConfigError } from '../redis/password-file.ts';

/**
 * The new password: generated (40 letters and digits), or read from a file the user gives. Whatever it is, it ends
 * up as `KEY=value` in a .env, as a JSON string and as `requirepass`/`masterauth` in redis.conf: characters that
 * any of those would need to quote are refused, so none of them is ever written wrongly.
 */
export const MIN_PASSWORD_LENGTH = 16;
export const MAX_PASSWORD_LENGTH = 512;
const ALLOWED = /^[A-Za-z0-9!%&()*+,\-./:;<=>?@[\]^_{|}~]+$/;

/** A password that cannot be used; the message never contains it. */
export class NewPasswordError extends ConfigError {}

/** Why `password` cannot be a Redis password written to .env and redis.conf, or undefined when it can. */
export function newPasswordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `it has ${password.length} characters; use at least ${MIN_PASSWORD_LENGTH} (redoubt generates 40 when no file is given)`;
  if (password.length > MAX_PASSWORD_LENGTH) return `it is longer than ${MAX_PASSWORD_LENGTH} characters`;
  if (!ALLOWED.test(password))
    return 'it contains a space, a quote, a backslash, "$", "#", "`" or a non-ASCII or control character, which a .env file or redis.conf would need to quote; use letters, digits and !%&()*+,-./:;<=>?@[]^_{|}~';
  return undefined;
}

/** The first line of `path` (a trailing newline is not part of the password). */
export function readNewPassword(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NewPasswordError(
      `cannot read the new password from ${path} (--new-password-file): ${code === 'ENOENT' ? 'it does not exist' : (code ?? 'error')}`,
    );
  }
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (lines.length > 1)
    throw new NewPasswordError(`${path} (--new-password-file) has more than one line; put the password alone in it`);
  const problem = newPasswordProblem(lines[0]);
  if (problem) throw new NewPasswordError(`the password in ${path} (--new-password-file) cannot be used: ${problem}`);
  return lines[0];
}

export function newPassword(file: string | undefined): string {
  return file ? readNewPassword(file) : generatePassword();
}

/** SHA-256 hex, as ACL keeps a password (`#<hash>` adds it, `!<hash>` removes it). */
export function passwordHash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}
