import { UsageError } from './flags.ts';

/** Go's listen address forms: `:9121` (all interfaces), `127.0.0.1:9121`, `[::1]:9121`. */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new UsageError(`--web.listen-address "${addr}" is not host:port; use :9121 or 127.0.0.1:9121`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--web.listen-address port ${port} is out of range (0-65535)`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}
