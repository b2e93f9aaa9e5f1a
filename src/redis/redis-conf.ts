/**
 * A redis.conf reader that follows Redis 7.0's own loader (`loadServerConfig` / `loadServerConfigFromString` in
 * config.c, `sdssplitargs` in sds.c) byte for byte:
 *
 * - the file is split on "\n"; each line is trimmed of " \t\r\n"; a line whose first character is '#' is a
 *   comment (there are no trailing comments: `port 6379 # x` is three arguments, and Redis refuses it);
 * - arguments are split like `sdssplitargs`: "double quotes" with \n \r \t \b \a \" \\ and \xHH escapes,
 *   'single quotes' with only \' as an escape, quotes may start inside a word (`a"b c"` is `ab c`), a closing
 *   quote must be followed by a space or the end of the line, and an unterminated quote is an error;
 * - a NUL byte ends the text of the 1024-byte read chunk it is in (Redis reads with fgets and appends with
 *   strlen), as the server does;
 * - directive names are case-insensitive; old names are normalised to the 7.0 name (slaveof → replicaof,
 *   slave-read-only → replica-read-only, lua-time-limit → busy-reply-threshold, hash-max-ziplist-entries →
 *   hash-max-listpack-entries …; see redis-conf-table.ts); repeated directives are kept in order;
 * - a multi-argument setting given one non-empty argument is split again (`save "900 1 300 10"`);
 * - `include` is followed in place, with wildcards (no match = nothing, like glob(3)), cycle detection and a
 *   depth limit.
 *
 * Relative paths: the server resolves `include` (and `aclfile`) against its working directory, which a `dir`
 * directive changes as it is read (Redis chdir()s at once). The audit does not know the directory the server was
 * started in, so a relative path resolves against `cwd` when given, otherwise against the directory of the file
 * that contains the directive; after a `dir` directive, against that directory, as in Redis.
 *
 * What Redis would refuse at startup but that does not stop reading the file (an unknown directive, a wrong
 * number of arguments, `protected-mode maybe`, …) is reported in `warnings`, with Redis's own message. Only
 * what makes the file unreadable is an error: unbalanced quotes, an include that cannot be read, an include
 * cycle, includes nested too deeply. Every error is a RedisConfParseError — nothing else is ever thrown.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readInputFile } from '../fs/read-input.ts';
import { MEMORY_UNITS } from './memory-size.ts';
import { type ConfigSpec, REDIS_7_0_CONFIGS, REDIS_7_0_IGNORED_DIRECTIVES } from './redis-conf-table.ts';

export interface ConfLocation {
  file: string;
  /** 1-based; 0 means the file as a whole (it could not be read). */
  line: number;
}

