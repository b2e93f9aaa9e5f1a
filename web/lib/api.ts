/**
 * The pages' one way to the server: JSON over fetch with the session cookie, the CSRF token on every POST/DELETE,
 * a 401 sends the browser to the login page. Errors carry the server's `{ error }` message, shown as text.
 */
import type { SessionInfo } from '../../src/console/contract.ts';
import { loginPathFor } from '../../src/console/return-path.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

function toLogin(): void {
  location.assign(loginPathFor(`${location.pathname}${location.search}`));
}

async function readJson(r: Response): Promise<unknown> {
  const text = await r.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(r.status, `The server answered ${r.status} without JSON.`);
  }
}

async function request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = csrfToken ?? (await loadSession()).csrfToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (r.status === 401) {
    toLogin();
    throw new ApiError(401, 'Your session ended; sign in again.');
  }
  const json = (await readJson(r)) as { error?: unknown } | undefined;
  if (!r.ok) {
    const message = typeof json?.error === 'string' ? json.error : `The server answered ${r.status}.`;
    throw new ApiError(r.status, message);
  }
  return json as T;
}

export async function loadSession(): Promise<SessionInfo> {
  const s = await request<SessionInfo>('GET', '/console/api/session');
  csrfToken = s.csrfToken;
  return s;
}

export const getJson = <T>(path: string) => request<T>('GET', path);
export const postJson = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
export const deleteJson = <T>(path: string) => request<T>('DELETE', path);

export async function logout(): Promise<void> {
  try {
    await request('POST', '/console/api/logout');
  } finally {
    csrfToken = null;
    location.assign('/login');
  }
}

/** `/console/api/instances/<instance>`: the instance label (a URL) as one path segment. */
export function instancePath(instance: string, rest = ''): string {
  return `/console/api/instances/${encodeURIComponent(instance)}${rest}`;
}
