import { isIP } from 'node:net';

/**
 * A host name as it may appear in a generated file or a printed command: an IP address, or a DNS name of letters,
 * digits and hyphens in dot-separated labels (RFC 1123). Anything else (`$`, `{`, `,`, spaces, quotes) could be a
 * second host in a list or a command in a shell, so it is refused.
 */
export function isValidHostName(host: string): boolean {
  if (isIP(host) !== 0) return true;
  return host.length <= 253 && /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/.test(host);
}