/** A redis.conf that cannot be read as Redis would read it. `reason` is the message without the location. */
export class RedisConfParseError extends Error {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = 'RedisConfParseError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/**
 * What a directive is to the server. `config`: a setting (CONFIG GET shows it); `module-config`: `name.x` for a
 * module; `deprecated`: accepted and ignored by 7.0; `unknown`: Redis refuses to start (see warnings).
 */
export type DirectiveKind =
  | 'config'
  | 'module-config'
  | 'include'
  | 'rename-command'
  | 'user'
  | 'loadmodule'
  | 'sentinel'
  | 'deprecated'
  | 'unknown';

export interface ConfDirective {
  /** Lower case, aliases normalised: `replicaof` for `SLAVEOF`. */
  name: string;
  /** Lower case, as written: `slaveof`. */
  written: string;
  /** Arguments after the name, unquoted (a lone multi-argument value already split again). */
  args: string[];
  kind: DirectiveKind;
  location: ConfLocation;
}

export interface ConfWarning {
  location: ConfLocation;
  message: string;
  /** Redis refuses to start with the file (true), or starts and ignores or changes what the line says (false). */
  refused: boolean;
}

export interface RedisConf {
  /** The main file (absolute when loaded with loadRedisConf). */
  file: string;
  /** Every file read, main first, each once, in the order first read. */
  files: string[];
  /** All directives in the order the server applies them, includes expanded in place after their `include`. */
  directives: ConfDirective[];
  /** Problems Redis would refuse to start with (or silently ignore), in file order. */
  warnings: ConfWarning[];
  /** The server's working directory after the file: the last `dir`, resolved; else the `cwd` option. */
  workingDir?: string;
}

export interface RedisConfOptions {
  /** Name of the text's file, for locations and for resolving relative includes. */
  file: string;
  /** Reads an included file; default fs.readFileSync. May throw: that becomes a RedisConfParseError. */
  readFile?: (path: string) => string | Buffer;
  /** Lists a directory, for wildcard includes; default fs.readdirSync. */
  listDir?: (dir: string) => string[];
  /** The directory the server is started in, when known: relative includes resolve against it (see above). */
  cwd?: string;
  /** Deepest include nesting accepted; default 16 (Redis itself has no limit and recurses until it crashes). */
  maxIncludeDepth?: number;
}

const DEFAULT_MAX_INCLUDE_DEPTH = 16;
/** fgets(buf, CONFIG_READ_LEN+1) reads at most 1024 bytes at a time (ACLLoadFromFile: 1023). */
export const CONFIG_READ_CHUNK = 1024;

const CONFIGS_BY_NAME: ReadonlyMap<string, { name: string; spec: ConfigSpec }> = (() => {
  const m = new Map<string, { name: string; spec: ConfigSpec }>();
  for (const [name, spec] of Object.entries(REDIS_7_0_CONFIGS)) {
    m.set(name, { name, spec });
    if (spec.alias) m.set(spec.alias, { name, spec });
  }
  return m;
})();

/** The 7.0 name of a directive (lower case, alias resolved): `SLAVEOF` → `replicaof`. Unknown names lower-cased. */
export function canonicalDirectiveName(name: string): string {
  const lower = asciiLower(name);
  return CONFIGS_BY_NAME.get(lower)?.name ?? lower;
}

/** The configuration table entry of a setting (by 7.0 name or alias), if Redis 7.0 has it. */
export function configSpec(name: string): ConfigSpec | undefined {
  return CONFIGS_BY_NAME.get(asciiLower(name))?.spec;
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes: the C library's view of the text (C locale).

/** isspace() in the C locale: space, \t \n \v \f \r. */
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
}

function hexValue(b: number): number {
  if (b <= 0x39) return b - 0x30;
  if (b >= 0x61) return b - 0x61 + 10;
  return b - 0x41 + 10;
}

/** tolower() of ASCII letters only, like C in the C locale (JS would also fold non-ASCII letters). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function toBytes(text: string | Buffer | Uint8Array): Buffer {
  if (typeof text === 'string') return Buffer.from(text, 'utf8');
  return Buffer.isBuffer(text) ? text : Buffer.from(text);
}

/**
 * The text as the server holds it after reading it with fgets(chunk) and appending each chunk with strlen(): a
 * NUL byte drops the rest of its chunk (including the newline, when it is in the same chunk).
 */
export function asReadByFgets(bytes: Buffer, chunk: number = CONFIG_READ_CHUNK): Buffer {
  if (!bytes.includes(0)) return bytes;
  const parts: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let end = Math.min(pos + chunk, bytes.length);
    const nl = bytes.indexOf(0x0a, pos);
    if (nl >= 0 && nl < end) end = nl + 1;
    const piece = bytes.subarray(pos, end);
    const nul = piece.indexOf(0);
    parts.push(nul >= 0 ? piece.subarray(0, nul) : piece);
    pos = end;
  }
  return Buffer.concat(parts);
}

/** The lines of the text as `sdssplitlen(config, "\n")` yields them, each trimmed of " \t\r\n" (sdstrim). */
export function configLines(bytes: Buffer): Buffer[] {
  if (bytes.length === 0) return [];
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    lines.push(trimBytes(bytes.subarray(start, end)));
    if (nl < 0) break;
    start = nl + 1;
  }
  return lines;
}

function trimBytes(b: Buffer): Buffer {
  const trim = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0;
  let s = 0;
  let e = b.length;
  while (s < e && trim(b[s])) s++;
  while (e > s && trim(b[e - 1])) e--;
  return b.subarray(s, e);
}

/**
 * sdssplitargs: splits one line into arguments, or returns null for unbalanced quotes (or a closing quote
 * followed by something other than a space). A NUL byte ends the line, as it does for C.
 */
