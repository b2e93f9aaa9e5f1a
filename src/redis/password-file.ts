import { InputFileError, readInputText } from '../fs/read-input.ts';
import { parseTarget, type RedisTarget, redactRaw } from './target.ts';

/**
 * redis_exporter's --redis.password-file: a JSON object mapping target URIs to passwords,
 * `{"redis://host:6379": "pw", "redis://user@host:6379": "pw2"}`. Keys are kept as written; lookupPassword
 * normalizes them when matching.
 */
export type PasswordMap = ReadonlyMap<string, string>;

/** A configuration input that cannot be used; the message says what is wrong and never contains a secret. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export type PasswordFileProblem = 'missing' | 'unreadable' | 'not_json' | 'not_object' | 'not_string';

export class PasswordFileError extends ConfigError {
  constructor(
    readonly path: string,
    readonly problem: PasswordFileProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PasswordFileError';
  }
}

const EXAMPLE = '{"redis://host:6379": "password", "redis://user@host:6379": "password2"}';

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Where in the text a JSON syntax error is, as "line L, column C", without quoting the text (it holds secrets). */
function syntaxErrorPosition(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(String((err as Error)?.message));
  if (!m) return '';
  const pos = Math.min(Number(m[1]), text.length);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return ` (near line ${line}, column ${column})`;
}

/**
 * Reads and validates a password file. Errors name the file, the problem and (for bad values) the redacted key,
 * never a value: the file is full of passwords.
 */
/** Far more than any password file (a few hundred bytes per server). */
const MAX_PASSWORD_FILE_BYTES = 1024 * 1024;

export function loadPasswordFile(path: string): Map<string, string> {
  let text: string;
  try {
    // Bounded, and a FIFO or device is refused instead of read (it would block, or never end).
    text = readInputText(path, MAX_PASSWORD_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    const code = err.code;
    if (code === 'ENOENT')
      throw new PasswordFileError(
        path,
        'missing',
        `the password file ${path} does not exist (--redis.password-file); check the path given with --redis.password-file or REDIS_PASSWORD_FILE`,
      );
    throw new PasswordFileError(path, 'unreadable', `cannot read the password file ${path}: ${code} (${err.reason})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse's message quotes the text around the error, which would print a password: only say where.
    throw new PasswordFileError(
      path,
      'not_json',
      `the password file ${path} is not valid JSON${text.trim() === '' ? ' (it is empty)' : syntaxErrorPosition(text, err)}; expected an object like ${EXAMPLE}`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new PasswordFileError(
      path,
      'not_object',
      `the password file ${path} holds ${describeType(data)}, not a JSON object; expected ${EXAMPLE}`,
    );
  const map = new Map<string, string>();
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string')
      throw new PasswordFileError(
        path,
        'not_string',
        `in the password file ${path}, the value for "${redactRaw(key)}" is ${describeType(value)}; every value must be a password string`,
      );
    map.set(key, value);
  }
  return map;
}

function canonicalScheme(scheme: string): string {
  const s = scheme.toLowerCase();
  if (s === 'valkey') return 'redis';
  if (s === 'valkeys') return 'rediss';
  return s;
}

/** scheme://[user@]host:port (or unix://[user@]/path), the identity a password belongs to; db is separate. */
function serverKey(t: Pick<RedisTarget, 'scheme' | 'host' | 'port' | 'path' | 'username'>): string {
  const user = t.username ? `${encodeURIComponent(t.username)}@` : '';
  if (t.scheme === 'unix') return `unix://${user}${t.path}`;
  const host = t.host.toLowerCase();
  return `${canonicalScheme(t.scheme)}://${user}${host.includes(':') ? `[${host}]` : host}:${t.port}`;
}

interface Normalized {
  server: string;
  db: number;
}

function normalizeKey(key: string): Normalized | undefined {
  try {
    const t = parseTarget(key);
    return { server: serverKey(t), db: t.db };
  } catch {
    return undefined; // never matches, as in redis_exporter
  }
}

/**
 * The password-file entry for a target, or undefined. Like redis_exporter, the key is the target URI including
 * its user part (`redis://user@host:port` only matches that user; a key without a user only matches a target
 * without one), and empty passwords are ignored. Unlike an exact string match, keys are compared after
 * normalizing: a missing default port (`redis://host` = `redis://host:6379`), a trailing slash, host case,
 * `valkey://` for `redis://`, and the `/db` suffix (an exact-db key wins; a key without a db covers every db of
 * that server, since the password belongs to the server, not to a db).
 */
export function lookupPassword(
  map: PasswordMap,
  target: Pick<RedisTarget, 'scheme' | 'host' | 'port' | 'path' | 'db' | 'username'>,
): string | undefined {
  if (map.size === 0) return undefined;
  const wanted = serverKey(target);
  let fallback: string | undefined;
  for (const [key, value] of map) {
    if (!value) continue;
    const n = normalizeKey(key);
    if (!n || n.server !== wanted) continue;
    if (n.db === target.db) return value;
    if (n.db === 0 && fallback === undefined && !/\/\d+\/?$|[?&]db=/.test(key)) fallback = value;
  }
  return fallback;
}

/** Where a target's password came from: its URL, --redis.password / REDIS_PASSWORD, or the password file. */
export type PasswordSource = 'url' | 'flags' | 'file';

/**
 * The credentials for a command-line target, as redis_exporter resolves them: the user from the URL, else the
 * one given (--redis.user / REDIS_USER); the password from the URL, else the one given (--redis.password /
 * REDIS_PASSWORD), else the password file's entry for the target as that user. (/scrape targets have a policy of
 * their own: see exporter/scrape-targets.ts.)
 */
export function resolveCredentials(
  bare: RedisTarget,
  given: { user?: string; password?: string; passwords?: PasswordMap },
): { user?: string; password?: string; passwordFrom?: PasswordSource } {
  const user = bare.username ?? (given.user || undefined);
  if (bare.password) return { user, password: bare.password, passwordFrom: 'url' };
  if (given.password) return { user, password: given.password, passwordFrom: 'flags' };
  const fromFile = given.passwords ? lookupPassword(given.passwords, { ...bare, username: user }) : undefined;
  return fromFile ? { user, password: fromFile, passwordFrom: 'file' } : { user };
}
