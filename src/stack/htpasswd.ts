import { createHash, randomBytes } from 'node:crypto';

/**
 * Apache's `$apr1$` MD5-crypt, the htpasswd format nginx verifies itself (ngx_crypt_apr1) on every platform, libc or
 * not. MD5-crypt is weak against guessing short passwords; the proxy password is 40 random letters and digits
 * (~238 bits), so the hash only has to keep the plaintext off disk.
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function to64(value: number, count: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < count; i++) {
    out += ITOA64[v & 0x3f];
    v >>>= 6;
  }
  return out;
}

/** 8 random salt characters from the crypt alphabet. */
export function apr1Salt(): string {
  let out = '';
  for (const b of randomBytes(8)) out += ITOA64[b & 0x3f];
  return out;
}

export function apr1Hash(password: string, salt: string): string {
  if (!/^[./0-9A-Za-z]{1,8}$/.test(salt)) throw new Error('apr1 salt: 1-8 characters of [./0-9A-Za-z]');
  const magic = '$apr1$';
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'ascii');
  const md5 = () => createHash('md5');

  const alt = md5().update(pw).update(s).update(pw).digest();
  const ctx = md5().update(pw).update(magic).update(s);
  for (let i = pw.length; i > 0; i -= 16) ctx.update(alt.subarray(0, Math.min(16, i)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.of(0) : pw.subarray(0, 1));
  let final = ctx.digest();

  for (let i = 0; i < 1000; i++) {
    const c = md5();
    c.update(i & 1 ? pw : final);
    if (i % 3) c.update(s);
    if (i % 7) c.update(pw);
    c.update(i & 1 ? final : pw);
    final = c.digest();
  }

  const f = final;
  const encoded =
    to64((f[0] << 16) | (f[6] << 8) | f[12], 4) +
    to64((f[1] << 16) | (f[7] << 8) | f[13], 4) +
    to64((f[2] << 16) | (f[8] << 8) | f[14], 4) +
    to64((f[3] << 16) | (f[9] << 8) | f[15], 4) +
    to64((f[4] << 16) | (f[10] << 8) | f[5], 4) +
    to64(f[11], 2);
  return `${magic}${salt}$${encoded}`;
}

/** One `user:hash` line per user. */
export function renderHtpasswd(users: { user: string; password: string; salt: string }[]): string {
  return users.map((u) => `${u.user}:${apr1Hash(u.password, u.salt)}\n`).join('');
}
