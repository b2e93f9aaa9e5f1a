/**
 * mergeReports: a live audit and a file audit of the same deployment. A side that could not judge a check (unknown)
 * or found it does not apply (skip) never undoes what the other side judged; fail beats pass; unknown beats skip.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SourceLocation } from '../../../src/redis/acl-user.ts';
import { type AuditReport, buildReport, type Finding, scoreFindings } from '../../../src/security/audit.ts';
import { CATALOGUE } from '../../../src/security/catalogue.ts';
import type { CheckStatus, Severity } from '../../../src/security/check.ts';
import { ALL_CHECKS } from '../../../src/security/checks/index.ts';
import { mergeReports } from '../../../src/security/merge.ts';
import { fileFacts, liveFacts, server } from './facts-builder.ts';

function finding(
  id: string,
  status: CheckStatus,
  more: { evidence?: string; severity?: Severity; location?: SourceLocation; indicator?: boolean } = {},
): Finding {
  const c = CATALOGUE[id];
  return {
    id,
    title: c.title,
    severity: more.severity ?? c.severity,
    category: c.category,
    status,
    evidence: more.evidence ?? `${status} evidence`,
    remediation: c.remediation,
    location: more.location,
    indicator: more.indicator ?? c.category === 'compromise-indicator',
  };
}

function report(findings: Finding[], part: Partial<AuditReport> = {}): AuditReport {
  return {
    target: null,
    files: [],
    redis_version: null,
    score: scoreFindings(findings),
    findings,
    unobserved: {},
    ...part,
  };
}

const live = (findings: Finding[], part: Partial<AuditReport> = {}) =>
  report(findings, { target: 'redis://10.0.0.5:6379', redis_version: '7.2.4', ...part });
const file = (findings: Finding[], part: Partial<AuditReport> = {}) =>
  report(findings, { files: ['/etc/redis/redis.conf'], ...part });

const LINE_3: SourceLocation = { file: '/etc/redis/redis.conf', line: 3 };

const merged = (l: Finding, f: Finding): Finding => {
  const out = mergeReports(live([l]), file([f])).findings;
  assert.equal(out.length, 1);
  return out[0];
};

describe('which status wins', () => {
  const STATUSES: CheckStatus[] = ['fail', 'pass', 'unknown', 'skip'];
  const judged = (s: CheckStatus) => s === 'pass' || s === 'fail';
  /** The rule, independently: judged beats not judged; fail beats pass; unknown beats skip. */
  const expected = (l: CheckStatus, f: CheckStatus): CheckStatus => {
    if (judged(l) && judged(f)) return l === 'fail' || f === 'fail' ? 'fail' : 'pass';
    if (judged(l)) return l;
    if (judged(f)) return f;
    return l === 'unknown' || f === 'unknown' ? 'unknown' : 'skip';
  };

  for (const l of STATUSES)
    for (const f of STATUSES)
      test(`live ${l} + file ${f} → ${expected(l, f)}`, () => {
        assert.equal(merged(finding('RS028', l), finding('RS028', f)).status, expected(l, f));
      });

  test('a file-side unknown does not override a live pass (RS023, RS030 on a hardened server)', () => {
    const l = live([finding('RS023', 'pass'), finding('RS030', 'pass')]);
    const f = file([
      finding('RS023', 'unknown', { evidence: 'the server version is not in a configuration file' }),
      finding('RS030', 'unknown', { evidence: 'the file-descriptor limit is a runtime fact' }),
    ]);
    const m = mergeReports(l, f);
    assert.deepEqual(
      m.findings.map((x) => [x.id, x.status]),
      [
        ['RS023', 'pass'],
        ['RS030', 'pass'],
      ],
    );
    assert.equal(m.score, l.score);
  });

  test('a live-side unknown (CONFIG forbidden) does not override what the file shows', () => {
    const m = merged(
      finding('RS009', 'unknown', { evidence: 'CONFIG is not permitted (NOPERM)' }),
      finding('RS009', 'fail', { evidence: 'protected-mode no', location: LINE_3 }),
    );
    assert.equal(m.status, 'fail');
    assert.deepEqual(m.location, LINE_3);
  });

  test('both fail: the more severe result wins (a CVE or RS038 result carries its own severity)', () => {
    const m = merged(
      finding('RS038', 'fail', { evidence: 'dir /root/.ssh' }),
      finding('RS038', 'fail', { evidence: 'dir /tmp', severity: 'medium', indicator: false, location: LINE_3 }),
    );
    assert.equal(m.severity, 'critical');
    assert.equal(m.indicator, true);
    assert.deepEqual(m.location, LINE_3, 'the file line is kept for SARIF');
    const n = merged(
      finding('RS038', 'fail', { evidence: 'dir /tmp', severity: 'medium', indicator: false }),
      finding('RS038', 'fail', { evidence: 'dir /var/spool/cron', location: LINE_3 }),
    );
    assert.equal(n.severity, 'critical');
    assert.equal(n.indicator, true);
  });

  test('pass on one side, fail on the other: fail, whichever side failed', () => {
    assert.equal(merged(finding('RS008', 'pass'), finding('RS008', 'fail', { location: LINE_3 })).status, 'fail');
    assert.equal(merged(finding('RS008', 'fail'), finding('RS008', 'pass', { location: LINE_3 })).status, 'fail');
  });
});

