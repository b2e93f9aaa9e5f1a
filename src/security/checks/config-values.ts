/**
 * Reading settings for checks RS028–RS056: a parameter's effective value with its file line, the Redis 7 default
 * (REDIS_7_DEFAULTS) when a file (or a complete CONFIG GET) does not set it, or undefined when it could not be
 * observed (CONFIG was unavailable and INFO did not stand in for it). Sizes in redis.conf units. Nothing here
 * returns a secret.
 */
import type { Facts, SourceLocation } from '../facts.ts';
import { REDIS_7_DEFAULTS } from '../file-facts.ts';

/**
 * Defaults REDIS_7_DEFAULTS (CONFIG GET * of 7.0) leaves out: `dir` (the directory the server starts in) and the
 * set-max-listpack-* thresholds, which 7.2 added.
 */
const MORE_DEFAULTS: Readonly<Record<string, string>> = {
  dir: './',
  'set-max-listpack-entries': '128',
  'set-max-listpack-value': '64',
};

/** What a parameter is when nothing sets it: the Redis 7 default. */
export const defaultOf = (name: string): string => REDIS_7_DEFAULTS[name] ?? MORE_DEFAULTS[name] ?? '';

/**
 * Parameters known under two names (7.0 renamed *-ziplist-* to *-listpack-*). File facts arrive under the 7.0 name;
 * a pre-7.0 server answers CONFIG GET under the old one.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  'replica-read-only': ['slave-read-only'],
  replicaof: ['slaveof'],
  'busy-reply-threshold': ['lua-time-limit'],
  'hash-max-listpack-entries': ['hash-max-ziplist-entries'],
  'hash-max-listpack-value': ['hash-max-ziplist-value'],
  'zset-max-listpack-entries': ['zset-max-ziplist-entries'],
  'zset-max-listpack-value': ['zset-max-ziplist-value'],
};

export interface ConfigValue {
  name: string;
  value: string;
  /** set: CONFIG GET or a file directive; info: INFO stood in for CONFIG; default: not set, Redis 7 default. */
  origin: 'set' | 'info' | 'default';
  location?: SourceLocation;
}

/** Only part of the configuration is known: live, CONFIG unavailable, a few values from INFO. */
function configPartial(facts: Facts): boolean {
  const c = facts.config;
  if (!c) return true;
  const fromFile = c.directives.length > 0 || Object.keys(c.locations).length > 0;
  return !fromFile && (facts.unobserved.config !== undefined || c.derivedFromInfo !== undefined);
}

/** The effective value of a parameter; undefined when it could not be observed. */
export function configValue(facts: Facts, name: string): ConfigValue | undefined {
  const c = facts.config;
  if (!c) return undefined;
  const names = [name, ...(ALIASES[name] ?? [])];
  // With both spellings in a file, the later directive wins.
  let last: string | undefined;
  for (let i = c.directives.length - 1; i >= 0 && last === undefined; i--) {
    if (names.includes(c.directives[i].name)) last = c.directives[i].name;
  }
  for (const key of last ? [last, ...names] : names) {
    const value = c.values[key];
    if (value === undefined) continue;
    const origin = c.derivedFromInfo?.includes(key) ? 'info' : 'set';
    const location = c.locations[key];
    return location ? { name: key, value, origin, location } : { name: key, value, origin };
  }
  if (configPartial(facts)) return undefined;
  return { name, value: defaultOf(name), origin: 'default' };
}

/** Several parameters at once; undefined when any could not be observed. */
export function configValues<K extends string>(facts: Facts, names: readonly K[]): Record<K, ConfigValue> | undefined {
  const out = {} as Record<K, ConfigValue>;
  for (const n of names) {
    const v = configValue(facts, n);
    if (!v) return undefined;
    out[n] = v;
  }
  return out;
}

/** 'maxmemory 0 (default)', 'timeout 300 s' — for non-secret parameters only. */
export function show(v: ConfigValue, unit?: string): string {
  const value = v.value === '' ? '""' : unit ? `${v.value} ${unit}` : v.value;
  if (v.origin === 'default') return `${v.name} ${value} (default)`;
  if (v.origin === 'info') return `${v.name} ${value} (from INFO)`;
  return `${v.name} ${value}`;
}

/** The file line of the first value that has one. */
export const locationOf = (...values: Array<ConfigValue | undefined>): SourceLocation | undefined =>
  values.find((v) => v?.location)?.location;

/** Why a part of the facts is missing, in the collector's words when it gave them. */
export function whyUnobserved(facts: Facts, part: keyof Facts['unobserved'], what: string): string {
  const reason = facts.unobserved[part];
  if (reason) return `${what} could not be observed: ${reason}`;
  if (!facts.live && facts.files.length > 0) return `${what} could not be observed: the audited files do not show it`;
  return `${what} could not be observed`;
}

export const configUnknown = (facts: Facts, params: string): string =>
  whyUnobserved(facts, 'config', `the configuration (${params})`);

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/** A redis.conf size ('512mb', '1gb', '1k' = 1000, '1kb' = 1024, plain bytes); undefined when not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([kmg]b?)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()];
}

/** 536870912 → '512 MiB'. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/** The server is a Sentinel (INFO redis_mode) or the audited file is a sentinel.conf (`sentinel …` lines). */
export function isSentinel(facts: Facts): boolean {
  const mode = (facts.server?.mode ?? facts.info?.redis_mode ?? '').toLowerCase();
  if (mode) return mode === 'sentinel';
  return (facts.config?.directives ?? []).some((d) => d.name === 'sentinel');
}

/** Valkey answers with a compatibility redis_version; its own version is valkey_version. */
export const isValkey = (facts: Facts): boolean =>
  facts.server?.valkeyVersion !== undefined ||
  facts.info?.valkey_version !== undefined ||
  (facts.info?.server_name ?? '').toLowerCase() === 'valkey';

/** 'a', 'b' and 3 more. */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Characters a key name, host or path may carry that would garble a report line. */
export const printable = (s: string, max = 80): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being removed
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};
