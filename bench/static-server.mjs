// The runtime's floor for the paced bench: a plain Node HTTP server answering every request with the same 64 KB
// text body (about what an exporter's /metrics is), nothing computed per request. Run with plain `node`.
// Each line is its own series, so Prometheus accepts the scrape (up 1) as it does an exporter's. No gzip: the
// floor is Node's HTTP path alone (an exporter's body is about 8 KB gzipped; the kernel's loopback copy of 64 KB
// is in this floor, gzip's CPU is not).
// Usage: node bench/static-server.mjs PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const lines = [];
for (let i = 0, size = 0; size < 65536; i++) {
  const line = `static_floor_metric{series="${i}"} ${i}\n`;
  lines.push(line);
  size += line.length;
}
const body = Buffer.from(lines.join(''));
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': body.length });
  res.end(body);
}).listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
