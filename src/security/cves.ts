/**
 * Branch-aware matching of a Redis version against the bundled CVE and end-of-life tables (data/*.json).
 * A version is compared with the fix released on its own branch: 7.2.11 is patched for a Lua CVE fixed in
 * 7.2.11 / 7.4.6 / 8.2.2, although it is lower than 8.2.2 (the mistake version-only scanners make). Builds that
 * may carry backported fixes (distro packages) get `unconfirmed` matches, never `vulnerable` ones.
 */
import branchData from './data/redis-branches.json' with { type: 'json' };
import cveData from './data/redis-cves.json' with { type: 'json' };

export type CveSeverity = 'critical' | 'high' | 'medium' | 'low';

/** server: redis-server itself; tool: a program shipped with it (redis-check-aof); the rest are not matched. */
export type CveScope = 'server' | 'tool' | 'distro' | 'disputed' | 'valkey';

export interface CveEntry {
  id: string;
  title: string;
  severity: CveSeverity;
  cvss?: number | null;
  scope: CveScope;
  /** Versions below it are not affected (the feature did not exist). */
  introduced?: string | null;
  /** Branch (major.minor) → first fixed release, 'none' (affected, no upstream fix) or 'not-affected'. */
  fixed: Record<string, string>;
  requiresAuth?: boolean | null;
  surface: string[];
  mitigation: string;
  /** Every fixed version was read in a public record. */
  verified: boolean;
  /** When not every one was: the branches whose fixed version is unconfirmed. */
  unverifiedBranches?: string[];
}

export interface CveTable {
  checked?: string;
  cves: CveEntry[];
}

export interface CveMatch {
  id: string;
  title: string;
  severity: CveSeverity;
  cvss?: number;
  scope: CveScope;
  /** The release branch the version was compared on. */
  branch: string;
  /** The first fixed release on that branch; null: no upstream fix on it. */
  fixedIn: string | null;
  /** vulnerable: an upstream build below the fix; unconfirmed: a distro build that may carry a backport. */
  status: 'vulnerable' | 'unconfirmed';
  /** The fixed version on this branch (or its absence) was confirmed in a public record. */
  verified: boolean;
  requiresAuth?: boolean;
  surface: string[];
  mitigation: string;
}

export interface BranchInfo {
  eol: string | null;
  lastRelease?: string;
  note?: string;
}

export interface BranchTable {
  asOf: string;
  branches: Record<string, BranchInfo>;
}

// JSON imports are typed structurally (fixed maps become unions of optional keys), hence the widening casts.
export const CVE_TABLE: CveTable = cveData as unknown as CveTable;
export const BRANCH_TABLE: BranchTable = branchData as unknown as BranchTable;

const MATCHED_SCOPES: ReadonlySet<CveScope> = new Set(['server', 'tool']);

/** '7.0.15' → [7, 0, 15]; suffixes such as '-rc1' are ignored; undefined when it is not a version. */
export function parseVersion(version: string): number[] | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The release branch of a version. Odd minors are Redis pre-releases of the next even branch (7.1.x = 7.2 RC,
 * 7.3.x = 7.4 RC); 7.9.x is taken as a pre-release of 8.0.
 */
export function releaseBranch(version: string): string | undefined {
  const v = parseVersion(version);
  if (!v) return undefined;
  const [major, minor] = v;
  if (minor % 2 === 0) return `${major}.${minor}`;
  if (major === 7 && minor === 9) return '8.0';
  return `${major}.${minor + 1}`;
}

function branchKey(branch: string): number[] {
  return branch.split('.').map(Number);
}

type BranchVerdict = { affected: false } | { affected: true; fixedIn: string | null };