export function splitArgsBytes(input: Buffer): Buffer[] | null {
  const nulAt = input.indexOf(0);
  const s = nulAt >= 0 ? input.subarray(0, nulAt) : input;
  const n = s.length;
  const at = (i: number): number => (i < n ? s[i] : 0);
  const out: Buffer[] = [];
  let p = 0;
  for (;;) {
    while (p < n && isSpace(s[p])) p++;
    if (p >= n) return out;
    const current: number[] = [];
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inq) {
        if (c === 0x5c && at(p + 1) === 0x78 && isHexDigit(at(p + 2)) && isHexDigit(at(p + 3))) {
          current.push(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (c === 0x5c && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          current.push(ESCAPES[e] ?? e);
        } else if (c === 0x22) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current.push(c);
        }
      } else if (insq) {
        if (c === 0x5c && at(p + 1) === 0x27) {
          p++;
          current.push(0x27);
        } else if (c === 0x27) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current.push(c);
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22) {
        inq = true;
      } else if (c === 0x27) {
        insq = true;
      } else {
        current.push(c);
      }
      if (at(p) !== 0) p++;
    }
    out.push(Buffer.from(current));
  }
}

/** Escapes inside "double quotes": \n \r \t \b \a; any other escaped character stands for itself. */
const ESCAPES: Record<number, number> = { 110: 0x0a, 114: 0x0d, 116: 0x09, 98: 0x08, 97: 0x07 };

/** sdssplitargs on a string: the arguments as UTF-8 text, or null for unbalanced quotes. */
export function splitConfArgs(line: string | Buffer): string[] | null {
  const parts = splitArgsBytes(toBytes(line));
  return parts ? parts.map((b) => b.toString('utf8')) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Value checks: what the server's setters refuse at startup, with their messages.

/**
 * memtoull(): a byte count with an optional unit (b, k = 1000, kb = 1024, m, mb, g, gb; case-insensitive).
 * undefined when Redis would refuse it. Digits may be absent ("kb" is 0), as in Redis.
 */
export function parseMemory(value: string): bigint | undefined {
  const m = /^([0-9]*)(.*)$/s.exec(value);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  if (!Object.hasOwn(MEMORY_UNITS, unit) || m[1].length >= 128) return undefined;
  const mul = BigInt(MEMORY_UNITS[unit]);
  // strtoull saturates at ULLONG_MAX; the multiplication then wraps, as in C.
  const n = m[1] === '' ? 0n : BigInt(m[1]);
  const max = (1n << 64n) - 1n;
  return BigInt.asUintN(64, (n > max ? max : n) * mul);
}

/** string2ll(): an optionally negative decimal integer without leading zeros, '+' or spaces. */
function isStrictInteger(value: string): boolean {
  return /^(0|-?[1-9][0-9]{0,18})$/.test(value);
}

/**
 * strtoll(value, &end, 10) with the check `*end == '\0'`: leading whitespace and a sign are allowed, and an empty
 * string is 0 (no digits, but nothing left over either).
 */
function parseStrtoll(value: string): number | undefined {
  if (value === '') return 0;
  return /^[\t\n\v\f\r ]*[+-]?[0-9]+$/.test(value) ? Number(value.trim()) : undefined;
}

function parseOctal(value: string): number | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-7]+)$/.exec(value);
  if (!m) return undefined;
  const n = Number.parseInt(m[2], 8);
  return m[1] === '-' ? -n : n;
}

const CLIENT_CLASSES: Record<string, 'normal' | 'slave' | 'pubsub' | 'master'> = {
  normal: 'normal',
  slave: 'slave',
  replica: 'slave',
  pubsub: 'pubsub',
  master: 'master',
};

