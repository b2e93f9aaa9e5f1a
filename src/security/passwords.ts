/**
 * Offline password judgement for RS003/RS004: length, estimated entropy, a bundled list of common passwords and
 * "password = username", applied to plaintexts (from files or CONFIG GET requirepass) and to the unsalted
 * SHA-256 hashes ACL LIST shows. Nothing here talks to a server, and nothing it returns contains a secret: a
 * verdict is a list of weakness codes that `describeWeaknesses` turns into words.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Redis does not rate-limit AUTH (~110k guesses/s on one pipelined connection), so demand random-length secrets. */
export const MIN_PASSWORD_LENGTH = 32;
export const MIN_ENTROPY_BITS = 128;
/** A random 32+ character string from an alphabet of ten or more symbols has more distinct characters than this. */
const MIN_DISTINCT_CHARACTERS = 8;

export type PasswordWeakness =
  | 'empty'
  | 'equals-username'
  | 'common'
  | 'short'
  | 'low-entropy'
  | 'few-distinct-characters'
  | 'sequential';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The bundled list, as a set of plaintexts and (built on first use) the set of their SHA-256 hashes. */
export class CommonPasswords {
  readonly #plaintexts: ReadonlySet<string>;
  /** First 8 bytes of each variant's SHA-256, sorted: 240 KB instead of ~4 MB of hex strings in a Set. */
  #hashPrefixes: BigUint64Array | undefined;
  /** Where the list came from, for evidence. */
  readonly source: string;

  constructor(passwords: Iterable<string>, source = 'bundled list') {
    this.#plaintexts = new Set([...passwords].filter((p) => p.length > 0));
    this.source = source;
  }

  get size(): number {
    return this.#plaintexts.size;
  }

  /** Case-insensitive: 'Password' is as guessable as 'password'. */
  hasPlaintext(password: string): boolean {
    return this.#plaintexts.has(password) || this.#plaintexts.has(password.toLowerCase());
  }

  /** Compares a '#<sha256>' from ACL LIST with every entry and its Capitalised and UPPER-CASE forms. */
  hasHash(hash: string): boolean {
    const h = hash.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(h)) return false;
    if (!this.#hashPrefixes) {
      const prefixes: bigint[] = [];
      for (const p of this.#plaintexts)
        for (const v of caseVariants(p)) prefixes.push(BigInt(`0x${sha256Hex(v).slice(0, 16)}`));
      this.#hashPrefixes = BigUint64Array.from(prefixes).sort();
    }
    // A 64-bit prefix match: with ~40k entries a false match has a chance of about 2e-15.
    const key = BigInt(`0x${h.slice(0, 16)}`);
    const arr = this.#hashPrefixes;
    let lo = 0;
    let hi = arr.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid] === key) return true;
      if (arr[mid] < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

function caseVariants(word: string): string[] {
  const variants = new Set([
    word,
    word.toLowerCase(),
    word.toUpperCase(),
    word.charAt(0).toUpperCase() + word.slice(1),
  ]);
  return [...variants];
}

/** What a user might derive from their own name: 'bob', 'Bob', 'BOB', 'bob1', 'bob123', 'bobbob', 'bob!'. */
function usernameVariants(username: string): string[] {
  const out = new Set<string>();
  for (const base of caseVariants(username)) {
    for (const suffix of ['', '1', '12', '123', '1234', '!', base]) out.add(base + suffix);
  }
  return [...out];
}

/** Passwords that must be in the list even if the bundled file cannot be found (seen in Redis tutorials and scanners). */
const ESSENTIAL_COMMON_PASSWORDS = [
  'foobared',
  'redis',
  'redis123',
  'redispass',
  'password',
  'password1',
  'password123',
  'passw0rd',
  '123456',
  '12345678',
  '123456789',
  'admin',
  'admin123',
  'iamadmin',
  'root',
  'toor',
  'secret',
  'changeme',
  'default',
  'guest',
  'test',
  'qwerty',
  'letmein',
];

export function parseCommonPasswords(text: string, source?: string): CommonPasswords {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  return new CommonPasswords([...lines, ...ESSENTIAL_COMMON_PASSWORDS], source);
}

let bundled: CommonPasswords | undefined;

/**
 * The bundled list (src/security/data/common-passwords.txt), read once. In the esbuild bundle the file has to sit
 * in dist/data/; if it is missing the essential built-in list is used and `source` says so.
 */
export function loadCommonPasswords(): CommonPasswords {
  if (bundled) return bundled;
  const candidates = [
    new URL('./data/common-passwords.txt', import.meta.url),
    new URL('../src/security/data/common-passwords.txt', import.meta.url),
  ];
  for (const url of candidates) {
    const path = url.protocol === 'file:' ? fileURLToPath(url) : undefined;
    if (path && existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      bundled = parseCommonPasswords(text, 'bundled common-password list');
      return bundled;
    }
  }
  bundled = new CommonPasswords(ESSENTIAL_COMMON_PASSWORDS, `built-in list of ${ESSENTIAL_COMMON_PASSWORDS.length}`);
  return bundled;
}

/** Bits by character classes present: length × log2(alphabet size). Random 32-char hex scores 165. */
export function estimateEntropyBits(password: string): number {
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(password)) pool += 33;
  if (/[^\x20-\x7e]/.test(password)) pool += 100;
  if (pool === 0) return 0;
  return [...password].length * Math.log2(pool);
}

