/**
 * Reading a setting from Facts: its effective value with its file line, or the Redis 7 default when a file or a
 * complete CONFIG GET does not set it; undefined when it could not be observed, and why.
 */

import type { SourceLocation } from '../../redis/acl-user.ts';
import type { Facts } from '../facts.ts';
import { REDIS_7_DEFAULTS } from '../file-facts.ts';
import { REDACTED } from '../live-commands.ts';

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

export interface Setting {
  value: string;
  /** 'set': read from CONFIG GET, a file directive or INFO; 'default': not set, the Redis 7 default applies. */
  source: 'set' | 'default';
  location?: SourceLocation;
}

/**
 * configValue as a Setting: a parameter's effective value. undefined when it could not be observed (no config at
 * all, or a live server whose CONFIG was unavailable and INFO did not show it). A parameter that is simply not set
 * resolves to its Redis 7 default (REDIS_7_DEFAULTS: `CONFIG GET *` of a 7.0 server started without a file, so
 * `bind * -::*`).
 */
export function setting(facts: Facts, name: string): Setting | undefined {
  const v = configValue(facts, name);
  if (!v) return undefined;
  const source = v.origin === 'default' ? 'default' : 'set';
  return v.location ? { value: v.value, source, location: v.location } : { value: v.value, source };
}

/** 'protected-mode no' / 'protected-mode yes (default)' — for non-secret settings only. */
export function showSetting(name: string, s: Setting): string {
  if (name === 'requirepass' || name === 'masterauth') return `${name} ${s.value === '' ? 'is not set' : 'is set'}`;
  const v = s.value === '' ? '""' : s.value;
  return s.source === 'default' ? `${name} ${v} (default)` : `${name} ${v}`;
}

/** A secret parameter is set (live values arrive as REDACTED; files give the plaintext, never shown). */
export const secretIsSet = (s: Setting | undefined): boolean => s !== undefined && s.value !== '';

/** The plaintext of a secret setting, when a file gave it (live values are redacted). */
export const secretPlaintext = (s: Setting | undefined): string | undefined =>
  s && s.value !== '' && s.value !== REDACTED ? s.value : undefined;

/** The first of several locations that exists. */
export const firstLocation = (...locations: Array<SourceLocation | undefined>): SourceLocation | undefined =>
  locations.find((l) => l !== undefined);

/** Why a part of the facts is missing, in the words the fact collector used, or a generic reason. */
export function whyUnobserved(facts: Facts, part: keyof Facts['unobserved'], what: string): string {
  const reason = facts.unobserved[part];
  if (reason) return `${what} could not be observed: ${reason}`;
  if (!facts.live && facts.files.length > 0) return `${what} could not be observed: the audited files do not show it`;
  return `${what} could not be observed`;
}

/** Why the configuration could not be read, for unknown results. */
export const configUnknown = (facts: Facts, params: string): string =>
  whyUnobserved(facts, 'config', `the configuration (${params})`);