/** Why Redis 7.0 would refuse this setting's arguments at startup, or undefined when it accepts them. */
function valueProblem(name: string, spec: ConfigSpec, args: string[]): string | undefined {
  if (!spec.multiArg && args.length !== 1) return 'wrong number of arguments';
  const v = args[0] ?? '';
  switch (spec.type) {
    case 'bool':
      return /^(yes|no)$/i.test(v) ? undefined : "argument must be 'yes' or 'no'";
    case 'memory':
      return parseMemory(v) !== undefined ? undefined : 'argument must be a memory value';
    case 'memory-percent':
      return parseMemory(v) !== undefined || /^[0-9]+%$/.test(v)
        ? undefined
        : 'argument must be a memory or percent value';
    case 'octal':
      return parseOctal(v) !== undefined ? undefined : "argument couldn't be parsed as an octal number";
    case 'integer':
      return isStrictInteger(v) ? undefined : "argument couldn't be parsed into an integer";
    case 'special':
      return specialProblem(name, args);
    default:
      return undefined;
  }
}

function specialProblem(name: string, args: string[]): string | undefined {
  switch (name) {
    case 'save': {
      const a = args.length === 1 && args[0] === '' ? [] : args;
      if (a.length % 2 !== 0) return 'Invalid save parameters';
      for (let j = 0; j < a.length; j++) {
        const n = parseStrtoll(a[j]);
        if (n === undefined || (j % 2 === 0 && n < 1) || (j % 2 === 1 && n < 0)) return 'Invalid save parameters';
      }
      return undefined;
    }
    case 'client-output-buffer-limit': {
      if (args.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
      for (let j = 0; j < args.length; j += 4) {
        const cls = CLIENT_CLASSES[asciiLower(args[j])];
        if (!cls || cls === 'master') return 'Invalid client class specified in buffer limit configuration.';
        if (parseMemory(args[j + 1]) === undefined || parseMemory(args[j + 2]) === undefined)
          return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
        const seconds = parseStrtoll(args[j + 3]);
        if (seconds === undefined || seconds < 0)
          return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
      }
      return undefined;
    }
    case 'bind':
      return args.length > 16 ? 'Too many bind addresses specified.' : undefined;
    case 'replicaof': {
      if (args.length !== 2) return 'wrong number of arguments';
      if (asciiLower(args[0]) === 'no' && asciiLower(args[1]) === 'one') return undefined;
      const port = parseStrtoll(args[1]);
      return port !== undefined && port >= 0 && port <= 65535 ? undefined : 'Invalid master port';
    }
    case 'oom-score-adj-values':
      return args.length === 3 ? undefined : 'wrong number of arguments';
    case 'dir':
    case 'notify-keyspace-events':
      return args.length === 1 ? undefined : 'wrong number of arguments';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

interface ReadState {
  readonly options: RedisConfOptions;
  readonly readFile: (path: string) => Buffer;
  readonly listDir: (dir: string) => string[];
  readonly identity: (path: string) => string;
  readonly maxDepth: number;
  readonly conf: RedisConf;
  /** The server's working directory as far as the file tells (cwd option, then each `dir`). */
  cwd: string | undefined;
  /** Identities of the files being read, outermost first (cycle detection). */
  stack: string[];
  /** The file and line being read, for the last-resort error. */
  at: ConfLocation;
}

/** A redis.conf (or an included file) larger than this is refused: Redis's own are a few hundred KB at most. */
const MAX_CONF_BYTES = 16 * 1024 * 1024;

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (e && typeof e.code === 'string') return e.code;
  if (e && typeof e.message === 'string') return e.message;
  return String(err);
}

function readDirective(state: ReadState, file: string, line: number, argv: Buffer[], depth: number): void {
  const conf = state.conf;
  const location = { file, line };
  const written = asciiLower(argv[0].toString('utf8'));
  let args = argv.slice(1).map((b) => b.toString('utf8'));
  const warn = (message: string, refused = true) => conf.warnings.push({ location, message, refused });
  const push = (kind: DirectiveKind, name = written): void => {
    conf.directives.push({ name, written, args, kind, location });
  };

  const known = CONFIGS_BY_NAME.get(written);
  if (known) {
    const { name, spec } = known;
    if (spec.multiArg && argv.length === 2 && argv[1].length > 0) {
      // `save "900 1 300 10"` (or `--save "…"` on the command line): one argument split again.
      const again = splitArgsBytes(argv[1]);
      if (again === null) warn(`'${written}': unbalanced quotes inside the value; Redis applies it as empty`, false);
      args = (again ?? []).map((b) => b.toString('utf8'));
    }
    const problem = valueProblem(name, spec, args);
    if (problem) warn(`'${written}': ${problem} (Redis refuses to start)`);
    push('config', name);
    if (name === 'dir' && args.length === 1 && !problem) {
      state.cwd = resolve(state.cwd ?? dirname(file), args[0]);
      conf.workingDir = state.cwd;
    }
    return;
  }
  if (REDIS_7_0_IGNORED_DIRECTIVES.includes(written) && argv.length === 2) {
    warn(`'${written}' is ignored by Redis 7.0 (deprecated)`, false);
    push('deprecated');
    return;
  }
  if (written === 'include' && argv.length === 2) {
    push('include');
    readInclude(state, location, args[0], depth);
    return;
  }
  if (written === 'rename-command' && argv.length === 3) {
    push('rename-command');
    return;
  }
  if (written === 'user' && argv.length >= 2) {
    push('user');
    return;
  }
  if (written === 'loadmodule' && argv.length >= 2) {
    push('loadmodule');
    return;
  }
  if (written.includes('.')) {
    if (argv.length < 2) warn(`'${written}': Module config specified without value (Redis refuses to start)`);
    push('module-config');
    return;
  }
  if (written === 'sentinel') {
    push('sentinel');
    return;
  }
  warn(
    `'${written}': Bad directive or wrong number of arguments (Redis 7.0 refuses to start; check the spelling and the arguments)`,
  );
  push('unknown');
}

function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

/** fnmatch(3) for one path component: * ? [...] [!...] and backslash escapes; a leading '.' must be explicit. */
function componentMatcher(pattern: string): (name: string) => boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      i++;
      re += escapeRegExp(pattern[i]);
    } else if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      let j = i + 1;
      let negate = false;
      if (pattern[j] === '!' || pattern[j] === '^') {
        negate = true;
        j++;
      }
      let body = '';
      if (pattern[j] === ']') {
        body += '\\]';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        const ch = pattern[j];
        body += ch === '-' ? '-' : escapeRegExp(ch);
        j++;
      }
      if (j >= pattern.length) {
        re += '\\[';
      } else {
        re += `[${negate ? '^' : ''}${body}]`;
        i = j;
      }
    } else {
      re += escapeRegExp(c);
    }
  }
  let compiled: RegExp;
  try {
    compiled = new RegExp(`${re}$`, 's');
  } catch {
    return () => false;
  }
  const explicitDot = pattern.startsWith('.');
  return (name) => (explicitDot || !name.startsWith('.')) && compiled.test(name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** glob(3) with flags 0 over absolute `pattern`: matching paths, sorted; none when nothing matches. */
function globPaths(pattern: string, listDir: (dir: string) => string[]): string[] {
  const parts = pattern.split('/').filter((p) => p !== '');
  let current = ['/'];
  let wildcardSeen = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const next: string[] = [];
    if (hasWildcard(part)) {
      wildcardSeen = true;
      const matches = componentMatcher(part);
      for (const dir of current) {
        let entries: string[];
        try {
          entries = listDir(dir);
        } catch {
          continue;
        }
        for (const e of [...entries].sort()) if (matches(e)) next.push(join(dir, e));
      }
    } else if (wildcardSeen && i === parts.length - 1) {
      for (const dir of current) {
        try {
          if (listDir(dir).includes(part)) next.push(join(dir, part));
        } catch {
          // a directory that does not exist matches nothing
        }
      }
    } else {
      for (const dir of current) next.push(join(dir, part));
    }
    current = next;
  }
  return current.sort();
}

