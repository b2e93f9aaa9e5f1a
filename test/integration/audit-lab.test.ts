/**
 * The audit lab of issue 3: real redis-server instances, each misconfigured in one known way. Each must produce
 * its check as `fail` in a live audit, and the same configuration audited as files (the redis.conf and aclfile the
 * server was started with, read by factsFromFiles) must fail the same check with a file/line location pointing at
 * one of the case's own lines — unless the check is live-only, or the misconfiguration is a missing directive (no
 * line to point at). The server `redoubt harden --out` describes must produce no high or critical failure, live
 * (as its auditor user) and as files. No report ever contains a password or a password's SHA-256.
 *
 * Every server binds 127.0.0.1 unless the case is about bind itself (`bind * -::*`: in the sandbox the port is
 * still reached over loopback only; the check reads the configuration).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import { makeTarget } from '../../src/redis/target.ts';
import { type AuditReport, buildReport, type Finding } from '../../src/security/audit.ts';
import type { Severity } from '../../src/security/check.ts';
import { ALL_CHECKS } from '../../src/security/checks/index.ts';
import { factsFromFiles } from '../../src/security/file-facts.ts';
import { collectLiveFacts } from '../../src/security/live-facts.ts';
import { freePort } from '../support/ports.ts';
import { quoteConf, type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { RespError, respCommand } from '../support/resp.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-lab-')));
const servers: RedisServer[] = [];
after(async () => {
  for (const s of servers.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const secret = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;
const ADMIN_PASSWORD = secret('Adm1n');
const STRONG_PASSWORD = secret('Str0ng');
const MASTER_PASSWORD = secret('M4ster');
const RENAMED_CONFIG = `cfg-${randomBytes(8).toString('hex')}`;
const ADMIN = `admin on >${ADMIN_PASSWORD} ~* &* +@all`;

/**
 * How the file audit of a case shows its check:
 * - `line`: fails, located at one of the case's own lines (redis.conf or aclfile);
 * - `no-line`: fails without a location, because the misconfiguration is a directive that is missing;
 * - `live-only`: a file cannot show it; the file audit reports `skip`.
 */
type FileView = 'line' | 'no-line' | 'live-only';

interface Expected {
  id: string;
  file: FileView;
  /** The severity the failure must have, when the check has several (RS016 is medium without the most dangerous commands). */
  severity?: Severity;
}

interface CaseContext {
  /** A directory of the case's own (for sockets and data directories). */
  dir: string;
  /** The master's port, for a case with `master: true`. */
  masterPort?: number;
}

interface LabCase {
  name: string;
  /** redis.conf lines, appended after the lab's own (bind 127.0.0.1, port, dir …), so they win. */
  config?: (ctx: CaseContext) => string[];
  /** aclfile users (`name rules…`), written to users.acl next to redis.conf. */
  aclUsers?: string[];
  /** Who the live audit logs in as (default: the default user without a password). */
  login?: { username?: string; password: string };
  /** CONFIG's new name, passed to the live audit as `configCommand`. */
  configCommand?: string;
  /** Start a master first (ctx.masterPort) — the case is a replica of it. */
  master?: boolean;
  /** Runs against the started server before the live audit. */
  before?: (server: RedisServer) => Promise<void>;
  /** Strings that must appear in no report (passwords; their SHA-256 is checked too). */
  secrets: string[];
  expect: Expected[];
  /** Only audited as files: why it cannot be run as a server here. */
  fileOnly?: string;
}

