/**
 * The headers every answer carries: a CSP that allows only this origin's own files (no inline script or style,
 * no framing), nosniff, no referrer, no caching of data, and HSTS when served over TLS.
 */
import type { MiddlewareHandler } from 'hono';
import { HEADERS_SET } from '../../monitor/api/server.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The fixed headers of every answer. */
export function securityHeaderValues(tls: boolean): Record<string, string> {
  const fixed: Record<string, string> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  };
  if (tls) fixed['Strict-Transport-Security'] = 'max-age=31536000';
  return fixed;
}

/** Adds them to every answer that was not made with them already (the API's, see apiResponse). */
export function securityHeaders(tls: boolean): MiddlewareHandler {
  const fixed = securityHeaderValues(tls);
  return async (c, next) => {
    await next();
    if (c.get(HEADERS_SET as never)) return;
    let res = c.res;
    try {
      for (const [k, v] of Object.entries(fixed)) res.headers.set(k, v);
    } catch {
      // Immutable headers (a Response made elsewhere): copy it once.
      res = new Response(res.body, res);
      for (const [k, v] of Object.entries(fixed)) res.headers.set(k, v);
      c.res = res;
    }
    if (!res.headers.has('Cache-Control')) res.headers.set('Cache-Control', 'no-store');
  };
}
