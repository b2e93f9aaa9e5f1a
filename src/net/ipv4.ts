/** IPv4 addresses and CIDR blocks, for allow-lists (the audit's replica peers, the stack's proxy allow-list). */

/** A dotted quad as a 32-bit unsigned number; undefined when `s` is not one. */
export function ipv4Number(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

/** `a.b.c.d` (a /32) or `a.b.c.d/n`; undefined for anything else, IPv6 included. */
export function parseIpv4Block(s: string): { net: number; bits: number } | undefined {
  const [addr, prefix, extra] = s.split('/');
  if (extra !== undefined) return undefined;
  const net = ipv4Number(addr);
  if (net === undefined) return undefined;
  if (prefix === undefined) return { net, bits: 32 };
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return undefined;
  return { net, bits: Number(prefix) };
}

/** Whether two IPv4 addresses or blocks share an address; false when either is not IPv4. */
export function ipv4BlocksOverlap(a: string, b: string): boolean {
  const x = parseIpv4Block(a);
  const y = parseIpv4Block(b);
  if (!x || !y) return false;
  const bits = Math.min(x.bits, y.bits);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (x.net & mask) === (y.net & mask);
}
