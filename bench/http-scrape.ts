import { Agent, request } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface ScrapeResult {
  status: number;
  /** Wall time from sending the request to the last body byte, ms. */
  ms: number;
  /** Body bytes as received (compressed when gzip was negotiated). */
  bytes: number;
  contentEncoding: string;
  /** The (decompressed) body, only when asked for. */
  body?: string;
}

/** A keep-alive HTTP/1.1 client with a fixed number of sockets (1 for sequential scrapes). */
export class ScrapeClient {
  readonly agent: Agent;

  constructor(maxSockets = 1) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  get(url: string, options: { gzip?: boolean; keepBody?: boolean; timeoutMs?: number } = {}): Promise<ScrapeResult> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(url, {
        agent: this.agent,
        headers: options.gzip ? { 'Accept-Encoding': 'gzip' } : {},
        timeout: options.timeoutMs ?? 30000,
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (options.keepBody) chunks.push(d);
        });
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - t0;
          const contentEncoding = String(res.headers['content-encoding'] ?? '');
          let body: string | undefined;
          if (options.keepBody) {
            const raw = Buffer.concat(chunks);
            body = (contentEncoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          }
          resolve({ status: res.statusCode ?? 0, ms, bytes, contentEncoding, body });
        });
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
