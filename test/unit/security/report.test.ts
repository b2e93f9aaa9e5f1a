/**
 * The report renderers over real check results: SARIF that GitHub code scanning accepts (every result with a
 * physical location, stable URIs), the table's "INDICATORS OF COMPROMISE" heading only for actual indicators, and
 * each reason for what could not be observed stated once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildReport } from '../../../src/security/audit.ts';
import { ALL_CHECKS } from '../../../src/security/checks/index.ts';
import { renderJson } from '../../../src/security/report/json.ts';
import { REDIS_TARGET, renderSarif, SRCROOT, targetArtifact } from '../../../src/security/report/sarif.ts';
import { renderTable, unobservedNotes } from '../../../src/security/report/table.ts';
import { githubSarifProblems } from '../../support/sarif.ts';
import { fileFacts, liveFacts, OPEN_DEFAULT, user } from './facts-builder.ts';

interface SarifResult {
  ruleId: string;
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
    logicalLocations?: Array<{ name: string }>;
  }>;
}
interface SarifRun {
  results: SarifResult[];
  originalUriBaseIds?: Record<string, { uri?: string }>;
}
const sarifOf = (text: string): { run: SarifRun; problems: string[] } => {
  const sarif = JSON.parse(text);
  return { run: sarif.runs[0] as SarifRun, problems: githubSarifProblems(sarif) };
};

const BASE = '/srv/repo';
/** A file audit of `file` whose bind and protected-mode fail on lines 2 and 3. */
const fileAudit = (file: string) =>
  buildReport(
    fileFacts({
      config: { port: '6380', bind: '0.0.0.0', 'protected-mode': 'no' },
      options: { file },
      target: file,
      files: [file],
    }),
    ALL_CHECKS,
  );
const liveAudit = (target = 'redis://10.0.0.5:6379') =>
  buildReport(
    liveFacts({ target, users: [user(OPEN_DEFAULT)], config: { bind: '*', 'protected-mode': 'no', port: '6379' } }),
    ALL_CHECKS,
  );

describe('SARIF', () => {
  test('the checker rejects a result with only a logical location (what code scanning drops)', () => {
    const sarif = JSON.parse(renderSarif(liveAudit(), BASE));
    sarif.runs[0].results[0].locations = [{ logicalLocations: [{ name: 'redis://10.0.0.5:6379' }] }];
    assert.match(githubSarifProblems(sarif).join('\n'), /artifactLocation\/uri: is required/);
  });

  test('a file inside the working directory: relative to %SRCROOT%, with its line', () => {
    const { run, problems } = sarifOf(renderSarif(fileAudit(join(BASE, 'deploy/redis.conf')), BASE));
    assert.deepEqual(problems, []);
    const rs008 = run.results.find((r) => r.ruleId === 'RS008');
    assert.deepEqual(rs008?.locations[0].physicalLocation, {
      artifactLocation: { uri: 'deploy/redis.conf', uriBaseId: SRCROOT },
      region: { startLine: 2 },
    });
    assert.equal(run.originalUriBaseIds?.[SRCROOT]?.uri, 'file:///srv/repo/');
    for (const r of run.results)
      assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, 'deploy/redis.conf', r.ruleId);
  });

  test('a file outside the working directory: an absolute file:// URI, never ../..', () => {
    const { run, problems } = sarifOf(renderSarif(fileAudit('/etc/redis/my redis.conf'), BASE));
    assert.deepEqual(problems, []);
    for (const r of run.results) {
      assert.deepEqual(r.locations[0].physicalLocation.artifactLocation, { uri: 'file:///etc/redis/my%20redis.conf' });
      assert.ok(r.locations[0].physicalLocation.region.startLine >= 1);
    }
  });

  test('a live audit: a placeholder artifact named after the target, line 1, and the target as logical location', () => {
    const { run, problems } = sarifOf(renderSarif(liveAudit('redis://auditor@10.0.0.5:6379'), BASE));
    assert.deepEqual(problems, []);
    assert.ok(run.results.some((r) => r.ruleId === 'RS001'));
    for (const r of run.results) {
      assert.deepEqual(r.locations[0].physicalLocation, {
        artifactLocation: { uri: 'redis-10.0.0.5_6379', uriBaseId: REDIS_TARGET },
        region: { startLine: 1 },
      });
      assert.equal(r.locations[0].logicalLocations?.[0]?.name, 'redis://auditor@10.0.0.5:6379');
    }
    assert.ok(run.originalUriBaseIds && REDIS_TARGET in run.originalUriBaseIds);
    assert.equal(run.originalUriBaseIds?.[REDIS_TARGET]?.uri, undefined);
  });

  test('placeholder names: stable, one path segment, no credentials', () => {
    assert.deepEqual(targetArtifact('rediss://user:pw@cache.internal:6380'), {
      uri: 'rediss-cache.internal_6380',
      uriBaseId: REDIS_TARGET,
    });
    assert.equal(targetArtifact('unix:///var/run/redis/redis.sock').uri, 'unix-_var_run_redis_redis.sock');
    assert.equal(targetArtifact('redis://[::1]:6379').uri, 'redis-_1_6379');
    assert.equal(targetArtifact(null).uri, 'redis');
  });
});

