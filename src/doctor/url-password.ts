import { parseTarget, type RedisTarget } from '../redis/target.ts';
import { type Finding, finding } from './finding.ts';

/** Characters that end or split a URL's userinfo when written raw, and how to write them. */
const ENCODED: ReadonlyArray<[char: string, encoded: string]> = [
  ['@', '%40'],
  [':', '%3A'],
  ['/', '%2F'],
  ['#', '%23'],
  ['?', '%3F'],
  ['%', '%25'],
];

export interface ReadUrl {
  target: RedisTarget;
  /** Set when the URL's credentials held unencoded characters: the target is then redoubt's best reading. */
  problem?: Finding;
}

/** The characters of `part` that must be percent-encoded (a `%` already followed by two hex digits is fine). */
export function unencodedIn(part: string, allowColon: boolean): string[] {
  const found = new Set<string>();
  for (const [ch] of ENCODED) {
    if (ch === '%') {
      if (/%(?![0-9A-Fa-f]{2})/.test(part)) found.add('%');
    } else if (ch === ':' && allowColon) continue;
    else if (part.includes(ch)) found.add(ch);
  }
  return [...found];
}

function encodeOnly(part: string, chars: readonly string[]): string {
  let out = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    const isLonePercent = c === '%' && !/^[0-9A-Fa-f]{2}$/.test(part.slice(i + 1, i + 3));
    if (chars.includes(c) && (c !== '%' || isLonePercent))
      out += (ENCODED.find(([x]) => x === c) as [string, string])[1];
    else out += c;
  }
  return out;
}

/**
 * Reads a Redis URL the way a user meant it. A password written raw (`redis://u:p@ss@host`) is read with the last
 * `@` ending the credentials and the first `:` ending the user, and reported with the encoded form to write
 * instead: the characters and their codes, never the password. Other malformed URLs throw TargetError.
 */
export function readRedisUrl(raw: string): ReadUrl {
  const trimmed = raw.trim();
  const sep = trimmed.indexOf('://');
  const scheme = sep > 0 ? trimmed.slice(0, sep).toLowerCase() : '';
  const rest = sep > 0 ? trimmed.slice(sep + 3) : '';
  const at = ['redis', 'rediss', 'valkey', 'valkeys'].includes(scheme) ? rest.lastIndexOf('@') : -1;
  if (at < 0) return { target: parseTarget(trimmed) };
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
  const password = colon >= 0 ? userinfo.slice(colon + 1) : '';
  const inUser = unencodedIn(user, false);
  const inPassword = unencodedIn(password, true).concat(password.includes(':') ? [':'] : []);
  const chars = [...new Set([...inUser, ...inPassword])];
  if (chars.length === 0) return { target: parseTarget(trimmed) };
  const fixed = `${scheme}://${encodeOnly(user, inUser)}${colon >= 0 ? `:${encodeOnly(password, inPassword)}` : ''}@${rest.slice(at + 1)}`;
  const target = parseTarget(fixed);
  const codes = chars.map((c) => `${c} as ${(ENCODED.find(([x]) => x === c) as [string, string])[1]}`).join(', ');
  const where =
    inPassword.length > 0 && inUser.length > 0
      ? 'user name and password'
      : inUser.length > 0
        ? 'user name'
        : 'password';
  const hostPart = target.display.replace(/^\w+:\/\/([^@]*@)?/, '');
  const userPart = target.username ? encodeURIComponent(target.username) : '';
  const placeholder = `${target.scheme}://${userPart}:<the password, ${codes}>@${hostPart}`;
  const problem = finding(
    target.display,
    'url-encoding',
    'fail',
    `the ${where} in the Redis URL contains ${chars.map((c) => `"${c}"`).join(', ')} unencoded; other tools (redis_exporter, redis-cli -u, client libraries) read such a URL differently or refuse it. redoubt read it as ${target.display}`,
    `percent-encode them in the URL (${codes}): ${placeholder}, or keep the password out of the URL (REDIS_PASSWORD, --redis.password-file)`,
  );
  return { target, problem };
}
