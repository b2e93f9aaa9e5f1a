/** The server's version and flavour (Redis, Valkey, Sentinel), from Facts. */

import type { Facts } from '../facts.ts';

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function serverVersion(facts: Facts): Version | undefined {
  const text = facts.server?.version ?? facts.info?.redis_version;
  if (!text) return undefined;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text };
}

/** Known to be older than 7.0 (no enable-* gates, no protected configs). Unknown versions count as 7.0+. */
export const isBefore7 = (facts: Facts): boolean => {
  const v = serverVersion(facts);
  return v !== undefined && v.major < 7;
};

/** A Sentinel: INFO redis_mode, or an audited sentinel.conf (`sentinel …` directives). */
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
