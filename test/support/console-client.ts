/**
 * A client for the console's HTTP tests: node:http(s) requests that can pick their source address (127.0.0.2 …,
 * for the allowlist and the per-address throttle), trust a given CA, and keep the session cookie and CSRF token.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ConsoleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ConsoleRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address of the connection (any 127.x.y.z works on Linux). */
  localAddress?: string;
  /** PEM of the CA (or self-signed certificate) to trust for https. */
  ca?: string;
  timeoutMs?: number;
}

export function consoleRequest(url: string, o: ConsoleRequestOptions = {}): Promise<ConsoleResponse> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: o.method ?? 'GET',
        headers: {
          ...(o.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(o.body)) } : {}),
          ...o.headers,
        },
        localAddress: o.localAddress,
        ca: o.ca,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error(`${o.method ?? 'GET'} ${url} timed out`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface LoggedIn {
  cookie: string;
  csrfToken: string;
  /** The raw Set-Cookie header of the login. */
  setCookie: string;
}

/** POST /console/api/login as the console's pages send it (same Origin, JSON). */
export async function postLogin(
  base: string,
  user: string,
  password: string,
  o: ConsoleRequestOptions = {},
): Promise<ConsoleResponse> {
  return consoleRequest(`${base}/console/api/login`, {
    ...o,
    method: 'POST',
    headers: { Origin: base, 'Content-Type': 'application/json', ...o.headers },
    body: JSON.stringify({ user, password }),
  });
}

export async function login(
  base: string,
  user: string,
  password: string,
  o: ConsoleRequestOptions = {},
): Promise<LoggedIn> {
  const r = await postLogin(base, user, password, o);
  if (r.status !== 200) throw new Error(`login as ${user}: ${r.status} ${r.body}`);
  const setCookie = String((r.headers['set-cookie'] as string[])[0]);
  return { cookie: setCookie.split(';')[0], csrfToken: JSON.parse(r.body).csrfToken, setCookie };
}

/** A request with the session's cookie, and for POST/DELETE its CSRF token and this console's Origin. */
export function asSession(
  base: string,
  s: LoggedIn,
  path: string,
  o: ConsoleRequestOptions = {},
): Promise<ConsoleResponse> {
  const method = o.method ?? 'GET';
  const csrf: Record<string, string> = method === 'GET' ? {} : { Origin: base, 'X-CSRF-Token': s.csrfToken };
  return consoleRequest(`${base}${path}`, { ...o, headers: { Cookie: s.cookie, ...csrf, ...o.headers } });
}
