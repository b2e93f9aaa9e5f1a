/**
 * The console's built pages (dist/web/, written by scripts/build.mjs): index.html for every page, login.html, and
 * dist/web/assets/… under /assets/. A path is a few plain segments (no dot files, no `..`, no encoded slash), read
 * without following links, at most MAX_FILE_BYTES, cached by size and mtime, gzipped when the browser takes it.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_CACHED = 200;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Cached {
  version: string;
  body: Buffer;
  gzip?: Buffer;
  etag: string;
}

/** dist/web of this checkout or package: found by walking up from this module to redoubt's package.json. */
export function defaultWebRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'redoubt') return join(dir, 'dist', 'web');
    } catch {}
    dir = dirname(dir);
  }
  return join(process.cwd(), 'dist', 'web');
}

const NOT_BUILT = "the console's pages are not built: run `node scripts/build.mjs` (it writes dist/web/)\n";

export class StaticFiles {
  private readonly cache = new Map<string, Cached>();

  constructor(readonly root: string) {}

  /** Whether dist/web exists at all (else pages answer 503 with one line). */
  built(): boolean {
    try {
      return statSync(this.root).isDirectory();
    } catch {
      return false;
    }
  }

  private load(rel: string): Cached | undefined {
    let fd: number;
    try {
      fd = openSync(join(this.root, rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
      const version = `${st.ino}-${st.size}-${st.mtimeMs}`;
      const hit = this.cache.get(rel);
      if (hit?.version === version) return hit;
      const body = readFileSync(fd);
      const entry: Cached = { version, body, etag: `"${version}"` };
      if (body.length > 1024 && /\.(html|js|mjs|css|json|svg|map|txt)$/.test(rel)) entry.gzip = gzipSync(body);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(rel, entry);
      return entry;
    } finally {
      closeSync(fd);
    }
  }

  /** Answers a file of dist/web (`rel` as checked by safeAssetPath), 404 when absent, 503 when nothing is built. */
  serve(c: Context, rel: string): Response {
    if (!this.built()) return c.text(NOT_BUILT, 503);
    const file = this.load(rel);
    if (!file) return rel.endsWith('.html') ? c.text(NOT_BUILT, 503) : c.text('404 page not found\n', 404);
    const headers = new Headers({
      'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream',
      ETag: file.etag,
      'Cache-Control': rel.endsWith('.html') ? 'no-store' : 'no-cache',
      Vary: 'Accept-Encoding',
    });
    if (c.req.header('if-none-match') === file.etag) return new Response(null, { status: 304, headers });
    let body = file.body;
    if (file.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      body = file.gzip;
      headers.set('Content-Encoding', 'gzip');
    }
    headers.set('Content-Length', String(body.length));
    return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers });
  }
}

/** `assets/<segments>` for a request path under /assets/, or undefined for anything that is not a plain file name. */
export function safeAssetPath(pathname: string): string | undefined {
  const rest = pathname.slice('/assets/'.length);
  const parts = rest.split('/');
  if (parts.length > 4) return undefined;
  for (const p of parts) if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(p) || p.includes('..')) return undefined;
  return `assets/${parts.join('/')}`;
}
