import { relative } from 'node:path';
import { VERSION } from '../../exporter/self-metrics.ts';
import type { AuditReport } from '../audit.ts';
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

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: one rule per check, one result per failing finding, with a
 * file/line location when the finding came from an audited file (paths relative to `baseDir`), otherwise a
 * location on the first audited file or a logical location naming the target.
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
  const toUri = (file: string) => relative(baseDir, file).split('\\').join('/') || file;
  const results = report.findings
    .filter((f) => f.status === 'fail')
    .map((f) => {
      const file = f.location?.file ?? report.files[0];
      const location = file
        ? {
            physicalLocation: {
              artifactLocation: { uri: toUri(file) },
              region: { startLine: Math.max(1, f.location?.line ?? 1) },
            },
          }
        : { logicalLocations: [{ name: report.target ?? 'redis', kind: 'resource' }] };
      return {
        ruleId: f.id,
        ruleIndex: rules.findIndex((r) => r.id === f.id),
        level: LEVEL[f.severity],
        message: { text: `${f.title}: ${f.evidence}` },
        locations: [location],
        partialFingerprints: { redoubtCheck: `${f.id}:${report.target ?? file ?? ''}` },
      };
    });
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
        results,
        properties: { target: report.target, redis_version: report.redis_version, score: report.score },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
