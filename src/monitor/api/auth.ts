import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may use the API besides a console session: the holder of the bearer token. Without one, the API answers
 * without credentials, and `up` listens on loopback only.
 */
export interface ApiCredentials {
  token?: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Equal in constant time whatever the lengths (digests are compared, not the strings). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function requiresAuth(c: ApiCredentials): boolean {
  return c.token !== undefined;
}

/** Whether the Authorization header carries the configured bearer token. */
export function bearerMatches(header: string | undefined, c: ApiCredentials): boolean {
  if (c.token === undefined || !header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  return scheme === 'bearer' && sameSecret(value, c.token);
}

/** The WWW-Authenticate challenge of a 401. */
export const API_CHALLENGE = 'Bearer realm="redoubt"';