function readInclude(state: ReadState, at: ConfLocation, target: string, depth: number): void {
  const base = state.cwd ?? dirname(at.file);
  const path = isAbsolute(target) ? target : resolve(base, target);
  const paths = hasWildcard(target) ? globPaths(path, state.listDir) : [path];
  for (const p of paths) {
    if (depth + 1 > state.maxDepth)
      throw new RedisConfParseError(
        at.file,
        at.line,
        `includes are nested more than ${state.maxDepth} levels deep at '${target}'; flatten the includes`,
      );
    const id = state.identity(p);
    if (state.stack.includes(id)) {
      const chain = [...state.stack.slice(state.stack.indexOf(id)), id].join(' → ');
      throw new RedisConfParseError(
        at.file,
        at.line,
        `include cycle: ${chain} (Redis would include these files forever); remove one of the includes`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = state.readFile(p);
    } catch (err) {
      // fopen() of a directory succeeds on Linux and fgets() then reads nothing: Redis includes it as empty.
      if (errorCode(err) === 'EISDIR') continue;
      throw new RedisConfParseError(
        at.file,
        at.line,
        `cannot read included file '${p}' (${errorCode(err)}); Redis refuses to start without it`,
      );
    }
    readText(state, p, id, bytes, depth + 1);
  }
}

function readText(state: ReadState, file: string, id: string, text: Buffer, depth: number): void {
  if (!state.conf.files.includes(file)) state.conf.files.push(file);
  state.stack.push(id);
  const lines = configLines(asReadByFgets(text));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    state.at = { file, line: i + 1 };
    if (line.length === 0 || line[0] === 0x23) continue;
    const argv = splitArgsBytes(line);
    if (argv === null)
      throw new RedisConfParseError(
        file,
        i + 1,
        'Unbalanced quotes in configuration line: close every quote, and follow a closing quote with a space or the end of the line',
      );
    if (argv.length === 0) continue;
    readDirective(state, file, i + 1, argv, depth);
  }
  state.stack.pop();
}

