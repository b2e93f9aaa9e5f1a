import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CveTable } from '../../src/security/cves.ts';
import {
  BRANCH_TABLE,
  branchStatus,
  CVE_TABLE,
  compareVersions,
  matchCves,
  parseVersion,
  releaseBranch,
} from '../../src/security/cves.ts';

const ids = (version: string, distro = false, table?: CveTable) => matchCves(version, distro, table).map((m) => m.id);

describe('version parsing and branches', () => {
  test('parseVersion and compareVersions', () => {
    assert.deepEqual(parseVersion('7.0.15'), [7, 0, 15]);
    assert.deepEqual(parseVersion('7.2'), [7, 2, 0]);
    assert.deepEqual(parseVersion('7.4.0-rc1'), [7, 4, 0]);
    assert.equal(parseVersion('unstable'), undefined);
    assert.ok(compareVersions([7, 0, 15], [7, 2, 0]) < 0);
    assert.ok(compareVersions([7, 2, 11], [7, 2, 4]) > 0);
    assert.equal(compareVersions([8, 0, 0], [8, 0]), 0);
  });

  test('releaseBranch maps odd (pre-release) minors to the next branch', () => {
    assert.equal(releaseBranch('7.0.15'), '7.0');
    assert.equal(releaseBranch('7.1.242'), '7.2');
    assert.equal(releaseBranch('7.3.240'), '7.4');
    assert.equal(releaseBranch('7.9.227'), '8.0');
    assert.equal(releaseBranch('8.10.1'), '8.10');
    assert.equal(releaseBranch('garbage'), undefined);
  });
});

describe('matchCves: per release branch (golden cases)', () => {
  test('7.0.15 is compared with the 7.0.x fixes, not with 7.2 or 8.x', () => {
    const got = ids('7.0.15');
    // Fixed on 7.0 at or before 7.0.15: not matched although later branches fixed them in higher versions.
    assert.ok(!got.includes('CVE-2023-41056'), 'fixed in 7.0.15');
    assert.ok(!got.includes('CVE-2023-45145'), 'fixed in 7.0.14');
    assert.ok(!got.includes('CVE-2022-24834'), 'fixed in 7.0.12');
    // 2024+ CVEs have no fix on the ended 7.0 branch.
    const lua = matchCves('7.0.15', false).find((m) => m.id === 'CVE-2025-49844');
    assert.equal(lua?.fixedIn, null);
    assert.equal(lua?.branch, '7.0');
    assert.equal(lua?.status, 'vulnerable');
  });

  test('7.0.14 is flagged for the 7.0.15 fix', () => {
    const m = matchCves('7.0.14', false).find((x) => x.id === 'CVE-2023-41056');
    assert.equal(m?.fixedIn, '7.0.15');
  });

  test('7.2.11 is not flagged by the Lua CVEs although it is below 8.2.2', () => {
    for (const id of ['CVE-2025-49844', 'CVE-2025-46817', 'CVE-2025-46818', 'CVE-2025-46819'])
      assert.ok(!ids('7.2.11').includes(id), id);
    // One release earlier it is, with the 7.2 fix named.
    const m = matchCves('7.2.10', false).find((x) => x.id === 'CVE-2025-49844');
    assert.equal(m?.fixedIn, '7.2.11');
    assert.equal(m?.severity, 'critical');
  });

  test('an 8.2.2-only fix does not flag other branches at their own fix', () => {
    assert.deepEqual(
      ids('7.4.6').filter((id) => id.startsWith('CVE-2025-4')),
      [],
    );
    assert.ok(!ids('8.0.4').includes('CVE-2025-49844'));
    assert.ok(ids('8.2.1').includes('CVE-2025-49844'));
    assert.ok(!ids('8.2.2').includes('CVE-2025-49844'));
  });

  test('a feature-specific CVE does not reach versions before the feature', () => {
    assert.ok(ids('8.2.2').includes('CVE-2025-62507'), 'XACKDEL, 8.2 only');
    assert.ok(!ids('8.0.3').includes('CVE-2025-62507'));
    assert.ok(!ids('6.2.20').includes('CVE-2024-31227'), 'ACL selectors exist from 7.0');
    assert.ok(!ids('6.0.9').includes('CVE-2022-31144'), 'XAUTOCLAIM exists from 7.0');
  });

  test('a newer branch cut after the fix is not affected; an older one never got it', () => {
    assert.ok(!ids('7.4.0').includes('CVE-2022-24834'));
    assert.ok(!ids('8.4.0').includes('CVE-2025-49844'));
    const old = matchCves('5.0.14', false).find((m) => m.id === 'CVE-2025-49844');
    assert.equal(old?.fixedIn, null, '5.0 is older than every listed branch');
  });

  test('pre-release builds of a branch are compared with its first fix', () => {
    const m = matchCves('7.3.240', false).find((x) => x.id === 'CVE-2024-31449');
    assert.equal(m?.fixedIn, '7.4.1');
  });

  test('a distro build gets unconfirmed matches, never vulnerable ones', () => {
    const matches = matchCves('7.0.15', true);
    assert.ok(matches.length > 0);
    assert.ok(matches.every((m) => m.status === 'unconfirmed'));
  });

  test('distro-only, disputed and Valkey entries are not matched by version', () => {
    const all = ids('5.0.0');
    for (const id of ['CVE-2022-0543', 'CVE-2025-46686', 'CVE-2025-67733', 'CVE-2025-49112'])
      assert.ok(!all.includes(id), id);
  });

  test('a local tool CVE is matched with its scope', () => {
    const m = matchCves('7.2.8', false).find((x) => x.id === 'CVE-2025-27151');
    assert.equal(m?.scope, 'tool');
    assert.equal(m?.fixedIn, '7.2.9');
  });

  test('a match says whether its branch fix was confirmed', () => {
    const on = (v: string) => matchCves(v, false).find((m) => m.id === 'CVE-2025-21605');
    assert.equal(on('6.2.17')?.verified, true, '6.2.18: release notes');
    assert.equal(on('7.4.2')?.verified, true, '7.4.3: the CVE record');
    assert.equal(on('7.2.7')?.verified, false, '7.2.8: not confirmed');
    assert.equal(on('7.0.15')?.verified, true, 'no fix on an ended branch');
  });

  test('a custom table', () => {
    const table: CveTable = {
      cves: [
        {
          id: 'CVE-X',
          title: 'x',
          severity: 'high',
          scope: 'server',
          fixed: { '7.0': 'none', '7.2': '7.2.5', '7.4': 'not-affected' },
          surface: [],
          mitigation: '',
          verified: true,
        },
      ],
    };
    assert.deepEqual(ids('7.0.15', false, table), ['CVE-X']);
    assert.deepEqual(ids('7.2.4', false, table), ['CVE-X']);
    assert.deepEqual(ids('7.2.5', false, table), []);
    assert.deepEqual(ids('7.4.0', false, table), []);
    assert.deepEqual(ids('8.0.0', false, table), []);
    assert.deepEqual(ids('6.2.0', false, table), ['CVE-X']);
    assert.deepEqual(ids('not a version', false, table), []);
  });
});