const CASES: LabCase[] = [
  {
    name: 'no auth, bound to all interfaces',
    config: () => ['bind * -::*'],
    secrets: [],
    expect: [
      // No requirepass and no user line: the default user is implicitly `on nopass` — nothing to point at.
      { id: 'RS001', file: 'no-line' },
      { id: 'RS008', file: 'line' },
    ],
  },
  {
    name: 'weak requirepass',
    config: () => ['requirepass foobared'],
    login: { password: 'foobared' },
    secrets: ['foobared'],
    expect: [{ id: 'RS003', file: 'line' }],
  },
  {
    name: 'ACL user with nopass and broad permissions',
    aclUsers: ['default off', ADMIN, 'cache on nopass ~* &* +@all'],
    login: { username: 'admin', password: ADMIN_PASSWORD },
    secrets: [ADMIN_PASSWORD],
    expect: [{ id: 'RS006', file: 'line' }],
  },
  {
    // `user` lines in redis.conf (not an aclfile), as in fixtures/security/password-equals-username.conf.
    name: 'password equal to the username',
    config: () => ['user default off', `user ${ADMIN}`, 'user alice on >alice ~app:* resetchannels -@all +@read'],
    login: { username: 'admin', password: ADMIN_PASSWORD },
    // "alice" is also the user's name, which evidence may show; its hash must not appear.
    secrets: [ADMIN_PASSWORD, sha256('alice')],
    expect: [{ id: 'RS004', file: 'line' }],
  },
  {
    name: 'DEBUG and MODULE commands enabled',
    config: () => ['enable-debug-command yes', 'enable-module-command yes'],
    secrets: [],
    expect: [
      { id: 'RS019', file: 'line' },
      { id: 'RS020', file: 'line' },
    ],
  },
  {
    name: 'protected configs enabled',
    config: () => ['enable-protected-configs yes'],
    secrets: [],
    expect: [{ id: 'RS021', file: 'line' }],
  },
  {
    // RS038 names /root, /home/*/.ssh, cron and web directories as dangerous `dir`s; a lab under /tmp cannot use
    // them, so the live case is caught by `dbfilename authorized_keys` (critical; a dir under /tmp is judged by its
    // mode, in RS049) and the directory part is the file-only case below.
    name: 'persistence pointed at an SSH directory (dbfilename authorized_keys)',
    config: ({ dir }) => {
      const ssh = join(dir, '.ssh');
      mkdirSync(ssh, { mode: 0o700 });
      return [`dir ${quoteConf(ssh)}`, 'dbfilename authorized_keys'];
    },
    secrets: [],
    expect: [{ id: 'RS038', file: 'line', severity: 'critical' }],
  },
  {
    name: "persistence in root's SSH directory (dir /root/.ssh)",
    fileOnly: 'redis-server would chdir into /root/.ssh, which the lab must not touch',
    config: () => ['dir /root/.ssh', 'dbfilename authorized_keys'],
    secrets: [],
    expect: [{ id: 'RS038', file: 'line', severity: 'critical' }],
  },
  {
    // A real replica (of a master that requires a password: masterauth, so RS039 passes both ways).
    name: 'writable replica',
    master: true,
    config: ({ masterPort }) => [
      `replicaof 127.0.0.1 ${masterPort}`,
      `masterauth ${MASTER_PASSWORD}`,
      'replica-read-only no',
    ],
    secrets: [MASTER_PASSWORD],
    expect: [{ id: 'RS040', file: 'line' }],
  },
  {
    name: 'world-writable unix socket',
    config: ({ dir }) => [`unixsocket ${quoteConf(join(dir, 'redis.sock'))}`, 'unixsocketperm 777'],
    secrets: [],
    expect: [{ id: 'RS045', file: 'line' }],
  },
  {
    name: 'unbounded pubsub output buffers',
    config: () => ['client-output-buffer-limit pubsub 0 0 0'],
    secrets: [],
    expect: [{ id: 'RS032', file: 'line' }],
  },
  {
    name: 'CONFIG disabled with rename-command',
    config: () => ['rename-command CONFIG ""'],
    secrets: [],
    expect: [{ id: 'RS027', file: 'line' }],
  },
  {
    // The new name is a secret of sorts (whoever knows it may run CONFIG): it must not be printed either.
    name: 'CONFIG renamed, audited with its new name',
    config: () => [`rename-command CONFIG ${RENAMED_CONFIG}`],
    configCommand: RENAMED_CONFIG,
    secrets: [RENAMED_CONFIG],
    expect: [{ id: 'RS027', file: 'line' }],
  },
  {
    name: 'auth failures in the ACL log',
    config: () => [`requirepass ${STRONG_PASSWORD}`],
    login: { password: STRONG_PASSWORD },
    before: async (server) => {
      // 12 ≥ ACL_LOG_AUTH_FAILURES: wrong passwords for the default user, and a password typed as a user name.
      for (let i = 0; i < 12; i++) {
        const username = i % 3 === 0 ? 'Typed-As-User-9f1c' : undefined;
        await assert.rejects(
          respCommand({ host: '127.0.0.1', port: server.port, username, password: `wrong-guess-${i}` }, 'PING'),
          (e: Error) => e instanceof RespError && /WRONGPASS/.test(e.message),
        );
      }
    },
    secrets: [STRONG_PASSWORD, 'wrong-guess-', 'Typed-As-User-9f1c'],
    expect: [{ id: 'RS035', file: 'live-only' }],
  },
  {
    name: 'protected mode off',
    config: () => ['protected-mode no'],
    secrets: [],
    expect: [{ id: 'RS009', file: 'line' }],
  },
  {
    // maxmemory not set at all: the default 0 applies — no line to point at.
    name: 'maxmemory unset',
    config: () => [],
    secrets: [],
    expect: [{ id: 'RS028', file: 'no-line' }],
  },
];

