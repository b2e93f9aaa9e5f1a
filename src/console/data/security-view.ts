/**
 * The security page's data: each instance's latest audit (findings with evidence and remediation, the score and
 * what it covers),
 * why the last one failed, and what changed since the one before; and the admin's "re-run now", one audit in
 * flight per instance.
 */
import type { WatchedTarget } from '../../monitor/watched-target.ts';
import type { Finding } from '../../security/audit.ts';
import {
  ConsoleHttpError,
  type ConsoleRequest,
  type SecurityFinding,
  type SecurityInstance,
  type SecurityResponse,
} from '../contract.ts';
import { clip } from './info-view.ts';
import { targetNamed } from './overview.ts';
import type { ConsoleDeps } from './routes.ts';
import { securityCoverage } from './security-coverage.ts';
import { securityDrift } from './security-drift.ts';

const MAX_FINDINGS = 500;
const MAX_EVIDENCE = 4096;

function findingView(f: Finding): SecurityFinding {
  return {
    id: f.id,
    title: f.title,
    severity: f.severity,
    status: f.status,
    evidence: clip(f.evidence, MAX_EVIDENCE),
    remediation: clip(f.remediation, MAX_EVIDENCE),
  };
}

export function securityInstance(t: WatchedTarget): SecurityInstance {
  const latest = t.audits.latest();
  return {
    instance: t.health.labels.instance,
    auditedAt: latest?.at ?? null,
    score: latest?.report.score ?? null,
    error: clip(t.audits.lastError, 1024),
    findings: (latest?.report.findings ?? []).slice(0, MAX_FINDINGS).map(findingView),
    drift: securityDrift(t.audits.previous(), latest),
    coverage: latest ? securityCoverage(latest.report) : null,
  };
}

export function securityView(deps: ConsoleDeps): SecurityResponse {
  return { instances: deps.monitor.targets.map(securityInstance) };
}

export async function rerunAudit(req: ConsoleRequest, deps: ConsoleDeps): Promise<SecurityInstance> {
  const t = targetNamed(deps, req.params.instance);
  const running = t.auditNow();
  if (!running) throw new ConsoleHttpError(409, 'an audit of this instance is already running; try again when it ends');
  await running;
  return securityInstance(t);
}