/**
 * Reads redis.conf text (a string or the file's bytes) as Redis 7.0 would, following includes. Throws only
 * RedisConfParseError.
 */
export function parseRedisConf(text: string | Buffer | Uint8Array, options: RedisConfOptions): RedisConf {
  const file = typeof options?.file === 'string' && options.file !== '' ? options.file : 'redis.conf';
  const custom = options?.readFile;
  const listDir = options?.listDir ?? ((dir: string) => readdirSync(dir));
  const state: ReadState = {
    options,
    readFile: (p) => {
      const data = custom ? custom(p) : readInputFile(p, MAX_CONF_BYTES);
      if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new Error('readFile returned no text');
      return toBytes(data);
    },
    listDir: (dir) => {
      const entries = listDir(dir);
      if (!Array.isArray(entries)) throw new Error('listDir returned no list');
      return entries.map(String);
    },
    // Without a custom reader the real file system decides identity (symlinks included).
    identity: (p) => {
      if (custom) return p;
      try {
        return realpathSync(p);
      } catch {
        return p;
      }
    },
    maxDepth: options?.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH,
    conf: { file, files: [], directives: [], warnings: [] },
    cwd: options?.cwd,
    stack: [],
    at: { file, line: 0 },
  };
  if (state.cwd !== undefined) state.conf.workingDir = state.cwd;
  try {
    readText(state, file, state.identity(file), toBytes(text), 0);
  } catch (err) {
    if (err instanceof RedisConfParseError) throw err;
    // Last resort: the contract is that nothing but RedisConfParseError escapes, whatever the input.
    throw new RedisConfParseError(state.at.file, state.at.line, `internal error while reading: ${errorCode(err)}`);
  }
  return state.conf;
}

/** Reads a redis.conf file (and its includes) from disk. Throws only RedisConfParseError. */
export function loadRedisConf(path: string, options: Omit<RedisConfOptions, 'file'> = {}): RedisConf {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    const data = options.readFile ? options.readFile(file) : readInputFile(file, MAX_CONF_BYTES);
    bytes = toBytes(data);
  } catch (err) {
    throw new RedisConfParseError(file, 0, `cannot read the configuration file (${errorCode(err)})`);
  }
  return parseRedisConf(bytes, { ...options, file });
}

// ---------------------------------------------------------------------------------------------------------------
// Effective values.

const DEFAULT_OUTPUT_BUFFER_LIMITS: Record<'normal' | 'slave' | 'pubsub', [bigint, bigint, bigint]> = {
  normal: [0n, 0n, 0n],
  slave: [268435456n, 67108864n, 60n],
  pubsub: [33554432n, 8388608n, 60n],
};

