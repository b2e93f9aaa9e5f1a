import type { Snapshot } from '../redis/snapshot.ts';
import { type FamilyBuilder, NO_LABELS } from './family.ts';
import { snapshotInfo } from './info.ts';

/** Settings an attacker flips at runtime (CONFIG SET protected-mode no): read on every scrape, not every audit. */
export const WATCHED_SETTINGS = ['protected-mode', 'replica-read-only'] as const;

const ERRORSTAT_COUNT = /^count=(\d+)/;

/**
 * The count of `errorstat_<name>:count=N`, from the INFO fields the scrape has already read (no second scan of
 * the whole text, no regular expression compiled per scrape).
 */
function errorstat(snapshot: Snapshot, name: string): number | undefined {
  const value = snapshotInfo(snapshot).fields.get(`errorstat_${name}`);
  const m = value === undefined ? null : ERRORSTAT_COUNT.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** Per-scrape security values: watched settings and authentication failures (from INFO errorstats). */
export function addSecurityScrapeFamilies(b: FamilyBuilder, snapshot: Snapshot): void {
  for (const param of WATCHED_SETTINGS) {
    const v = snapshot.config[param];
    if (v === undefined) continue;
    b.gauge(
      'security_config_value',
      v === 'yes' ? 1 : v === 'no' ? 0 : Number.isFinite(Number(v)) ? Number(v) : -1,
      { param },
      'Security-relevant settings that can be changed at runtime (1 yes, 0 no)',
    );
  }
  // WRONGPASS counts failed AUTH attempts (wrong password or disabled user); the counter resets on restart.
  b.counter(
    'security_auth_failures_total',
    errorstat(snapshot, 'WRONGPASS') ?? 0,
    NO_LABELS,
    'Failed authentication attempts (errorstat WRONGPASS) since the server started',
  );
}
