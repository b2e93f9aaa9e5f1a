import { isIP } from 'node:net';
import { ipv4BlocksOverlap } from '../net/ipv4.ts';

/** IPv4 ranges that are not reachable from the internet: loopback, RFC 1918, CGNAT, link-local, documentation. */
const NON_PUBLIC_V4 = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
];

/** Whether a clients-from-anywhere address: IPv4 outside the ranges above, IPv6 outside loopback, ULA, link-local. */
export function isPublicAddress(addr: string): boolean {
  if (isIP(addr) === 4) return !NON_PUBLIC_V4.some((range) => ipv4BlocksOverlap(`${addr}/32`, range));
  const a = addr.toLowerCase();
  if (a === '::1') return false;
  if (a.startsWith('::ffff:')) return isPublicAddress(a.slice(7));
  return !/^(f[cd][0-9a-f]{2}|fe[89ab][0-9a-f]):/.test(a);
}

/**
 * Warnings for --bind addresses (each possibly `-`-prefixed): a public address lets the internet reach Redis, and an
 * address that is not on this host stops redis-server from starting (unless prefixed with `-`). `local` is this
 * host's addresses; the files may be meant for another host, so these are warnings, not errors.
 */
export function bindWarnings(bind: readonly string[], local: readonly string[]): string[] {
  const out: string[] = [];
  const here = new Set(local.map((a) => a.toLowerCase()));
  for (const b of bind) {
    const addr = b.replace(/^-/, '');
    if (isPublicAddress(addr))
      out.push(
        `--bind ${b} is a public address: Redis will accept connections from the internet there; bind the private address your clients use instead`,
      );
    if (!here.has(addr.toLowerCase()))
      out.push(
        `--bind ${b} is not an address of this host: redis-server refuses to start here unless it is prefixed with - (--bind -${addr}); ignore this if the files are for another host`,
      );
  }
  return out;
}
