import { type KeyPattern, KeyPatternError, parseKeyPatterns } from '../redis/key-patterns.ts';
import { ScrapeTargetError } from './scrape-targets.ts';

/** The five key-check flags, as given (redis_exporter's syntax: `db3=sessions:*,queue:*`). */
export interface KeyCheckFlags {
  checkKeys: string;
  checkSingleKeys: string;
  checkStreams: string;
  checkSingleStreams: string;
  countKeys: string;
}

/** Query parameter (and flag) name → field. */
const PARAMS: ReadonlyArray<readonly [string, keyof KeyCheckFlags]> = [
  ['check-keys', 'checkKeys'],
  ['check-single-keys', 'checkSingleKeys'],
  ['check-streams', 'checkStreams'],
  ['check-single-streams', 'checkSingleStreams'],
  ['count-keys', 'countKeys'],
];

function parse(flag: string, value: string): KeyPattern[] {
  try {
    return parseKeyPatterns(value, { flag });
  } catch (err) {
    if (err instanceof KeyPatternError) throw new ScrapeTargetError(400, err.message);
    throw err;
  }
}

/**
 * The key checks of one /scrape request: the configured flags, overridden by the query parameters of the same
 * names where the request gives them (non-empty, as upstream reads them).
 *
 * An override reads key values with the exporter's own credentials, so it is refused (400) unless the operator
 * turned overrides on, and then it may only choose among what the operator configured: every item of
 * `check-keys=…` must be one of the items of --check-keys, with the same database and the same pattern text
 * (`db0=user:*` does not allow `db0=*` or `db0=user:admin*`, and --check-keys does not cover check-single-keys).
 * Pattern containment is deliberately not inferred: the query narrows the configured list, never widens it.
 */
export function keyChecksForRequest(
  params: URLSearchParams,
  configured: KeyCheckFlags,
  allowOverrides: boolean,
): KeyCheckFlags {
  const out: KeyCheckFlags = { ...configured };
  for (const [name, field] of PARAMS) {
    const value = params.get(name);
    if (value === null || value === '') continue;
    if (!allowOverrides)
      throw new ScrapeTargetError(
        400,
        `the query parameter ${name} is refused: key checks from /scrape's query are off (the exporter's --scrape.allow-query-key-checks allows them, within --${name})`,
      );
    const wanted = parse(name, value);
    const allowed = parse(name, configured[field]);
    wanted.forEach((item, i) => {
      if (!allowed.some((a) => a.db === item.db && a.pattern === item.pattern))
        throw new ScrapeTargetError(
          400,
          `the query parameter ${name} is refused: its item ${i + 1} is not one of the exporter's --${name} items (a query may only choose among them)`,
        );
    });
    out[field] = value;
  }
  return out;
}

/** Whether any key check is asked for. */
export function wantsKeyChecks(k: KeyCheckFlags): boolean {
  return Boolean(k.checkKeys || k.checkSingleKeys || k.checkStreams || k.checkSingleStreams || k.countKeys);
}

/** A stable id of a set of key checks: concurrent scrapes asking for the same ones share one run. */
export function keyChecksId(k: KeyCheckFlags): string {
  return JSON.stringify([k.checkKeys, k.checkSingleKeys, k.checkStreams, k.checkSingleStreams, k.countKeys]);
}