function finding(report: AuditReport, id: string): Finding {
  const f = report.findings.find((x) => x.id === id);
  assert.ok(f, `${id} is in the report`);
  return f;
}

const show = (f: Finding) => `${f.id} ${f.status} ${f.severity}: ${f.evidence}`;

function assertNoSecrets(report: AuditReport, secrets: string[]): void {
  const text = JSON.stringify(report);
  for (const s of secrets) {
    assert.ok(!text.includes(s), `the report contains the secret ${s.slice(0, 3)}…`);
    assert.ok(!text.includes(sha256(s)), `the report contains the SHA-256 of ${s.slice(0, 3)}…`);
  }
}

async function auditLive(server: RedisServer, c: LabCase): Promise<AuditReport> {
  const target = makeTarget('redis', '127.0.0.1', server.port, '', 0, c.login?.username, c.login?.password);
  const conn = new RespConnection(target, { connectTimeoutMs: 5000, commandTimeoutMs: 5000 });
  try {
    const facts = await collectLiveFacts(conn, {
      deadlineMs: Date.now() + 10000,
      adminUsers: ['admin'],
      configCommand: c.configCommand,
    });
    return buildReport(facts, ALL_CHECKS);
  } finally {
    await conn.close();
  }
}

/** The text of line `line` (1-based) of `file`, trimmed. */
const lineOf = (file: string, line: number): string => (readFileSync(file, 'utf8').split('\n')[line - 1] ?? '').trim();

/**
 * "The same findings where a file can show them": every check that both audits could judge (pass or fail in
 * both) has the same status, and failures the same severity.
 */
function assertSameFindings(live: AuditReport, files: AuditReport): void {
  const judged = (f: Finding) => f.status === 'pass' || f.status === 'fail';
  const differ: string[] = [];
  for (const l of live.findings) {
    const f = finding(files, l.id);
    if (!judged(l) || !judged(f)) continue;
    if (l.status !== f.status || (l.status === 'fail' && l.severity !== f.severity))
      differ.push(`live ${show(l)}\n  file ${show(f)}`);
  }
  assert.deepEqual(differ, [], 'live and file audits disagree');
}

function assertFileFinding(report: AuditReport, e: Expected, ownLines: string[]): void {
  const f = finding(report, e.id);
  if (e.file === 'live-only') {
    assert.equal(f.status, 'skip', `${e.id} is live-only: a file audit skips it (${show(f)})`);
    return;
  }
  assert.equal(f.status, 'fail', `file audit: ${show(f)}`);
  if (e.severity) assert.equal(f.severity, e.severity, show(f));
  if (e.file === 'line') {
    assert.ok(f.location, `file audit: ${e.id} has a location (${show(f)})`);
    assert.ok(report.files.includes(f.location.file), `${f.location.file} is one of ${report.files.join(', ')}`);
    const text = lineOf(f.location.file, f.location.line);
    assert.ok(
      ownLines.includes(text),
      `${e.id} points at ${f.location.file}:${f.location.line} (${JSON.stringify(text)}), one of the case's lines: ${ownLines.join(' | ')}`,
    );
  }
}

describe('audit lab: one misconfiguration per server, audited live and as files', () => {
  for (const c of CASES) {
    const expected = c.expect.map((e) => e.id).join(', ');
    test(`${c.name} → ${expected}${c.fileOnly ? ' (file only)' : ''}`, async () => {
      const dir = mkdtempSync(join(root, 'case-'));
      const ctx: CaseContext = { dir };
      if (c.master) {
        const master = await startRedis({ password: MASTER_PASSWORD });
        servers.push(master);
        ctx.masterPort = master.port;
      }
      const config = c.config?.(ctx) ?? [];
      const ownLines = [...config, ...(c.aclUsers ?? []).map((u) => `user ${u}`)];

      if (c.fileOnly) {
        const conf = join(dir, 'redis.conf');
        writeFileSync(conf, `${config.join('\n')}\n`, { mode: 0o600 });
        const report = buildReport(factsFromFiles({ confPath: conf }), ALL_CHECKS);
        for (const e of c.expect) assertFileFinding(report, e, ownLines);
        assertNoSecrets(report, c.secrets);
        return;
      }

      const server = await startRedis({ config, aclUsers: c.aclUsers });
      servers.push(server);
      try {
        await c.before?.(server);

        // Live.
        const live = await auditLive(server, c);
        for (const e of c.expect) {
          const f = finding(live, e.id);
          assert.equal(f.status, 'fail', `live audit: ${show(f)}`);
          if (e.severity) assert.equal(f.severity, e.severity, show(f));
        }
        assertNoSecrets(live, c.secrets);

        // The same configuration as files: the redis.conf (and users.acl) this server was started with.
        const files = buildReport(factsFromFiles({ confPath: join(server.dir, 'redis.conf') }), ALL_CHECKS);
        for (const e of c.expect) assertFileFinding(files, e, ownLines);
        assertNoSecrets(files, c.secrets);
        assertSameFindings(live, files);
      } finally {
        await server.stop();
      }
    });
  }
});

