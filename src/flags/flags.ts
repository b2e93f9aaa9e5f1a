/**
 * Flag tables and a parser that accepts Go's flag syntax as well as GNU style, so redis_exporter command
 * lines keep working: `-redis.addr x`, `--redis.addr=x`, `-ping-on-connect`, `-set-client-name=false`.
 * Precedence: command line > environment > default.
 */
/** `repeated`: a string flag that may be given several times (`--redis a --redis b`), collected in order. */
export type FlagType = 'string' | 'bool' | 'int' | 'duration' | 'list' | 'repeated';

export interface FlagSpec {
  name: string;
  type: FlagType;
  env?: string[];
  default?: string | boolean | number | string[];
  help: string;
  /** Hidden from the table but accepted (compatibility aliases). */
  hidden?: boolean;
  /** An environment variable set to the empty string sets the flag to '' (Go's os.LookupEnv), not to its default. */
  emptyEnv?: boolean;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Go durations: `15s`, `500ms`, `1m30s`, or a bare number of seconds. Returns milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? n * 3600e3 : unit === 'm' ? n * 60e3 : unit === 's' ? n * 1e3 : unit === 'ms' ? n : n / 1e3;
    matched = re.lastIndex;
  }
  if (matched !== t.length || t.length === 0)
    throw new UsageError(`--${flag}: "${text}" is not a duration; use a value like 15s, 500ms or 1m`);
  return total;
}

function parseBool(text: string, flag: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 't', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'f', 'false', 'no', 'off', ''].includes(t)) return false;
  throw new UsageError(`--${flag}: "${text}" is not a boolean; use true or false`);
}

