/** Where the login page returns to: a path on this site only (never `//host`, `/\host` or a scheme). */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
