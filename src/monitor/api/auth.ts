import { createHash, timingSafeEqual } from 'node:crypto';

/** Who may use the API: a bearer token, a basic-auth user, both, or neither (then loopback only). */
export interface ApiCredentials {
  token?: string;
  basic?: { user: string; password: string };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Equal in constant time whatever the lengths (digests are compared, not the strings). */
function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function requiresAuth(c: ApiCredentials): boolean {
  return c.token !== undefined || c.basic !== undefined;
}

/** Whether the Authorization header carries one of the configured credentials. */
export function authorized(header: string | undefined, c: ApiCredentials): boolean {
  if (!requiresAuth(c)) return true;
  if (!header) return false;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && c.token !== undefined) return same(value, c.token);
  if (scheme === 'basic' && c.basic !== undefined) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared, always: the time does not tell whether the user name was right.
    const user = same(decoded.slice(0, colon), c.basic.user);
    const password = same(decoded.slice(colon + 1), c.basic.password);
    return user && password;
  }
  return false;
}

/** The WWW-Authenticate challenges of a 401, one per accepted scheme. */
export function challenges(c: ApiCredentials): string[] {
  const out: string[] = [];
  if (c.token !== undefined) out.push('Bearer realm="redoubt"');
  if (c.basic !== undefined) out.push('Basic realm="redoubt", charset="UTF-8"');
  return out;
}
