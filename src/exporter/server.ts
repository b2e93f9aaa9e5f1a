import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { promisify } from 'node:util';
import { constants, gzip, gzipSync } from 'node:zlib';
import {
  ExpositionRenderer,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
  utf16Length,
} from '../metrics/exposition.ts';
import type { MetricFamily } from '../metrics/family.ts';
import type { Exporter } from './exporter.ts';
import { parseRequestTarget, queryParams } from './request-target.ts';
import { ScrapeTargetError } from './scrape-targets.ts';

const gzipAsync = promisify(gzip);
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };
/**
 * Bodies up to this size are compressed synchronously: for a ~60 KB scrape gzipSync costs ~40% less CPU than a
 * round trip through the thread pool, and blocks the loop no longer than rendering does. Larger ones (key checks
 * over many keys) go to the thread pool.
 */
const SYNC_GZIP_MAX = 512 * 1024;
/** Bodies of more than this many characters are gzipped when the client accepts it. */
const GZIP_MIN_CHARS = 1024;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time basic auth check (compares digests so lengths do not leak). */
export function checkBasicAuth(header: string | undefined, username: string, password: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  const u = timingSafeEqual(digest(decoded.slice(0, i)), digest(username));
  const p = timingSafeEqual(digest(decoded.slice(i + 1)), digest(password));
  return u && p;
}

function indexPage(telemetryPath: string): string {
  return `<html>
<head><title>redoubt exporter</title></head>
<body>
<h1>redoubt — Redis exporter</h1>
<p>A drop-in for redis_exporter.</p>
<ul>
<li><a href="${telemetryPath}">${telemetryPath}</a> — metrics of the configured Redis</li>
<li><a href="/scrape">/scrape?target=redis://host:port</a> — metrics of one target (multi-target)</li>
<li><a href="/health">/health</a></li>
</ul>
</body>
</html>
`;
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
}

async function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
): Promise<void> {
  const headers: Record<string, string | number> = { 'Content-Type': contentType };
  // Encode once: Buffer.byteLength and then res.end(string) would each walk the whole body.
  let payload: Buffer = Buffer.from(body);
  if (acceptsGzip(req) && body.length > GZIP_MIN_CHARS) {
    payload = await gzipAsync(payload, GZIP_OPTIONS);
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  headers['Content-Length'] = payload.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

/** Whether the text whose UTF-8 encoding is bytes has more than GZIP_MIN_CHARS characters (UTF-16 units). */
function longEnoughToGzip(bytes: Buffer): boolean {
  if (bytes.length <= GZIP_MIN_CHARS) return false;
  if (bytes.length > 3 * GZIP_MIN_CHARS) return true;
  return utf16Length(bytes) > GZIP_MIN_CHARS;
}

/**
 * Renders families straight into bytes and sends them: the same bytes and headers send() would send for the
 * rendered text, without the text. The renderer's view is only valid until it renders again (unless held): the
 * body of a write in progress is held until the write is done, the input of an asynchronous gzip is copied.
 */
async function sendMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  families: MetricFamily[],
  renderer: ExpositionRenderer,
): Promise<void> {
  const format = negotiateFormat(req.headers.accept);
  const contentType = format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
  const head = req.method === 'HEAD';
  const view = renderer.renderView(families, format);
  if (acceptsGzip(req) && longEnoughToGzip(view)) {
    const payload =
      view.length <= SYNC_GZIP_MAX ? gzipSync(view, GZIP_OPTIONS) : await gzipAsync(copyOf(view), GZIP_OPTIONS);
    res.writeHead(200, [
      'Content-Type',
      contentType,
      'Content-Encoding',
      'gzip',
      'Vary',
      'Accept-Encoding',
      'Content-Length',
      payload.length,
    ]);
    res.end(head ? undefined : payload);
    return;
  }
  res.writeHead(200, ['Content-Type', contentType, 'Content-Length', view.length]);
  if (head) {
    res.end();
    return;
  }
  // The view itself is sent, held until the response is handed to the OS ('finish'): the renderer renders the
  // next scrapes elsewhere meanwhile. A response that never finishes (its socket died mid-write) keeps its hold,
  // which costs the renderer one new buffer.
  res.once('finish', renderer.holdLastView());
  res.end(view);
}

function copyOf(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  return out;
}

/** The exporter's HTTP surface: /metrics (configurable), /scrape, /health, / and 404 for everything else. */
export function createExporterServer(exporter: Exporter): Server {
  const c = exporter.config;
  // One renderer for /metrics (one target, scraped over and over) and one shared by /scrape targets.
  const metricsRenderer = new ExpositionRenderer();
  const scrapeRenderer = new ExpositionRenderer();
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (c.basicAuth && !checkBasicAuth(req.headers.authorization, c.basicAuth.username, c.basicAuth.password)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="redoubt"', 'Content-Type': 'text/plain' });
        res.end('Unauthorized\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
        res.end('Method Not Allowed\n');
        return;
      }
      const url = parseRequestTarget(req.url ?? '/');
      if (!url) {
        await send(req, res, 400, 'bad request target\n', 'text/plain; charset=utf-8');
        return;
      }
      const timeoutHeader = req.headers['x-prometheus-scrape-timeout-seconds'] as string | undefined;
      if (url.pathname === c.telemetryPath) {
        await sendMetrics(req, res, await exporter.metrics(timeoutHeader), metricsRenderer);
      } else if (url.pathname === '/scrape' && !c.disableScrapeEndpoint) {
        try {
          await sendMetrics(req, res, await exporter.scrape(queryParams(url), timeoutHeader), scrapeRenderer);
        } catch (err) {
          if (!(err instanceof ScrapeTargetError)) throw err;
          exporter.log.warn('refused /scrape request', { reason: err.message });
          await send(req, res, err.status, `${err.message}\n`, 'text/plain; charset=utf-8');
        }
      } else if (url.pathname === '/health') {
        await send(req, res, 200, 'ok', 'text/plain; charset=utf-8');
      } else if (url.pathname === '/') {
        await send(req, res, 200, indexPage(c.telemetryPath), 'text/html; charset=utf-8');
      } else {
        await send(req, res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
      }
    } catch (err) {
      exporter.log.error('request failed', { err: (err as Error).message });
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error\n');
      } else res.destroy();
    }
  };
  const server = c.serverTls
    ? createHttpsServer(
        {
          cert: readFileSync(c.serverTls.certFile),
          key: readFileSync(c.serverTls.keyFile),
          ca: c.serverTls.caFile ? readFileSync(c.serverTls.caFile) : undefined,
          requestCert: Boolean(c.serverTls.caFile),
          rejectUnauthorized: Boolean(c.serverTls.caFile),
          minVersion: 'TLSv1.2',
        },
        handler,
      )
    : createHttpServer(handler);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  return server;
}
