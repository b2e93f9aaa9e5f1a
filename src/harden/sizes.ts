import { isIP } from 'node:net';
import { parseMemorySize } from '../redis/memory-size.ts';

/** A bad --maxmemory / --bind / --hostname value; the CLI turns it into a usage error (exit 2). */
export class HardenInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HardenInputError';
  }
}

/** The smallest maxmemory Redis accepts without warning that it is "less than 1MB". */
const MIN_MAXMEMORY = 1024 * 1024;

/** Validates --maxmemory and returns it as written in redis.conf (lower case): `512mb`. */
export function checkMaxmemory(text: string): string {
  const t = text.trim().toLowerCase();
  const bytes = parseMemorySize(t);
  if (bytes === undefined)
    throw new HardenInputError(
      `--maxmemory "${text}" is not a size; use a number of bytes or a unit Redis understands: 512mb, 2gb, 1048576 (1mb = 1024², 1m = 1000²)`,
    );
  if (bytes === 0)
    throw new HardenInputError(
      '--maxmemory 0 means "no limit", which lets Redis grow until the kernel kills it; give a size such as 512mb (about 70-80% of the memory Redis may use)',
    );
  if (bytes < MIN_MAXMEMORY)
    throw new HardenInputError(
      `--maxmemory ${text} is below 1mb, too small for Redis to work; give a size such as 512mb`,
    );
  return t;
}

const ALL_INTERFACES = new Set(['*', '0.0.0.0', '::', '::*', '-*', '-::*', '-0.0.0.0', '-::']);

/**
 * Validates one --bind address: an IPv4 or IPv6 address, optionally prefixed with `-` (Redis skips it when the
 * interface is missing). Every-interface addresses are refused: naming the interface is the point.
 */
export function checkBindAddress(text: string): string {
  const t = text.trim();
  if (ALL_INTERFACES.has(t))
    throw new HardenInputError(
      `--bind ${t} listens on every interface, including public ones; name the private address clients use, e.g. --bind 10.0.0.5 (loopback is always included)`,
    );
  const addr = t.startsWith('-') ? t.slice(1) : t;
  if (!isIP(addr))
    throw new HardenInputError(
      `--bind "${text}" is not an IP address; give the IPv4 or IPv6 address of a local interface, e.g. --bind 10.0.0.5 (prefix it with - if the interface may be missing: --bind -fd00::5)`,
    );
  return t;
}

/** Validates one --hostname (a DNS name or an IP address for the server certificate). */
export function checkHostname(text: string): string {
  const t = text.trim().toLowerCase();
  if (isIP(t)) return t;
  if (t.length > 253 || !/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/.test(t))
    throw new HardenInputError(
      `--hostname "${text}" is not a DNS name or IP address; give the name clients connect to, e.g. --hostname redis.internal`,
    );
  return t;
}
