/**
 * redis_exporter's key-list flag syntax (check-keys, check-single-keys, count-keys, check-streams,
 * check-single-streams): a comma-separated list of `[db<N>=]<key or pattern>` items, as parsed by upstream's
 * `parseKeyArg` (exporter/keys.go):
 *
 * - items are split on `,` then on `=`; more than one `=` in an item is an error;
 * - without `=` the database is 0; with it, every `db` is removed from the left side (`db3` and `3` both mean 3);
 * - both sides are trimmed of whitespace, then the key is URL-query-unescaped (`%2C` is a comma, `%3D` an equals
 *   sign, `%25` a percent sign, and `+` is a space);
 * - items whose database or key ends up empty (`a,,b`, `db3=`) are skipped, not fatal;
 * - a database that is not a non-negative integer is an error.
 *
 * Deliberate differences: upstream accepts what Go's strconv.Atoi accepts (`+3`, `03`) and then fails at SELECT
 * time; here the database must be plain digits and is canonicalised (`03` → 3, label `db3`).
 */

export interface KeyPattern {
  db: number;
  /** An exact key, or a glob pattern when `isGlobPattern(pattern)`. */
  pattern: string;
}

export class KeyPatternError extends Error {
  constructor(
    readonly flag: string,
    readonly item: string,
    message: string,
  ) {
    super(message);
    this.name = 'KeyPatternError';
  }
}

export interface ParseKeyPatternsOptions {
  /** Flag name used in messages, e.g. `check-keys`. */
  flag?: string;
  /** Called for items that are skipped (empty database or key), like upstream's error log. */
  warn?: (message: string) => void;
}

const SYNTAX =
  'use a comma-separated list of db<N>=<pattern> items, e.g. db0=user:*,db3=sessions:* (db 0 when omitted)';

/** Parses one flag value into `{db, pattern}` items; throws `KeyPatternError` with an actionable message. */
export function parseKeyPatterns(value: string | undefined, options: ParseKeyPatternsOptions = {}): KeyPattern[] {
  const flag = options.flag ?? 'check-keys';
  const out: KeyPattern[] = [];
  if (!value) return out;
  for (const item of value.split(',')) {
    if (item === '') continue;
    const frags = item.split('=');
    let dbText: string;
    let keyText: string;
    if (frags.length === 1) {
      dbText = '0';
      keyText = frags[0].trim();
    } else if (frags.length === 2) {
      dbText = frags[0].trim().replaceAll('db', '');
      keyText = frags[1].trim();
    } else {
      throw new KeyPatternError(
        flag,
        item,
        `--${flag}: "${item}" has more than one "="; ${SYNTAX}. Percent-encode a literal "=" in a key as %3D and a comma as %2C.`,
      );
    }
    let key: string;
    try {
      key = queryUnescape(keyText);
    } catch (err) {
      throw new KeyPatternError(
        flag,
        item,
        `--${flag}: "${item}" has an invalid percent-escape ${(err as Error).message}; write a literal "%" as %25 (keys are URL-query-decoded, so "+" also means a space: write %2B for a plus sign).`,
      );
    }
    if (dbText === '' || key === '') {
      options.warn?.(`--${flag}: skipping "${item}": the database or the key is empty`);
      continue;
    }
    if (!/^[0-9]+$/.test(dbText)) {
      throw new KeyPatternError(
        flag,
        item,
        `--${flag}: "${item}": database "${frags[0].trim()}" is not a number; ${SYNTAX}.`,
      );
    }
    const db = Number(dbText);
    if (!Number.isSafeInteger(db)) {
      throw new KeyPatternError(flag, item, `--${flag}: "${item}": database ${dbText} is out of range; ${SYNTAX}.`);
    }
    out.push({ db, pattern: key });
  }
  return out;
}

/** Upstream's `globPattern` test: a key containing any of `? * [ ] ^` is expanded with SCAN, otherwise checked as is. */
export function isGlobPattern(key: string): boolean {
  return /[?*[\]^]/.test(key);
}

/** The `db` label value upstream uses: `db3`. */
export function dbLabel(db: number): string {
  return `db${db}`;
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** Go's url.QueryUnescape: `+` → space, `%XX` → byte; bytes are decoded as UTF-8. Throws on a bad escape. */
export function queryUnescape(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) throw new Error(`"${s.slice(i, i + 3)}"`);
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (c === '+') {
      bytes.push(0x20);
      i += 1;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