describe('audit lab: the control', () => {
  // The lab's own base configuration (startRedis without extra lines: bind 127.0.0.1, no password, no
  // maxmemory, dir under /tmp) must not already fail the checks the cases are about — except the two it shares
  // with its cases by construction: no password (RS001) and no maxmemory (RS028).
  const SHARED_WITH_BASE = new Set(['RS001', 'RS028']);
  test("the base configuration fails none of the cases' checks (but RS001 and RS028)", async () => {
    const server = await startRedis();
    servers.push(server);
    try {
      const live = await auditLive(server, { name: 'base', secrets: [], expect: [] });
      const files = buildReport(factsFromFiles({ confPath: join(server.dir, 'redis.conf') }), ALL_CHECKS);
      for (const e of CASES.flatMap((c) => c.expect)) {
        for (const [how, report] of [
          ['live', live],
          ['file', files],
        ] as const) {
          const f = finding(report, e.id);
          if (SHARED_WITH_BASE.has(e.id)) assert.equal(f.status, 'fail', `${how}: ${show(f)}`);
          else
            assert.ok(
              f.status !== 'fail' || (e.severity !== undefined && f.severity !== e.severity),
              `${how}: the base configuration already fails ${show(f)}`,
            );
        }
      }
      assertSameFindings(live, files);
    } finally {
      await server.stop();
    }
  });
});

describe('audit lab: the server `redoubt harden --out` describes', () => {
  test('no high or critical failure, live as its auditor user and as files', async () => {
    const dir = join(root, 'hardened');
    const harden = await runCli(['harden', '--out', dir]);
    assert.equal(harden.code, 0, harden.stderr);
    const env = Object.fromEntries(
      readFileSync(join(dir, '.env'), 'utf8')
        .split('\n')
        .filter((l) => /^REDIS_[A-Z_]+_PASSWORD=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const passwords = Object.values(env);
    assert.equal(passwords.length, 5, 'five generated passwords in .env');

    // redis-secure.conf adjusted only for port, dir and logfile, line for line (so locations stay comparable).
    const port = await freePort();
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    const adjust: Record<string, string> = {
      port: `port ${port}`,
      dir: `dir ${quoteConf(data)}`,
      logfile: 'logfile ""',
    };
    const lines = readFileSync(join(dir, 'redis-secure.conf'), 'utf8')
      .split('\n')
      .map((l) => adjust[l.split(' ')[0]] ?? l);
    const conf = join(dir, 'redis-lab.conf');
    writeFileSync(conf, lines.join('\n'), { mode: 0o600 });

    const highOrCritical = (r: AuditReport) =>
      r.findings.filter((f) => f.status === 'fail' && ['high', 'critical'].includes(f.severity)).map(show);

    const files = buildReport(factsFromFiles({ confPath: conf }), ALL_CHECKS);
    assert.deepEqual(highOrCritical(files), [], 'file audit');
    assertNoSecrets(files, passwords);

    const server = await startRedis({ port, config: lines });
    servers.push(server);
    try {
      const live = await auditLive(server, {
        name: 'hardened',
        login: { username: 'auditor', password: env.REDIS_AUDITOR_PASSWORD },
        secrets: passwords,
        expect: [],
      });
      assert.deepEqual(highOrCritical(live), [], 'live audit as auditor');
      // The auditor could read what the checks need: the configuration and the users.
      assert.equal(live.unobserved.config, undefined, JSON.stringify(live.unobserved));
      assert.equal(live.unobserved.users, undefined, JSON.stringify(live.unobserved));
      assertNoSecrets(live, passwords);
      assertSameFindings(live, files);
    } finally {
      await server.stop();
    }
  });
});
