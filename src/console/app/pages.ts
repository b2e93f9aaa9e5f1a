/**
 * The pages: `/`, `/instances/:instance`, `/alerts`, `/security`, `/audit-log` (dist/web/index.html, for a session
 * only: without one, a redirect to /login?next=<the page>, so the login returns there), `/login` (dist/web/login.html) and `/assets/…` (code and styles, no
 * data: served to anyone the allowlist lets in, so the login page can load).
 */
import type { Hono } from 'hono';
import { loginPathFor } from '../return-path.ts';
import { type Gate, sessionOf } from './gate.ts';
import { type StaticFiles, safeAssetPath } from './static-files.ts';

export const PAGE_PATHS = ['/', '/instances/:instance', '/alerts', '/security', '/audit-log'];

export function mountPages(app: Hono, gate: Gate, files: StaticFiles): void {
  app.get('/login', (c) => files.serve(c, 'login.html'));
  for (const path of PAGE_PATHS)
    app.get(path, (c) => {
      if (!files.built()) return files.serve(c, 'index.html');
      if (!sessionOf(c, gate)) {
        const url = new URL(c.req.url);
        return c.redirect(loginPathFor(`${url.pathname}${url.search}`), 302);
      }
      return files.serve(c, 'index.html');
    });
  app.get('/assets/*', (c) => {
    const rel = safeAssetPath(new URL(c.req.url).pathname);
    return rel ? files.serve(c, rel) : c.text('404 page not found\n', 404);
  });
}
