/**
 * The address a host name dials, as far as its text tells: the resolver takes 127.1, 0x7f.0.0.1, 0177.0.0.1,
 * 2130706433 and 127.0.0.1. all for 127.0.0.1, and host names are case-insensitive. A URL's special-scheme host
 * parser (WHATWG, as `http://` uses it) writes each such alias one way, so limits kept per server count the
 * aliases of one address as one server. Names that only DNS could tell apart (localhost) stay as they are.
 */
export function canonicalHost(host: string): string {
  const bracketed = host.includes(':') ? `[${host}]` : host;
  try {
    return new URL(`http://${bracketed}/`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return host.toLowerCase();
  }
}
