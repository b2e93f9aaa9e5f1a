import { isIP } from 'node:net';

/**
 * How broad an IP allowlist may be. An entry shorter than /8 (IPv4) or /7 (IPv6: fc00::/7 is the unique-local range)
 * admits a slice of the public internet; and entries that together cover every address (0.0.0.0/1 and 128.0.0.0/1)
 * are a /0 in disguise.
 */
export const MIN_PREFIX = { 4: 8, 6: 7 } as const;

function addressBits(addr: string, family: 4 | 6): bigint {
  if (family === 4) return addr.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
  const [head, tail = ''] = addr.toLowerCase().split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  let groups = part(head);
  let rest = part(tail);
  const v4 = (rest.length > 0 ? rest : groups).at(-1);
  if (v4?.includes('.')) {
    const n = Number(addressBits(v4, 4));
    const words = [(n >>> 16).toString(16), (n & 0xffff).toString(16)];
    if (rest.length > 0) rest = [...rest.slice(0, -1), ...words];
    else groups = [...groups.slice(0, -1), ...words];
  }
  const all = addr.includes('::') ? [...groups, ...Array(8 - groups.length - rest.length).fill('0'), ...rest] : groups;
  return all.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n);
}

/** Whether the entries (addresses or CIDRs, already valid) cover every address of a family. */
export function coversEverything(entries: readonly string[]): boolean {
  for (const family of [4, 6] as const) {
    const width = family === 4 ? 32n : 128n;
    const ranges = entries
      .map((e) => e.split('/'))
      .filter(([a]) => isIP(a) === family)
      .map(([a, p]) => {
        const bits = BigInt(p === undefined ? Number(width) : Number(p));
        const size = 1n << (width - bits);
        const start = (addressBits(a, family) / size) * size;
        return [start, start + size] as const;
      })
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    let reach = 0n;
    for (const [s, e] of ranges) {
      if (s > reach) break;
      if (e > reach) reach = e;
    }
    if (reach === 1n << width) return true;
  }
  return false;
}