/** A setting's value printed the way CONFIG GET prints it, when the arguments are valid; else joined as written. */
export function renderConfigValue(name: string, args: string[]): string {
  const spec = configSpec(name);
  const raw = args.join(' ');
  if (!spec || valueProblem(canonicalDirectiveName(name), spec, args)) return raw;
  const v = args[0] ?? '';
  switch (spec.type) {
    case 'bool':
    case 'enum':
      return asciiLower(raw);
    case 'memory':
      return String(parseMemory(v));
    case 'memory-percent':
      return /%$/.test(v) ? v : String(parseMemory(v));
    case 'octal':
      return (parseOctal(v) ?? 0).toString(8);
    case 'special':
      if (canonicalDirectiveName(name) === 'bind') return args.length === 1 && v === '' ? '' : raw;
      if (canonicalDirectiveName(name) === 'replicaof')
        return asciiLower(v) === 'no' && asciiLower(args[1]) === 'one' ? '' : `${v} ${parseStrtoll(args[1])}`;
      return raw;
    default:
      return raw;
  }
}

/**
 * The settings the file leaves the server with, as CONFIG GET would print them: by 7.0 name (lower case), the
 * last occurrence winning, except `save` (lines accumulate; `save ""` clears) and `client-output-buffer-limit`
 * (each line sets its classes; the others keep their defaults). Memory values are in bytes, booleans and enums in
 * lower case, `dir` is the resolved working directory. Values Redis would refuse are kept as written. Module
 * settings (`name.x`) are included as written. Settings the file does not mention are absent.
 */
export function effectiveConfigValues(conf: RedisConf): {
  values: Record<string, string>;
  locations: Record<string, ConfLocation>;
} {
  const values: Record<string, string> = {};
  const locations: Record<string, ConfLocation> = {};
  let save: string[] | undefined;
  let obuf: Record<string, [bigint, bigint, bigint]> | undefined;
  for (const d of conf.directives) {
    if (d.kind === 'module-config') {
      values[d.name] = d.args.join(' ');
      locations[d.name] = d.location;
      continue;
    }
    if (d.kind !== 'config') continue;
    const spec = configSpec(d.name);
    if (!spec || valueProblem(d.name, spec, d.args)) {
      values[d.name] = d.args.join(' ');
      locations[d.name] = d.location;
      continue;
    }
    if (d.name === 'save') {
      // Redis resets the save points at the first `save` line of the file, then each line adds its pairs.
      const pairs = d.args.length === 1 && d.args[0] === '' ? undefined : d.args;
      save = pairs === undefined ? [] : [...(save ?? []), ...pairs.map((n) => String(parseStrtoll(n)))];
      values.save = save.join(' ');
    } else if (d.name === 'client-output-buffer-limit') {
      obuf ??= { ...DEFAULT_OUTPUT_BUFFER_LIMITS };
      for (let j = 0; j < d.args.length; j += 4) {
        const cls = CLIENT_CLASSES[asciiLower(d.args[j])];
        obuf[cls] = [
          parseMemory(d.args[j + 1]) ?? 0n,
          parseMemory(d.args[j + 2]) ?? 0n,
          BigInt(parseStrtoll(d.args[j + 3]) ?? 0),
        ];
      }
      values[d.name] = (['normal', 'slave', 'pubsub'] as const).map((c) => `${c} ${obuf?.[c].join(' ')}`).join(' ');
    } else if (d.name === 'dir') {
      values.dir = conf.workingDir ?? d.args[0];
    } else {
      values[d.name] = renderConfigValue(d.name, d.args);
    }
    locations[d.name] = d.location;
  }
  return { values, locations };
}

/**
 * The rename-command lines, applied in order as the server does: original command (lower case) → its final name
 * ('' = removed). Renaming a name that an earlier line produced follows the chain (`rename-command CONFIG A`,
 * `rename-command A B` → config: 'B').
 */
export function renamedCommands(conf: RedisConf): Record<string, string> {
  const out: Record<string, string> = {};
  /** current name (lower case) → original command, for names produced by a rename. */
  const produced = new Map<string, string>();
  for (const d of conf.directives) {
    if (d.kind !== 'rename-command' || d.args.length !== 2) continue;
    const from = asciiLower(d.args[0]);
    const to = d.args[1];
    const original = produced.get(from) ?? from;
    produced.delete(from);
    out[original] = to;
    if (to !== '') produced.set(asciiLower(to), original);
  }
  return out;
}
