import assert from 'node:assert/strict';
import { test } from 'node:test';
import { securityCoverage } from '../../src/console/data/security-coverage.ts';
import type { AuditReport, Finding } from '../../src/security/audit.ts';

function finding(id: string, status: Finding['status'], evidence = ''): Finding {
  const f = { id, title: id, severity: 'high', category: 'access', status, evidence, remediation: 'r' } as const;
  return { ...f, indicator: false };
}

function report(findings: Finding[], unobserved: Record<string, string>): AuditReport {
  return { target: 'x', files: [], redis_version: '7.0.15', score: 100, findings, unobserved };
}

test('coverage: unknown checks traced to the part their evidence names; refused parts give the commands needed', () => {
  const unobserved = {
    config: 'CONFIG GET is not permitted for user "w" (NOPERM)',
    users: 'ACL LIST is not permitted for user "w" (NOPERM)',
    dryRun: 'ACL DRYRUN needs the user list (ACL LIST), which was not available',
    unauth: 'the unauthenticated probe was turned off',
  };
  const c = securityCoverage(
    report(
      [
        finding('RS1', 'pass'),
        finding('RS2', 'fail'),
        finding('RS3', 'unknown', `the configuration (bind) could not be observed: ${unobserved.config}`),
        finding('RS4', 'unknown', `ACL users could not be observed: ${unobserved.users}`),
        finding('RS5', 'unknown', `exact answers: ${unobserved.dryRun}`),
        finding('RS6', 'unknown', "the server's uid could not be observed"),
        finding('RS7', 'skip', 'not a replica'),
      ],
      unobserved,
    ),
  );
  assert.deepEqual(c, {
    graded: 2,
    applicable: 6,
    blocked: 3,
    needs: ['ACL LIST', 'CONFIG GET'],
    otherUnknown: 1,
    summary:
      'graded on 2 of 6 checks; 3 could not run as this user: needs ACL LIST, CONFIG GET; 1 more could not be judged (see their evidence)',
  });
});

test('coverage: a part missing for another reason (renamed, too old) is not blamed on the user', () => {
  const unobserved = { config: 'CONFIG is renamed or disabled on this server (COMMAND INFO config is nil)' };
  const c = securityCoverage(
    report([finding('RS1', 'pass'), finding('RS3', 'unknown', `bind: ${unobserved.config}`)], unobserved),
  );
  assert.equal(c.blocked, 0);
  assert.deepEqual(c.needs, []);
  assert.equal(c.summary, 'graded on 1 of 2 checks; 1 could not be judged (see their evidence)');
  const all = securityCoverage(report([finding('RS1', 'pass')], {}));
  assert.equal(all.summary, 'graded on 1 of 1 checks');
});
