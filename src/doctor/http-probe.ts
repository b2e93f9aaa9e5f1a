import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The most of a body read: /metrics of a busy exporter fits, a hostile endless body does not. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type HttpAnswer =
  | { ok: true; status: number; body: string; truncated: boolean }
  | { ok: false; code: string; message: string };

/** An http(s) URL's address without credentials (they become a basic-auth header), safe to print. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Parses a component address: `host:port` or an http(s) URL; a URL's credentials are kept for the request only. */
export function parseHttpAddress(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${url.protocol} is not http or https`);
  return url;
}

/** GET base + path within `ms`, at most MAX_BODY_BYTES read; any failure is an answer, never a throw. */
export function httpGet(base: URL, path: string, ms: number, caFile?: Buffer): Promise<HttpAnswer> {
  const url = new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`);
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.5' };
  if (base.username || base.password)
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  return new Promise((resolve) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', headers, ...(caFile ? { ca: caFile } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          truncated = true;
          chunks.push(chunk.subarray(0, chunk.length - (size - MAX_BODY_BYTES)));
          res.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
      });
      const finish = () => {
        clearTimeout(timer);
        resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), truncated });
      };
      res.once('end', finish);
      res.once('error', () => finish());
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, code: 'timeout', message: `no answer within ${ms / 1000}s` });
    }, ms);
    req.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: err.code ?? 'error', message: err.message.slice(0, 200) });
    });
    req.end();
  });
}

/** Why an HTTP component cannot be reached, in the same words as the Redis steps. */
export function unreachableText(a: { code: string; message: string }): string {
  if (a.code === 'ECONNREFUSED') return 'connection refused: nothing listens there';
  if (a.code === 'timeout') return `${a.message}: dropped by a firewall, or the process hangs`;
  if (a.code === 'ENOTFOUND' || a.code === 'EAI_AGAIN') return `the name does not resolve (${a.code})`;
  return `${a.code}: ${a.message}`;
}
