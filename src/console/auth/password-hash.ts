/**
 * Console passwords, stored only as scrypt hashes: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (salt and hash in
 * base64url). The parameters are read back from the stored text, bounded, so a hand-edited file cannot make a login
 * take gigabytes.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * N = 2^14, r = 8, p = 5: one of OWASP's equivalent scrypt settings (as costly to guess as N = 2^17, p = 1), chosen
 * for its 16 MiB per check: a login's memory stays small beside the rest of `up`.
 */
const LOG_N = 14;
const R = 8;
const P = 5;
const KEY_BYTES = 32;
const MAX_LOG_N = 20;

interface Params {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, bytes: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, bytes, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, LOG_N, R, P, KEY_BYTES);
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** The parameters of a stored hash, or undefined when it is not one this version writes and accepts. */
export function parseHash(stored: string): Params | undefined {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/.exec(stored);
  if (!m) return undefined;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > MAX_LOG_N || r < 1 || r > 16 || p < 1 || p > 16) return undefined;
  return { logN, r, p, salt: Buffer.from(m[4], 'base64url'), hash: Buffer.from(m[5], 'base64url') };
}

/** Whether `password` is the one `stored` was made from; constant time in the comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const p = parseHash(stored);
  if (!p) return false;
  const got = await derive(password, p.salt, p.logN, p.r, p.p, p.hash.length);
  return timingSafeEqual(got, p.hash);
}

/** A fresh random password for a generated account: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export const MIN_PASSWORD_CHARS = 12;
export const MAX_PASSWORD_CHARS = 1024;

/** Why a chosen password is refused, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_CHARS) return `a password needs at least ${MIN_PASSWORD_CHARS} characters`;
  if (password.length > MAX_PASSWORD_CHARS) return `a password has at most ${MAX_PASSWORD_CHARS} characters`;
  if (/[\0\r\n]/.test(password)) return 'a password must not hold NUL or line breaks';
  return undefined;
}
