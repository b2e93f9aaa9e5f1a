import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { negotiateFormat, OPENMETRICS_CONTENT_TYPE, render, TEXT_CONTENT_TYPE } from '../metrics/exposition.ts';
import type { MetricFamily } from '../metrics/family.ts';
import type { Exporter } from './exporter.ts';
import { ScrapeTargetError } from './scrape-targets.ts';

const gzipAsync = promisify(gzip);

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
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && body.length > 1024) {
    payload = await gzipAsync(payload, { level: constants.Z_BEST_SPEED });
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  headers['Content-Length'] = payload.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

async function sendMetrics(req: IncomingMessage, res: ServerResponse, families: MetricFamily[]): Promise<void> {
  const format = negotiateFormat(req.headers.accept);
  await send(
    req,
    res,
    200,
    render(families, format),
    format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
  );
}

/** The exporter's HTTP surface: /metrics (configurable), /scrape, /health, / and 404 for everything else. */
export function createExporterServer(exporter: Exporter): Server {
  const c = exporter.config;
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
      const url = new URL(req.url ?? '/', 'http://exporter');
      const timeoutHeader = req.headers['x-prometheus-scrape-timeout-seconds'] as string | undefined;
      if (url.pathname === c.telemetryPath) {
        await sendMetrics(req, res, await exporter.metrics(timeoutHeader));
      } else if (url.pathname === '/scrape' && !c.disableScrapeEndpoint) {
        try {
          await sendMetrics(req, res, await exporter.scrape(url.searchParams, timeoutHeader));
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