function convert(spec: FlagSpec, raw: string): string | boolean | number | string[] {
  switch (spec.type) {
    case 'bool':
      return parseBool(raw, spec.name);
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${spec.name}: "${raw}" is not a whole number`);
      return Number(raw);
    }
    case 'duration':
      return parseDuration(raw, spec.name);
    case 'repeated':
      return [raw];
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

/**
 * The flag a stray argument was probably meant for: a URL for the command's Redis flag (`--redis` or, for the
 * exporter, `--redis.addr`), a .conf file for `--config`, an .acl file for `--acl-file`.
 */
function flagForArgument(arg: string, specs: FlagSpec[]): string | undefined {
  const has = (name: string) => specs.some((s) => s.name === name);
  if (/^(redis|rediss|unix|valkey|valkeys):\/\//i.test(arg) || /^[\w.-]+:\d+$/.test(arg))
    return ['redis', 'redis.addr'].find(has);
  if (/\.conf$/i.test(arg) && has('config')) return 'config';
  if (/\.acl$/i.test(arg) && has('acl-file')) return 'acl-file';
  return undefined;
}

/** Commands take flags only: a stray argument (a URL without its flag, a typo) would otherwise be ignored. */
function strayArgument(arg: string, specs: FlagSpec[]): UsageError {
  const flag = flagForArgument(arg, specs);
  // A URL's user and password are not echoed (an error line ends up in CI logs).
  const shown = arg.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1<credentials>@');
  const hint = flag ? `did you mean --${flag} ${shown}?` : 'flags take the form --name value, see --help';
  return new UsageError(`unexpected argument "${shown}"; ${hint}`);
}

const CREDENTIAL = /pass(word|wd|phrase)?\b|pass(word)?$|secret|token/i;

/** The words of a flag name that say what it is about: `redis.password-file` → redis. */
function scopeWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[.\-_]/)
    .filter((w) => w && !/^(pass|password|passwd|passphrase|file|secret|token)$/.test(w));
}

/**
 * What to suggest for an unknown flag that would carry a secret (`up --redis.password X`): never another flag that
 * puts it on the command line, where every user of the machine reads it (ps, /proc/PID/cmdline), but the
 * environment variables and files the command reads secrets from. Every command with --redis.password-file also
 * takes REDIS_PASSWORD (the exporter's rule).
 */
function credentialHint(name: string, specs: FlagSpec[]): string | undefined {
  if (!CREDENTIAL.test(name)) return undefined;
  const family = /token/i.test(name) ? /token/ : /pass|secret/;
  const all = specs.filter((s) => !s.hidden && family.test(s.name));
  // The ones about the same thing as the name typed (--redis.pass: the Redis password), else the Redis ones.
  const score = (s: FlagSpec) => scopeWords(s.name).filter((w) => scopeWords(name).includes(w)).length;
  const best = Math.max(0, ...all.map(score));
  const shown = best > 0 ? all.filter((s) => score(s) === best) : all.filter((s) => s.name.startsWith('redis.'));
  const files = shown.filter((s) => s.name.endsWith('-file')).map((s) => `--${s.name} FILE`);
  const envs = shown.filter((s) => !s.name.endsWith('-file')).flatMap((s) => s.env ?? []);
  if (shown.some((s) => s.name === 'redis.password-file') && !envs.includes('REDIS_PASSWORD'))
    envs.unshift('REDIS_PASSWORD');
  const ways = [...envs.map((e) => `set ${e} in the environment`), ...files.map((f) => `use ${f}`)];
  if (ways.length === 0) return undefined;
  return `a secret on the command line is visible to every user of the machine (ps); ${ways.join(', or ')}`;
}

function closest(name: string, specs: FlagSpec[]): string | undefined {
  const candidates = specs.filter((s) => s.name.includes(name) || name.includes(s.name));
  return candidates[0]?.name;
}

/**
 * The arguments a command takes besides its flags (`redoubt restore FILE`): at most `max`, named `name` in the
 * usage line. A command that declares none refuses every argument that is not a flag or a flag's value.
 */
export interface PositionalSpec {
  max: number;
  name: string;
}

/** One argument too many: the command's own usage, never the argument's credentials (main neutralises the line). */
function extraArgument(arg: string, specs: FlagSpec[], takes: PositionalSpec | undefined): UsageError {
  if (!takes || takes.max === 0) return strayArgument(arg, specs);
  const shown = arg.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1<credentials>@');
  return new UsageError(
    `unexpected argument "${shown}": this command takes ${takes.max === 1 ? 'one' : `at most ${takes.max}`} ${takes.name}, see --help`,
  );
}

export function parseFlags(
  argv: string[],
  specs: FlagSpec[],
  env: NodeJS.ProcessEnv = process.env,
  takes?: PositionalSpec,
): { values: FlagValues; help: boolean; positionals: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  for (const s of specs) {
    values[s.name] = s.default;
    for (const e of s.env ?? []) {
      const v = env[e];
      if (v !== undefined && (v !== '' || s.emptyEnv)) {
        try {
          values[s.name] = convert(s, v);
        } catch (err) {
          throw new UsageError(`environment variable ${e}: ${(err as Error).message.replace(/^--\S+: /, '')}`);
        }
        break;
      }
    }
  }
  let help = false;
  /** Repeated flags given on the command line: the first replaces the default or environment, the next add. */
  const repeated = new Set<string>();
  const positionals: string[] = [];
  const positional = (arg: string) => {
    if (positionals.length >= (takes?.max ?? 0)) throw extraArgument(arg, specs, takes);
    positionals.push(arg);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      // Everything after `--` is an argument, even one that starts with a dash (a file named -x.age).
      for (const rest of argv.slice(i + 1)) positional(rest);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    if (body === 'help' || body === 'h') {
      help = true;
      continue;
    }
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec) {
      const secret = credentialHint(name, specs);
      if (secret) throw new UsageError(`unknown flag ${arg.split('=')[0]}: ${secret}; see --help`);
      const hint = closest(name, specs);
      throw new UsageError(`unknown flag ${arg.split('=')[0]}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
    }
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.type === 'bool') raw = 'true';
    else {
      if (i + 1 >= argv.length) throw new UsageError(`flag --${name} needs a value`);
      raw = argv[++i];
    }
    const value = convert(spec, raw);
    if (spec.type === 'repeated' && repeated.has(name)) values[name] = [...(values[name] as string[]), raw];
    else values[name] = value;
    repeated.add(name);
  }
  return { values, help, positionals };
}

export function formatHelp(usage: string, specs: FlagSpec[]): string {
  const lines = [usage, '', 'Flags (also accepted with a single dash, as redis_exporter spells them):'];
  for (const s of specs) {
    if (s.hidden) continue;
    const def =
      s.default === undefined || s.default === '' || (Array.isArray(s.default) && s.default.length === 0)
        ? ''
        : ` (default ${s.type === 'duration' ? `${Number(s.default) / 1000}s` : String(s.default)})`;
    const env = s.env?.length ? ` [env ${s.env.join(', ')}]` : '';
    const type = s.type === 'repeated' ? 'string, repeatable' : s.type;
    lines.push(`  --${s.name}${s.type === 'bool' ? '' : ` <${type}>`}`);
    lines.push(`      ${s.help}${def}${env}`);
  }
  return `${lines.join('\n')}\n`;
}
