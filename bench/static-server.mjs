// The runtime's floor for the paced bench: a plain Node HTTP server answering every request with the same 64 KB
// text body (about what an exporter's /metrics is), nothing computed per request. Run with plain `node`.
// Usage: node bench/static-server.mjs PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const line = 'static_floor_metric{label="value"} 1\n';
const body = Buffer.from(line.repeat(Math.ceil(65536 / line.length)).slice(0, 65536));
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': body.length });
  res.end(body);
}).listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
