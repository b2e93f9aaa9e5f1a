/**
 * Where the login page sends the browser back to: `/login?next=<path>` when a page was opened without a session, and
 * the check of that `next` — a path on this site only. Anything else (`//host`, `/\host`, `/..//host`, a scheme, a
 * control character a browser would drop to make `//`, an overlong value) returns to `/`. Pure: used by the server's
 * redirect and by the login page.
 */

const MAX_NEXT_CHARS = 2048;
const BASE = 'http://console.invalid';

/** `next` when it is a relative path on this site, else `/`. */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || next.length > MAX_NEXT_CHARS) return '/';
  if (!next.startsWith('/') || next.startsWith('//')) return '/';
  // A backslash is a slash to a browser (`/\host` is `//host`); tabs and line breaks are dropped from URLs.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const url = new URL(next, BASE);
    // `/..//host` resolves to the path `//host`: a page whose own address is scheme-relative is one step from leaving.
    if (url.origin !== BASE || url.pathname.startsWith('//')) return '/';
  } catch {
    return '/';
  }
  return next;
}

/** The login page's address for a page opened without a session (`/login` alone for the overview or a bad path). */
export function loginPathFor(pathAndQuery: string): string {
  const next = safeNext(pathAndQuery);
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}
