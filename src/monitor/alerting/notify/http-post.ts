/**
 * One bounded JSON POST to a receiver. A webhook URL may carry a secret (a token in its path, user:password), so
 * neither the URL nor the response body ever appears in a result: reasons are an HTTP status or an errno. The whole
 * exchange has a deadline, the response is read to at most a few KiB, redirects are not followed (a receiver that
 * redirects is misconfigured, and following one could carry the payload elsewhere).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type PostResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; reason: string; status?: number };

export interface PostOptions {
  timeoutMs?: number;
  /** Bytes of response read at most (then the connection is dropped). */
  maxResponseBytes?: number;
  /** Extra headers (never logged). */
  headers?: Record<string, string>;
}

/** URL without user:password@, and the basic-auth header they make. */
export function splitCredentials(url: string): { url: URL; authorization?: string } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url: u };
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { url: u, authorization: auth };
}

/** 5xx, 429 and 408 are worth retrying (as Alertmanager does); other statuses are the request's fault. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export function postJson(url: string, body: string, options: PostOptions = {}): Promise<PostResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 4096;
  let target: { url: URL; authorization?: string };
  try {
    target = splitCredentials(url);
  } catch {
    return Promise.resolve({ ok: false, retryable: false, reason: 'the receiver URL is not a valid URL' });
  }
  if (target.url.protocol !== 'http:' && target.url.protocol !== 'https:')
    return Promise.resolve({ ok: false, retryable: false, reason: 'the receiver URL must be http or https' });
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const headers: Record<string, string> = {
      ...options.headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'redoubt-alerting',
    };
    if (target.authorization) headers.authorization = target.authorization;
    const req = send(target.url, { method: 'POST', headers }, (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > maxBytes) finish();
      });
      const finish = () => {
        if (status >= 200 && status < 300) done({ ok: true, status });
        else if (status >= 300 && status < 400)
          done({ ok: false, retryable: false, status, reason: `HTTP ${status}: redirects are not followed` });
        else done({ ok: false, retryable: retryableStatus(status), status, reason: `HTTP ${status}` });
      };
      res.on('end', finish);
      res.on('error', () => done({ ok: false, retryable: true, status, reason: 'the response was cut off' }));
    });
    const timer = setTimeout(
      () => done({ ok: false, retryable: true, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      done({ ok: false, retryable: true, reason: e.code ? `connection failed (${e.code})` : 'connection failed' }),
    );
    req.end(body);
  });
}
