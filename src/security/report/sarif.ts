import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { escapeJsonControls } from '../../text/terminal.ts';
import { VERSION } from '../../version.ts';
import type { AuditReport, Finding } from '../audit.ts';
import type { Severity } from '../check.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** The uriBaseId of files under the directory the audit ran in (the repository root in CI). */
export const SRCROOT = '%SRCROOT%';
/** The uriBaseId of the placeholder artifact a live-only finding is reported on. */
export const REDIS_TARGET = 'REDIS_TARGET';

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
const relativeUri = (path: string): string => path.split(sep).map(encodeURIComponent).join('/');

/**
 * Where a file is, stably across runs and machines: relative to %SRCROOT% (the directory the audit ran in) when
 * it is inside it, else an absolute file:// URI — never a `../..` path, which code scanning cannot place.
 */
function fileArtifact(file: string, baseDir: string): ArtifactLocation {
  const absolute = resolve(baseDir, file);
  const rel = relative(baseDir, absolute);
  const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  if (rel && !outside) return { uri: relativeUri(rel), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(absolute).href };
}

/**
 * The placeholder artifact for what only a live server showed: the target's display name made into one path
 * segment (`redis://auditor@10.0.0.5:6379` → `redis-10.0.0.5_6379`), stable for the same server, no credentials.
 */
export function targetArtifact(target: string | null): ArtifactLocation {
  const name =
    (target ?? 'redis')
      // Everything up to the last `@` before the path is userinfo, whatever it holds.
      .replace(/^([a-z][a-z0-9+.-]*):\/\/(?:[^/?#]*@)?/i, '$1-')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[_.]+|_+$/g, '') || 'redis';
  return { uri: name, uriBaseId: REDIS_TARGET };
}

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: one rule per check, one result per failing finding, and every
 * result with a physical location (code scanning drops results without one). A finding from an audited file points
 * at its file and line; a finding without a line points at the first audited file, line 1; a finding only a live
 * server showed points at a placeholder artifact named after the target (uriBaseId REDIS_TARGET), line 1. A live
 * target is also given as a logical location. The fingerprint is the check and the live target, else the first
 * audited file's artifact (relative to %SRCROOT% when under it, so the same in any checkout).
 */
export function renderSarif(report: AuditReport, baseDir = process.cwd()): string {
  const rules = report.findings.map((f) => ({
    id: f.id,
    name: f.id,
    shortDescription: { text: f.title },
    fullDescription: { text: f.title },
    help: { text: f.remediation, markdown: f.remediation },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      tags: ['security', 'redis', f.category],
      'security-severity': SECURITY_SEVERITY[f.severity],
      precision: 'high',
    },
  }));
  // A file audit's target is its first file, an absolute path: only a live target names a server.
  const server = report.target !== null && !report.files.includes(report.target) ? report.target : undefined;
  const placeholder = targetArtifact(server ?? null);
  const artifactOf = (file: string | undefined): ArtifactLocation => (file ? fileArtifact(file, baseDir) : placeholder);
  // The same check on the same server or audited file, on any machine and from any working directory.
  const audited = artifactOf(report.files[0]);
  const subject = server ?? `${audited.uriBaseId ?? ''}${audited.uri}`;
  const locate = (f: Finding) => ({
    physicalLocation: {
      artifactLocation: artifactOf(f.location?.file ?? report.files[0]),
      region: { startLine: Math.max(1, f.location?.line || 1) },
    },
    ...(server ? { logicalLocations: [{ name: server, kind: 'resource' }] } : {}),
  });
  const results = report.findings
    .filter((f) => f.status === 'fail')
    .map((f) => ({
      ruleId: f.id,
      ruleIndex: rules.findIndex((r) => r.id === f.id),
      level: LEVEL[f.severity],
      message: { text: `${f.title}: ${f.evidence}` },
      locations: [locate(f)],
      partialFingerprints: { redoubtCheck: `${f.id}:${subject}` },
    }));
  const usesSrcRoot = results.some((r) => r.locations[0].physicalLocation.artifactLocation.uriBaseId === SRCROOT);
  const usesTarget = results.some((r) => r.locations[0].physicalLocation.artifactLocation.uriBaseId === REDIS_TARGET);
  const originalUriBaseIds = {
    ...(usesSrcRoot
      ? {
          [SRCROOT]: {
            uri: pathToFileURL(baseDir.endsWith(sep) ? baseDir : `${baseDir}${sep}`).href,
            description: { text: 'The directory redoubt audit ran in.' },
          },
        }
      : {}),
    ...(usesTarget
      ? {
          [REDIS_TARGET]: {
            description: {
              text: `The live Redis server${server ? ` ${server}` : ''}: its findings have no file, so they are reported on a placeholder named after it, line 1.`,
            },
          },
        }
      : {}),
  };
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'redoubt',
            version: VERSION,
            informationUri: 'https://github.com/redoubt/redoubt',
            rules,
          },
        },
        ...(Object.keys(originalUriBaseIds).length > 0 ? { originalUriBaseIds } : {}),
        results,
        properties: {
          target: report.target,
          redis_version: report.redis_version,
          score: report.score,
          ...(report.partial ? { partial: report.partial } : {}),
        },
      },
    ],
  };
  return `${escapeJsonControls(JSON.stringify(sarif, null, 2))}\n`;
}