/** More than half of adjacent pairs repeat or step by one code point: 'aaaa…', 'abcdef…', '98765…'. */
function isSequential(password: string): boolean {
  const cps = [...password].map((c) => c.codePointAt(0) ?? 0);
  if (cps.length < 4) return false;
  let steps = 0;
  for (let i = 1; i < cps.length; i++) if (Math.abs(cps[i] - cps[i - 1]) <= 1) steps++;
  return steps * 2 > cps.length - 1;
}

export interface JudgeOptions {
  username?: string;
  list?: CommonPasswords;
}

/** Every weakness of a plaintext password; [] means strong enough. */
export function judgePlaintext(password: string, opts: JudgeOptions = {}): PasswordWeakness[] {
  if (password.length === 0) return ['empty'];
  const list = opts.list ?? loadCommonPasswords();
  const out: PasswordWeakness[] = [];
  if (opts.username !== undefined && usernameVariants(opts.username).some((v) => v === password)) {
    out.push('equals-username');
  }
  if (list.hasPlaintext(password)) out.push('common');
  const short = [...password].length < MIN_PASSWORD_LENGTH;
  if (short) out.push('short');
  if (estimateEntropyBits(password) < MIN_ENTROPY_BITS) out.push('low-entropy');
  // Only worth saying of a long password: a short one is already weak.
  if (!short && new Set(password).size < MIN_DISTINCT_CHARACTERS) out.push('few-distinct-characters');
  if (isSequential(password)) out.push('sequential');
  return out;
}

/**
 * What can be said about a password known only by its SHA-256 (ACL LIST '#<hex>'): whether it is the username
 * or a common password. Length and entropy cannot be judged from a hash.
 */
export function judgeHash(hash: string, opts: JudgeOptions = {}): PasswordWeakness[] {
  const h = hash.toLowerCase().replace(/^#/, '');
  const list = opts.list ?? loadCommonPasswords();
  const out: PasswordWeakness[] = [];
  if (h === sha256Hex('')) return ['empty'];
  if (opts.username !== undefined && usernameVariants(opts.username).some((v) => sha256Hex(v) === h)) {
    out.push('equals-username');
  }
  if (list.hasHash(h)) out.push('common');
  return out;
}

/** True when `hash` is the SHA-256 of `plaintext` (to pair CONFIG GET requirepass with ACL LIST's hash). */
export const hashMatches = (hash: string, plaintext: string): boolean =>
  hash.toLowerCase().replace(/^#/, '') === sha256Hex(plaintext);

const WORDS: Record<PasswordWeakness, string> = {
  empty: 'is empty',
  'equals-username': 'equals the username',
  common: 'is in the common-password list',
  short: `is shorter than ${MIN_PASSWORD_LENGTH} characters`,
  'low-entropy': `has an estimated entropy below ${MIN_ENTROPY_BITS} bits`,
  'few-distinct-characters': `uses fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters`,
  sequential: 'is mostly repeated or sequential characters',
};

/** 'equals the username, is in the common-password list' — never the password itself. */
export const describeWeaknesses = (weaknesses: readonly PasswordWeakness[]): string =>
  weaknesses.map((w) => WORDS[w]).join(', ');