describe('evidence, locations and the rest of the report', () => {
  test('evidence names both sides when they differ, and is kept as is when they agree', () => {
    const both = merged(
      finding('RS030', 'pass', { evidence: 'maxclients 10000 within 65535 descriptors' }),
      finding('RS030', 'unknown', { evidence: 'the descriptor limit is a runtime fact' }),
    );
    assert.equal(
      both.evidence,
      'live: pass — maxclients 10000 within 65535 descriptors; file: unknown — the descriptor limit is a runtime fact',
    );
    const same = merged(
      finding('RS010', 'pass', { evidence: 'port 6380' }),
      finding('RS010', 'pass', { evidence: 'port 6380' }),
    );
    assert.equal(same.evidence, 'port 6380');
  });

  test('a live pass keeps the file line of the same setting', () => {
    assert.deepEqual(merged(finding('RS009', 'pass'), finding('RS009', 'pass', { location: LINE_3 })).location, LINE_3);
  });

  test('target and version from the live side, files from the file side, unobserved only what neither saw', () => {
    const m = mergeReports(
      live([finding('RS001', 'pass')], { unobserved: { config: 'NOPERM', aclLog: 'NOPERM' } }),
      file([finding('RS001', 'pass')], { unobserved: { aclLog: 'not in a file', info: 'not in a file' } }),
    );
    assert.equal(m.target, 'redis://10.0.0.5:6379');
    assert.equal(m.redis_version, '7.2.4');
    assert.deepEqual(m.files, ['/etc/redis/redis.conf']);
    assert.deepEqual(m.unobserved, { aclLog: 'NOPERM' });
  });

  test('why the live side could not log in is kept: its unknown findings point at it', () => {
    const login = 'Redis at redis://10.0.0.5:6379 requires authentication (NOAUTH)';
    const m = mergeReports(
      live([finding('RS001', 'pass')], { unobserved: { login, config: 'could not log in: NOAUTH' } }),
      file([finding('RS001', 'pass')], { unobserved: { info: 'not in a file' } }),
    );
    assert.deepEqual(m.unobserved, { login });
  });

  test('real checks: files and a server showing the same hardened settings score at least the live audit alone', () => {
    const config = {
      bind: '127.0.0.1 -::1',
      'protected-mode': 'yes',
      port: '6380',
      maxmemory: '1gb',
      'maxmemory-policy': 'noeviction',
      'enable-debug-command': 'no',
      'enable-module-command': 'no',
      'enable-protected-configs': 'no',
      maxclients: '1000',
      timeout: '300',
    };
    const l = buildReport(
      liveFacts({ server: server('7.2.4'), config, info: { maxclients: '1000', role: 'master' } }),
      ALL_CHECKS,
    );
    const f = buildReport(fileFacts({ config }), ALL_CHECKS);
    const m = mergeReports(l, f);
    assert.ok(m.score >= l.score, `merged ${m.score} < live ${l.score}`);
    const byId = new Map(m.findings.map((x) => [x.id, x]));
    for (const x of l.findings) {
      const y = byId.get(x.id);
      assert.ok(y, x.id);
      // What the live audit judged stays judged (pass may turn into fail only if the file fails it).
      if (x.status === 'pass') {
        const fromFile = f.findings.find((z) => z.id === x.id);
        assert.equal(y.status, fromFile?.status === 'fail' ? 'fail' : 'pass', `${x.id}: ${y.evidence}`);
      }
      if (x.status === 'fail') assert.equal(y.status, 'fail', x.id);
    }
  });
});
