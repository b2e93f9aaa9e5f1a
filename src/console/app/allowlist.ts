/**
 * The IP allowlist (--web.allow CIDR, repeatable): every request from another address is refused before anything
 * else reads it. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as their IPv4 address.
 */
import { BlockList, isIP } from 'node:net';

export class AllowListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowListError';
  }
}

export interface AllowList {
  /** The CIDRs as given (normalised), for the start-up line. */
  entries: string[];
  allows(address: string): boolean;
}

/** `10.0.0.0/8`, `192.168.1.7` (one address), `fd00::/8`, `::1`. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const t = text.trim();
  const slash = t.indexOf('/');
  const address = slash < 0 ? t : t.slice(0, slash);
  const v = isIP(address);
  if (v === 0) throw new AllowListError(`--web.allow ${t}: not an IP address or CIDR (e.g. 10.0.0.0/8, ::1)`);
  const max = v === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : t.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)
    throw new AllowListError(`--web.allow ${t}: the prefix length must be 0-${max}`);
  return { address, prefix: Number(prefixText), family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** The client address as the allowlist and the audit log see it. */
export function normaliseAddress(address: string | undefined): string {
  if (!address) return '';
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** An allowlist of the CIDRs given; with none, every address is allowed. */
export function buildAllowList(cidrs: readonly string[]): AllowList {
  const list = new BlockList();
  const entries: string[] = [];
  for (const text of cidrs) {
    const c = parseCidr(text);
    list.addSubnet(c.address, c.prefix, c.family);
    entries.push(`${c.address}/${c.prefix}`);
  }
  return {
    entries,
    allows(address: string): boolean {
      if (entries.length === 0) return true;
      const a = normaliseAddress(address);
      const v = isIP(a);
      if (v === 0) return false;
      return list.check(a, v === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