describe('the bundled table', () => {
  test('every entry is well formed and states whether it was verified', () => {
    assert.ok(CVE_TABLE.cves.length >= 40);
    const seen = new Set<string>();
    for (const e of CVE_TABLE.cves) {
      assert.match(e.id, /^CVE-\d{4}-\d{4,}$/);
      assert.ok(!seen.has(e.id), `duplicate ${e.id}`);
      seen.add(e.id);
      assert.ok(['critical', 'high', 'medium', 'low'].includes(e.severity), e.id);
      assert.equal(typeof e.verified, 'boolean', e.id);
      for (const [branch, fix] of Object.entries(e.fixed)) {
        assert.match(branch, /^\d+\.\d+$/, `${e.id} branch ${branch}`);
        assert.ok(
          fix === 'none' || fix === 'not-affected' || releaseBranch(fix) === branch,
          `${e.id} ${branch} → ${fix}`,
        );
      }
    }
  });

  test('the 2025 Lua CVEs carry the per-branch fixes', () => {
    const e = CVE_TABLE.cves.find((c) => c.id === 'CVE-2025-49844');
    assert.deepEqual(e?.fixed, {
      '6.0': 'none',
      '6.2': '6.2.20',
      '7.0': 'none',
      '7.2': '7.2.11',
      '7.4': '7.4.6',
      '8.0': '8.0.4',
      '8.2': '8.2.2',
    });
    assert.equal(e?.verified, true);
  });
});

describe('branchStatus: end of life', () => {
  test('6.0 and 7.0 have ended; 6.2 and 7.2 are maintained', () => {
    assert.equal(branchStatus('6.0.20', '2026-11-25')?.status, 'eol');
    assert.equal(branchStatus('6.0.20', '2026-11-25')?.lastRelease, '6.0.20');
    assert.equal(branchStatus('7.0.15', '2026-11-25')?.status, 'eol');
    assert.equal(branchStatus('6.2.21', '2026-11-25')?.status, 'maintained');
    assert.equal(branchStatus('7.2.11', '2026-11-25')?.status, 'maintained');
  });

  test('the date decides: 7.0 was maintained before its end', () => {
    assert.equal(branchStatus('7.0.15', '2024-01-10')?.status, 'maintained');
    assert.equal(branchStatus('7.0.15', '2024-07-29')?.status, 'eol');
  });

  test('without a date the table date is used; branches older than the table have ended', () => {
    assert.equal(branchStatus('6.0.9', undefined)?.status, 'eol');
    assert.equal(branchStatus('4.0.14', undefined)?.status, 'eol');
    assert.equal(branchStatus('3.2.12', '2026-01-01')?.eol, null);
    assert.equal(branchStatus('9.0.0', '2026-01-01')?.status, 'maintained');
  });

  test('a table more than a year old is reported as possibly stale', () => {
    assert.equal(branchStatus('7.2.4', BRANCH_TABLE.asOf)?.staleSince, undefined);
    assert.equal(branchStatus('7.2.4', '2030-01-01')?.staleSince, BRANCH_TABLE.asOf);
  });

  test('not a version', () => {
    assert.equal(branchStatus('x', '2026-01-01'), undefined);
  });
});