describe('indicators of compromise in the table and the JSON', () => {
  const headingAndFail = (text: string) => {
    const lines = text.split('\n');
    return {
      heading: lines.indexOf('INDICATORS OF COMPROMISE'),
      rs038: lines.findIndex((l) => /^FAIL\s+RS038 /.test(l)),
      lines,
    };
  };

  test('a world-writable data directory: RS049 (medium, by its mode) among the others; RS038 passes, no heading', () => {
    const dir = { path: '/tmp/redis', role: 'dir' as const, mode: 0o41777, uid: 0 };
    const report = buildReport(
      fileFacts({ config: { dir: '/tmp/redis', dbfilename: 'dump.rdb' }, local: { files: [dir] } }),
      ALL_CHECKS,
    );
    const rs038 = report.findings.find((f) => f.id === 'RS038');
    assert.equal(rs038?.status, 'pass', 'a path under /tmp is not judged by its name');
    assert.equal(rs038?.severity, 'critical', 'the same severity as when it fails');
    const rs049 = report.findings.find((f) => f.id === 'RS049');
    assert.equal(rs049?.status, 'fail');
    assert.equal(rs049?.severity, 'medium');
    assert.equal(rs049?.indicator, false);
    const lines = renderTable(report, { color: false }).split('\n');
    assert.equal(lines.indexOf('INDICATORS OF COMPROMISE'), -1, 'no indicator heading');
    assert.ok(lines.some((l) => /^FAIL\s+RS049 medium/.test(l)));
  });

  test('RS038 on an SSH directory: first, under the heading', () => {
    const report = buildReport(
      fileFacts({ config: { dir: '/root/.ssh', dbfilename: 'authorized_keys', port: '6380' } }),
      ALL_CHECKS,
    );
    assert.equal(report.findings[0].id, 'RS038');
    assert.equal(report.findings[0].indicator, true);
    const { heading, rs038, lines } = headingAndFail(renderTable(report, { color: false }));
    assert.ok(heading > 0 && rs038 === heading + 1, lines.join('\n'));
    assert.equal(JSON.parse(renderJson(report)).findings[0].indicator_of_compromise, true);
  });
});

describe('what could not be observed, each reason once', () => {
  const LOGIN = 'Redis at redis://10.0.0.5:6379 requires authentication (NOAUTH) and no credentials were given';
  const HIDDEN = 'could not log in: authentication is required (NOAUTH)';

  test('parts that share a reason share a line; why the login failed comes first', () => {
    assert.deepEqual(
      unobservedNotes({ info: HIDDEN, config: HIDDEN, keys: 'the opt-in sample was off', users: HIDDEN, login: LOGIN }),
      [
        `not logged in: ${LOGIN}`,
        `not observed (info, config, users): ${HIDDEN}`,
        'not observed (keys): the opt-in sample was off',
      ],
    );
    assert.deepEqual(unobservedNotes({}), []);
  });

  test('an audit that could not log in: the reason once in the table and once in the JSON', () => {
    const facts = liveFacts({
      target: 'redis://10.0.0.5:6379',
      unauth: { result: 'noauth', configRenamed: false, detail: 'NOAUTH' },
      unobserved: {
        login: LOGIN,
        ...Object.fromEntries(['info', 'config', 'users', 'aclLog', 'commands', 'dryRun'].map((p) => [p, HIDDEN])),
      },
    });
    const report = buildReport(facts, ALL_CHECKS);
    assert.ok(report.findings.filter((f) => f.status === 'unknown').length >= 40);
    const table = renderTable(report, { color: false, showPassed: true });
    const json = renderJson(report);
    for (const [what, text] of [
      ['table', table.replace(/\s+/g, ' ')],
      ['json', json],
    ])
      assert.equal(text.split(LOGIN).length - 1, 1, `${what}: ${text}`);
    assert.equal(table.split('\n').filter((l) => l.startsWith('not observed (')).length, 1, table);
  });
});