function judge(entry: CveEntry, v: number[], branch: string): BranchVerdict {
  if (entry.introduced) {
    const intro = parseVersion(entry.introduced);
    if (intro && compareVersions(v, intro) < 0) return { affected: false };
  }
  const listed = Object.keys(entry.fixed).filter((b) => parseVersion(b));
  if (listed.length === 0) return { affected: false };
  const fix = entry.fixed[branch];
  if (fix !== undefined) {
    if (fix === 'not-affected') return { affected: false };
    if (fix === 'none') return { affected: true, fixedIn: null };
    const fixed = parseVersion(fix);
    if (!fixed) return { affected: true, fixedIn: null };
    return compareVersions(v, fixed) < 0 ? { affected: true, fixedIn: fix } : { affected: false };
  }
  const key = branchKey(branch);
  const keys = listed.map(branchKey).sort(compareVersions);
  // A branch newer than every listed one was cut after the fix; an older (or skipped) one never got it.
  if (compareVersions(key, keys[keys.length - 1]) > 0) return { affected: false };
  return { affected: true, fixedIn: null };
}

/** No upstream fix on an ended branch is certain; a fixed version counts as confirmed unless listed as not. */
function fixVerified(entry: CveEntry, branch: string, fixedIn: string | null): boolean {
  if (entry.verified || fixedIn === null) return true;
  return entry.unverifiedBranches !== undefined && !entry.unverifiedBranches.includes(branch);
}

/**
 * CVEs of the table that affect `version` on its release branch. Distro builds (redis_git_sha1 00000000) may
 * carry backported fixes without a version bump, so their matches are `unconfirmed`.
 */
export function matchCves(version: string, distroBuild: boolean, table: CveTable = CVE_TABLE): CveMatch[] {
  const v = parseVersion(version);
  const branch = releaseBranch(version);
  if (!v || !branch) return [];
  const matches: CveMatch[] = [];
  for (const entry of table.cves) {
    if (!MATCHED_SCOPES.has(entry.scope)) continue;
    const verdict = judge(entry, v, branch);
    if (!verdict.affected) continue;
    matches.push({
      id: entry.id,
      title: entry.title,
      severity: entry.severity,
      ...(typeof entry.cvss === 'number' ? { cvss: entry.cvss } : {}),
      scope: entry.scope,
      branch,
      fixedIn: verdict.fixedIn,
      status: distroBuild ? 'unconfirmed' : 'vulnerable',
      verified: fixVerified(entry, branch, verdict.fixedIn),
      ...(typeof entry.requiresAuth === 'boolean' ? { requiresAuth: entry.requiresAuth } : {}),
      surface: entry.surface,
      mitigation: entry.mitigation,
    });
  }
  return matches;
}

export interface BranchStatus {
  branch: string;
  /** eol: no upstream fixes after `eol` (or older than every listed branch); maintained: otherwise. */
  status: 'eol' | 'maintained';
  eol: string | null;
  lastRelease?: string;
  /** The table's date when `now` is later than it by more than a year (its view of maintenance may be stale). */
  staleSince?: string;
}

const DAY_MS = 86_400_000;

/**
 * Whether the version's release branch had reached end of life at `now` (ISO date). Pure: the caller passes the
 * date; without one the table's own date is used (every end it records is on or before it).
 */
export function branchStatus(
  version: string,
  now: string | undefined,
  table: BranchTable = BRANCH_TABLE,
): BranchStatus | undefined {
  const branch = releaseBranch(version);
  if (!branch) return undefined;
  const at = Date.parse(now ?? table.asOf);
  const when = Number.isNaN(at) ? Date.parse(table.asOf) : at;
  const stale = when - Date.parse(table.asOf) > 365 * DAY_MS ? { staleSince: table.asOf } : {};
  const info = table.branches[branch];
  if (info) {
    const ended = info.eol !== null && Date.parse(info.eol) <= when;
    return {
      branch,
      status: ended ? 'eol' : 'maintained',
      eol: info.eol,
      ...(info.lastRelease ? { lastRelease: info.lastRelease } : {}),
      ...stale,
    };
  }
  const keys = Object.keys(table.branches).map(branchKey).sort(compareVersions);
  const older = compareVersions(branchKey(branch), keys[0]) < 0;
  return { branch, status: older ? 'eol' : 'maintained', eol: null, ...stale };
}
