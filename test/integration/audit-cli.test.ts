/**
 * `redoubt audit` through the built CLI (a child process): exit codes 0/1/2, the JSON, SARIF and table formats,
 * --output, indicators of compromise first, exit 2 with one line and no score when the audit could not log in or
 * judged under a third of the checks (the outsider's view only with --allow-partial, its reason stated once), exit 2
 * with one line when given credentials are refused, and the promise that an audit never changes the server (INFO
 * commandstats and DBSIZE before and after).
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { parseEnvFile } from '../../src/config/stack-env.ts';
import { freePort } from '../support/ports.ts';
import { runCliInPty } from '../support/pty.ts';
import { quoteConf, type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { RespError, respCommand } from '../support/resp.ts';
import { githubSarifProblems } from '../support/sarif.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-audit-cli-')));
const servers: RedisServer[] = [];
after(async () => {
  for (const s of servers.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

const ALL_IDS = Array.from({ length: 56 }, (_, i) => `RS${String(i + 1).padStart(3, '0')}`);
const INDICATORS = new Set(['RS038', 'RS041', 'RS053', 'RS054']);
const SECURED_PASSWORD = 'secured-pw-4b1e9c07d2';
const WRONG_PASSWORD = 'not-the-password-77f3';

interface JsonFinding {
  id: string;
  title: string;
  severity: string;
  category: string;
  status: string;
  evidence: string;
  remediation: string;
  indicator_of_compromise?: boolean;
  location?: { file: string; line: number };
}
interface JsonReport {
  target: string | null;
  files: string[];
  redis_version: string | null;
  score: number;
  unobserved: Record<string, string>;
  findings: JsonFinding[];
}

async function audit(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  return runCli(['audit', ...args], { env, timeoutMs: 20000, cwd });
}

async function auditJson(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; report: JsonReport }> {
  const r = await audit([...args, '--format', 'json'], env);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
}

const byId = (report: JsonReport, id: string): JsonFinding => {
  const f = report.findings.find((x) => x.id === id);
  assert.ok(f, `${id} is in the report`);
  return f;
};

/** Writes a redis.conf of `lines` (mode 0600) and returns its path. */
function writeConf(name: string, lines: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'redis.conf');
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

/** INFO commandstats as `name → calls + rejected_calls + failed_calls` (an attempt counts, refused or not). */
function parseCommandstats(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_(\S+?):(\S+)$/gm)) {
    const kv = Object.fromEntries(m[2].split(',').map((p) => p.split('=')));
    out.set(m[1], Number(kv.calls ?? 0) + Number(kv.rejected_calls ?? 0) + Number(kv.failed_calls ?? 0));
  }
  return out;
}

/** Commands whose count grew between two commandstats. */
const grown = (before: Map<string, number>, after: Map<string, number>): string[] =>
  [...after].filter(([name, n]) => n > (before.get(name) ?? 0)).map(([name]) => name);

// ---------------------------------------------------------------------------------------------------------------
// The servers: open (no password), secured (requirepass), hardened (`redoubt harden --out`), and one carrying
// indicators of compromise (a replica whose dbfilename is authorized_keys, with an SSH key in its data).

let open: RedisServer;
let secured: RedisServer;
let hardened: RedisServer;
let hardenedEnv: Record<string, string>;
let ioc: RedisServer;

before(async () => {
  open = await startRedis();
  servers.push(open);
  await open.command('SET', 'user:1', 'alice');
  await open.command('HSET', 'session:9', 'user', '1');
  await open.command('RPUSH', 'queue', 'a', 'b');

  secured = await startRedis({ password: SECURED_PASSWORD });
  servers.push(secured);

  // The hardened server: harden's redis-secure.conf, adjusted only for port, dir and logfile.
  const out = join(root, 'hardened');
  const h = await runCli(['harden', '--out', out]);
  assert.equal(h.code, 0, h.stderr);
  hardenedEnv = parseEnvFile(readFileSync(join(out, '.env'), 'utf8'));
  const port = await freePort();
  const data = join(out, 'data');
  mkdirSync(data, { mode: 0o700 });
  const adjust: Record<string, string> = { port: `port ${port}`, dir: `dir ${quoteConf(data)}`, logfile: 'logfile ""' };
  const lines = readFileSync(join(out, 'redis-secure.conf'), 'utf8')
    .split('\n')
    .map((l) => adjust[l.split(' ')[0]] ?? l);
  hardened = await startRedis({ port, config: lines });
  servers.push(hardened);

  // Indicators of compromise: persistence aimed at an SSH key file, a master outside the allowed peers, and an SSH
  // public key stored as a value (the file-write attack's payload).
  const master = await startRedis();
  servers.push(master);
  await master.command('SET', 'crackit', '\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 attacker@evil\n\n');
  const ssh = join(root, 'ioc', '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  ioc = await startRedis({ replicaOf: master, config: [`dir ${quoteConf(ssh)}`, 'dbfilename authorized_keys'] });
  servers.push(ioc);
});

const auditorEnv = () => ({ REDIS_USER: 'auditor', REDIS_PASSWORD: hardenedEnv.REDIS_AUDITOR_PASSWORD });

// ---------------------------------------------------------------------------------------------------------------

describe('exit codes', () => {
  test('--fail-on critical: 1 on an open server, 0 without --fail-on', async () => {
    const failing = await audit(['--redis', open.url, '--fail-on', 'critical']);
    assert.equal(failing.code, 1, failing.stderr);
    assert.equal(failing.stderr, '');
    const plain = await audit(['--redis', open.url]);
    assert.equal(plain.code, 0, plain.stderr);
  });

  test('--fail-on critical and high: 0 on the hardened server (audited as its auditor user)', async () => {
    for (const level of ['critical', 'high']) {
      const r = await audit(['--redis', hardened.url, '--fail-on', level], auditorEnv());
      assert.equal(r.code, 0, `--fail-on ${level}: ${r.stdout}${r.stderr}`);
    }
  });

  test('an unreachable server: 2, with the reason on stderr', async () => {
    const port = await freePort();
    const r = await audit(['--redis', `redis://127.0.0.1:${port}`, '--connection-timeout', '3s']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /could not run/);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(r.stderr, /ECONNREFUSED|cannot reach/);
  });

  test('usage errors: 2 (unknown flag, bad --format, bad --fail-on, nothing to audit)', async () => {
    for (const [args, why] of [
      [['--redis', open.url, '--no-such-flag'], /no-such-flag/],
      [['--redis', open.url, '--format', 'xml'], /--format/],
      [['--redis', open.url, '--fail-on', 'severe'], /--fail-on/],
      [[], /nothing to audit/],
    ] as const) {
      const r = await audit([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why);
      assert.equal(r.stdout, '');
    }
  });

  test('--config with an unbalanced quote: 2, naming file:line', async () => {
    const conf = writeConf('unbalanced', ['port 6379', 'requirepass "unterminated', 'maxmemory 1gb']);
    const r = await audit(['--config', conf]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${conf}:2`), r.stderr);
    assert.match(r.stderr, /quote/i);
    assert.doesNotMatch(r.stderr, /unterminated/, 'the secret on that line is not echoed');
  });
});

describe('--format json', () => {
  test('target, redis_version, score 0-100 and every check RS001–RS056 exactly once', async () => {
    const { code, report } = await auditJson(['--redis', open.url]);
    assert.equal(code, 0);
    assert.equal(report.target, `redis://127.0.0.1:${open.port}`);
    assert.match(report.redis_version ?? '', /^\d+\.\d+\.\d+/);
    assert.ok(Number.isInteger(report.score) && report.score >= 0 && report.score <= 100, `score ${report.score}`);
    assert.deepEqual(report.findings.map((f) => f.id).sort(), ALL_IDS);
    for (const f of report.findings) {
      assert.match(f.title, /\S/, f.id);
      assert.ok(['critical', 'high', 'medium', 'low', 'info'].includes(f.severity), `${f.id} ${f.severity}`);
      assert.ok(['fail', 'pass', 'unknown', 'skip'].includes(f.status), `${f.id} ${f.status}`);
      assert.equal(typeof f.evidence, 'string', f.id);
      assert.match(f.evidence, /\S/, `${f.id} has evidence`);
      assert.match(f.remediation, /\S/, `${f.id} has a remediation`);
    }
    assert.equal(byId(report, 'RS001').status, 'fail');
  });

  test('a file audit: the same shape, with file/line locations', async () => {
    const conf = writeConf('json-file', ['port 6380', 'bind * -::*', 'protected-mode no', 'enable-debug-command yes']);
    const { report } = await auditJson(['--config', conf]);
    assert.equal(report.redis_version, null);
    assert.deepEqual(report.findings.map((f) => f.id).sort(), ALL_IDS);
    assert.deepEqual(byId(report, 'RS008').location, { file: conf, line: 2 });
    assert.deepEqual(byId(report, 'RS009').location, { file: conf, line: 3 });
    assert.deepEqual(byId(report, 'RS020').location, { file: conf, line: 4 });
  });
});

describe('--format sarif', () => {
  interface SarifLocation {
    physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
    logicalLocations?: Array<{ name: string; kind: string }>;
  }
  interface SarifResult {
    ruleId: string;
    ruleIndex: number;
    level: string;
    message: { text: string };
    locations: SarifLocation[];
  }

  /** Valid for GitHub code scanning (test/support/sarif.ts), every rule RS001–RS056, at least one result. */
  const check = (sarif: Record<string, unknown>): SarifResult[] => {
    assert.deepEqual(githubSarifProblems(sarif), []);
    assert.equal(sarif.version, '2.1.0');
    assert.match(String(sarif.$schema), /sarif-2\.1\.0/);
    const runs = sarif.runs as Array<Record<string, unknown>>;
    assert.equal(runs.length, 1);
    const driver = (runs[0].tool as { driver: { name: string; rules: Array<{ id: string }> } }).driver;
    assert.equal(driver.name, 'redoubt');
    assert.deepEqual(driver.rules.map((r) => r.id).sort(), ALL_IDS);
    const results = runs[0].results as SarifResult[];
    assert.ok(results.length > 0);
    for (const r of results) {
      assert.equal(driver.rules[r.ruleIndex].id, r.ruleId);
      assert.ok(
        driver.rules.some((rule) => rule.id === r.ruleId),
        r.ruleId,
      );
      assert.ok(['error', 'warning', 'note'].includes(r.level), r.level);
      assert.match(r.message.text, /\S/);
      assert.equal(r.locations.length, 1);
      const physical = r.locations[0].physicalLocation;
      assert.match(physical.artifactLocation.uri, /\S/, `${r.ruleId} has a physical location`);
      assert.ok(Number.isInteger(physical.region.startLine) && physical.region.startLine >= 1, r.ruleId);
    }
    return results;
  };
  const line = (results: SarifResult[], id: string): number | undefined =>
    results.find((r) => r.ruleId === id)?.locations[0].physicalLocation.region.startLine;

  test('a file audit outside the working directory: absolute file:// URIs with file/line', async () => {
    const conf = writeConf('sarif', ['port 6380', 'bind * -::*', 'enable-debug-command yes']);
    const r = await audit(['--config', conf, '--format', 'sarif']);
    assert.equal(r.code, 0, r.stderr);
    const results = check(JSON.parse(r.stdout));
    for (const x of results) {
      const where = x.locations[0].physicalLocation.artifactLocation;
      assert.equal(where.uriBaseId, undefined, x.ruleId);
      assert.match(where.uri, /^file:\/\//, x.ruleId);
      assert.equal(fileURLToPath(where.uri), conf, `${x.ruleId}: ${where.uri}`);
      assert.doesNotMatch(where.uri, /\.\.\//);
    }
    assert.equal(line(results, 'RS008'), 2);
    assert.equal(line(results, 'RS020'), 3);
    assert.equal(results.find((x) => x.ruleId === 'RS008')?.level, 'error');
  });

  test('a file audit inside the working directory: a URI relative to %SRCROOT%, the same from any cwd depth', async () => {
    const conf = writeConf(join('repo', 'deploy'), ['port 6380', 'bind * -::*', 'enable-debug-command yes']);
    const r = await audit(['--config', 'deploy/redis.conf', '--format', 'sarif'], {}, join(root, 'repo'));
    assert.equal(r.code, 0, r.stderr);
    const sarif = JSON.parse(r.stdout);
    const results = check(sarif);
    for (const x of results)
      assert.deepEqual(
        x.locations[0].physicalLocation.artifactLocation,
        { uri: 'deploy/redis.conf', uriBaseId: '%SRCROOT%' },
        x.ruleId,
      );
    assert.equal(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri, `${new URL(`file://${join(root, 'repo')}/`).href}`);
    assert.equal(line(results, 'RS008'), 2);
    // The absolute path given from elsewhere, same cwd: the same URI.
    const again = await audit(['--config', conf, '--format', 'sarif'], {}, join(root, 'repo'));
    assert.deepEqual(
      check(JSON.parse(again.stdout)).map((x) => x.locations[0].physicalLocation),
      results.map((x) => x.locations[0].physicalLocation),
    );
  });

  test('a live audit: a placeholder artifact named after the target (line 1), the target as logical location', async () => {
    const r = await audit(['--redis', open.url, '--format', 'sarif']);
    assert.equal(r.code, 0, r.stderr);
    const sarif = JSON.parse(r.stdout);
    const results = check(sarif);
    assert.ok(results.some((x) => x.ruleId === 'RS001'));
    for (const x of results) {
      assert.deepEqual(
        x.locations[0].physicalLocation,
        {
          artifactLocation: { uri: `redis-127.0.0.1_${open.port}`, uriBaseId: 'REDIS_TARGET' },
          region: { startLine: 1 },
        },
        x.ruleId,
      );
      assert.deepEqual(x.locations[0].logicalLocations, [{ name: `redis://127.0.0.1:${open.port}`, kind: 'resource' }]);
    }
    assert.ok('REDIS_TARGET' in sarif.runs[0].originalUriBaseIds);
  });

  test('the same file in two checkouts: the same locations and fingerprints, no absolute path in either', async () => {
    const lines = ['port 6380', 'bind * -::*', 'enable-debug-command yes'];
    const runs = [];
    for (const checkout of ['checkout-a', 'checkout-b']) {
      writeConf(join(checkout, 'deploy'), lines);
      const r = await audit(['--config', 'deploy/redis.conf', '--format', 'sarif'], {}, join(root, checkout));
      assert.equal(r.code, 0, r.stderr);
      runs.push(
        check(JSON.parse(r.stdout)).map((x) => ({
          location: x.locations[0],
          fingerprints: (x as unknown as { partialFingerprints: Record<string, string> }).partialFingerprints,
        })),
      );
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.ok(!JSON.stringify(runs[0]).includes(root), JSON.stringify(runs[0][0]));
  });

  test('a live audit with credentials in the URL: no password in the SARIF, no user name in the artifact', async () => {
    const password = hardenedEnv.REDIS_AUDITOR_PASSWORD;
    const url = hardened.url.replace('://', `://auditor:${encodeURIComponent(password)}@`);
    const r = await audit(['--redis', url, '--format', 'sarif']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(password), 'the password is not in the SARIF');
    const sarif = JSON.parse(r.stdout);
    assert.deepEqual(githubSarifProblems(sarif), []);
    for (const x of sarif.runs[0].results as SarifResult[])
      assert.equal(x.locations[0].physicalLocation.artifactLocation.uri, `redis-127.0.0.1_${hardened.port}`, x.ruleId);
  });

  test('live and files together: file/line where the file shows it, the target as logical location', async () => {
    const conf = join(open.dir, 'redis.conf');
    const r = await audit(['--redis', open.url, '--config', conf, '--format', 'sarif']);
    assert.equal(r.code, 0, r.stderr);
    const results = check(JSON.parse(r.stdout));
    for (const x of results) {
      assert.equal(fileURLToPath(x.locations[0].physicalLocation.artifactLocation.uri), conf, x.ruleId);
      assert.equal(x.locations[0].logicalLocations?.[0]?.name, `redis://127.0.0.1:${open.port}`);
    }
    assert.ok(results.some((x) => x.ruleId === 'RS001'));
    // Persistence is off in the file (save ""): that line, which the live audit alone could not give.
    const save = readFileSync(conf, 'utf8').split('\n').indexOf('save ""') + 1;
    assert.ok(save > 0);
    assert.equal(line(results, 'RS042'), save);
  });
});

describe('--output', () => {
  test('writes the report to the file, not stdout; the exit code is the same', async () => {
    const file = join(root, 'report.json');
    const r = await audit(['--redis', open.url, '--format', 'json', '--output', file, '--fail-on', 'critical']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
    assert.deepEqual(report.findings.map((f) => f.id).sort(), ALL_IDS);

    const table = join(root, 'report.txt');
    const t = await audit(['--redis', open.url, '--output', table]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout, '');
    assert.match(readFileSync(table, 'utf8'), /^redoubt audit/);
  });
});

describe('--output that cannot be written: one line, exit 2, nothing written through a link', () => {
  test('a directory that does not exist', async () => {
    const r = await audit(['--redis', open.url, '--output', join(root, 'nonexistent', 'dir', 'x.json')]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^redoubt audit: --output: cannot write .*x\.json: its directory does not exist$/m);
  });

  test('a symbolic link at the destination is refused and its target untouched', async () => {
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious');
    const link = join(root, 'linked-report.json');
    symlinkSync(victim, link);
    const r = await audit(['--redis', open.url, '--format', 'json', '--output', link]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is a symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link itself is left alone');
  });
});

describe('table output (not a TTY)', () => {
  const assertReadable = (text: string, what: string) => {
    assert.ok(!text.includes('\u001b'), `${what}: no ANSI escapes`);
    for (const line of text.split('\n'))
      assert.ok([...line].length <= 80, `${what}: ${[...line].length} columns: ${JSON.stringify(line)}`);
  };

  test('at most 80 columns and no ANSI escapes: live, files, --show-passed, the outsider view', async () => {
    const conf = writeConf('table-with-a-rather-long-directory-name-to-wrap', [
      'bind * -::*',
      `dir ${quoteConf(join(root, 'a-directory-whose-name-is-long-enough-to-need-cutting-somewhere-xxxxxxxxxxxxxxxx'))}`,
      'dbfilename authorized_keys',
    ]);
    const runs: Array<[string, string[], NodeJS.ProcessEnv]> = [
      ['live', ['--redis', open.url], { FORCE_COLOR: '1' }],
      ['live --show-passed', ['--redis', open.url, '--show-passed'], {}],
      ['files', ['--config', conf], {}],
      ['files --show-passed', ['--config', conf, '--show-passed'], {}],
      ['outsider', ['--redis', secured.url, '--allow-partial'], {}],
      ['hardened', ['--redis', hardened.url, '--show-passed'], auditorEnv()],
    ];
    for (const [what, args, env] of runs) {
      const r = await audit(args, env);
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assert.match(r.stdout, /^redoubt audit —/, what);
      assertReadable(r.stdout, what);
    }
  });
});

describe('indicators of compromise come first', () => {
  test('live: RS038, RS041 and RS054 fail and lead the JSON and the table', async () => {
    const args = ['--redis', ioc.url, '--scan-keys', '--allowed-peers', '10.0.0.1'];
    const { report } = await auditJson(args);
    const failing = report.findings.filter((f) => f.status === 'fail');
    const iocs = failing.filter((f) => INDICATORS.has(f.id));
    assert.deepEqual(iocs.map((f) => f.id).sort(), ['RS038', 'RS041', 'RS054']);
    assert.deepEqual(
      report.findings.slice(0, iocs.length).map((f) => f.id),
      iocs.map((f) => f.id),
      'the failing indicators are the first findings',
    );
    for (const f of iocs) assert.equal(f.indicator_of_compromise, true, f.id);
    assert.ok(failing.length > iocs.length, 'other checks fail too (and come after)');

    const table = (await audit(args)).stdout.split('\n');
    const heading = table.indexOf('INDICATORS OF COMPROMISE');
    assert.ok(heading > 0, table.join('\n'));
    const failLines = table.map((l, i) => [l, i] as const).filter(([l]) => /^FAIL\s/.test(l));
    assert.ok(failLines.length > 3);
    for (const [l, i] of failLines.slice(0, 3)) {
      assert.ok(i > heading, `${l} under the heading`);
      assert.match(l, /RS0(38|41|54)/);
    }
    for (const [l] of failLines.slice(3)) assert.doesNotMatch(l, /RS0(38|41|54)\s/);
  });

  test('files: RS038 and RS053 lead the report', async () => {
    const conf = writeConf('ioc-file', [
      'dir /root/.ssh',
      'dbfilename authorized_keys',
      'loadmodule /tmp/exp.so',
      'protected-mode no',
    ]);
    const { report } = await auditJson(['--config', conf]);
    assert.deepEqual(
      report.findings.slice(0, 2).map((f) => [f.id, f.status]),
      [
        ['RS038', 'fail'],
        ['RS053', 'fail'],
      ],
    );
    assert.ok(report.findings.slice(2).some((f) => f.status === 'fail' && f.severity === 'critical'));
  });
});

/** `text` with every run of whitespace as one space: a table wraps long lines, a reason is searched across them. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');
const occurrences = (text: string, part: string): number => text.split(part).length - 1;

/** The audit stopped before a score: exit 2, nothing on stdout, one line on stderr naming --allow-partial. */
function assertNotRun(r: { code: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '', `${what}: no report, no score`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `${what}: one line: ${r.stderr}`);
  assert.match(lines[0], /^redoubt audit: the audit could not run: /, what);
  assert.match(lines[0], /Pass --allow-partial to report only what could be judged\.$/, what);
  return lines[0];
}

describe('an audit that could not log in: exit 2 and no score, unless --allow-partial', () => {
  let tlsOnly: RedisServer;
  let mtls: RedisServer;
  let users: RedisServer;
  before(async () => {
    tlsOnly = await startRedis({ tls: true });
    servers.push(tlsOnly);
    mtls = await startRedis({ tls: { authClients: 'yes' } });
    servers.push(mtls);
    users = await startRedis({
      password: SECURED_PASSWORD,
      aclUsers: ['pinger on >pinger-pw-5c1 ~* -@all +ping +hello'],
    });
    servers.push(users);
  });

  test('no credentials for a server that requires them: 2 with or without --fail-on low, in every format', async () => {
    for (const extra of [[], ['--fail-on', 'low'], ['--format', 'json'], ['--format', 'sarif']]) {
      const line = assertNotRun(await audit(['--redis', secured.url, ...extra]), extra.join(' '));
      assert.match(line, /could not log in: Redis at redis:\/\/127\.0\.0\.1:\d+ requires authentication \(NOAUTH\)/);
      assert.match(line, /REDIS_PASSWORD/, 'it says how to give credentials');
    }
  });

  test('a failing TLS handshake, redis:// to a TLS port, /99, a password file without an entry: 2, each with its reason', async () => {
    const noEntry = join(root, 'no-entry.json');
    writeFileSync(noEntry, JSON.stringify({ 'redis://127.0.0.1:1': SECURED_PASSWORD }), { mode: 0o600 });
    const runs: Array<[string, string[], RegExp]> = [
      ['untrusted server certificate', ['--redis', tlsOnly.url], /TLS handshake with rediss:\S+ failed: .*certificate/],
      [
        'client certificate required',
        ['--redis', mtls.url, '--tls-ca-cert-file', mtls.tlsFiles?.caCert ?? ''],
        /TLS handshake with rediss:\S+ failed/,
      ],
      ['redis:// to a TLS port', ['--redis', `redis://127.0.0.1:${tlsOnly.port}`], /rediss:\/\//],
      ['/99', ['--redis', `${open.url}/99`], /DB index is out of range/],
      [
        'a password file without an entry',
        ['--redis', secured.url, '--redis.password-file', noEntry],
        new RegExp(`NOAUTH.*the password file ${noEntry} \\(--redis\\.password-file\\) has no password for`),
      ],
    ];
    for (const [what, args, reason] of runs) {
      const line = assertNotRun(await audit([...args, '--fail-on', 'low']), what);
      assert.match(line, /could not log in: /, what);
      assert.match(line, reason, `${what}: ${line}`);
      assert.ok(!line.includes(SECURED_PASSWORD), `${what}: no password`);
    }
  });

  test('a login that may not run INFO judges under a third of the checks: 2, saying how many and why', async () => {
    const r = await audit(['--redis', users.url, '--fail-on', 'low'], {
      REDIS_USER: 'pinger',
      REDIS_PASSWORD: 'pinger-pw-5c1',
    });
    const line = assertNotRun(r, 'pinger');
    assert.match(line, /only \d+ of \d+ checks could be judged \(a score needs at least a third\)/);
    assert.match(line, /info: INFO is not permitted for user "pinger" \(NOPERM\)/);
  });

  test('--allow-partial: what an outsider sees, unknown for the rest, the score marked partial', async () => {
    for (const failOn of [[], ['--fail-on', 'critical']]) {
      const r = await audit(['--redis', secured.url, '--format', 'json', '--allow-partial', ...failOn]);
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr, '');
      assert.ok(!r.stdout.includes(SECURED_PASSWORD));
      const report = JSON.parse(r.stdout) as JsonReport & { partial: string | null };
      assert.match(report.partial ?? '', /^not logged in: only what an unauthenticated client sees was judged/);
      assert.deepEqual(report.findings.map((f) => f.id).sort(), ALL_IDS);
      assert.equal(report.redis_version, null);
      for (const part of ['info', 'config', 'users'])
        assert.match(report.unobserved[part] ?? '', /could not log in/, part);
      // What an outsider sees: authentication is enforced (NOAUTH before login).
      const rs001 = byId(report, 'RS001');
      assert.equal(rs001.status, 'pass', rs001.evidence);
      assert.match(rs001.evidence, /NOAUTH/);
      // The rest needs a login.
      for (const id of ['RS003', 'RS008', 'RS009', 'RS019', 'RS028', 'RS032', 'RS035', 'RS038', 'RS040'])
        assert.equal(byId(report, id).status, 'unknown', `${id}: ${byId(report, id).evidence}`);
      const unknown = report.findings.filter((f) => f.status === 'unknown').length;
      assert.ok(unknown >= 40, `${unknown} unknown`);
      // The exit code is the --fail-on result, as for any report.
      const failing = report.findings.some((f) => f.status === 'fail' && f.severity === 'critical');
      assert.equal(r.code, failOn.length > 0 && failing ? 1 : 0);
    }
    const sarif = await audit(['--redis', secured.url, '--format', 'sarif', '--allow-partial']);
    assert.equal(sarif.code, 0, sarif.stderr);
    assert.match(JSON.parse(sarif.stdout).runs[0].properties.partial, /^not logged in/);
    // A full audit says it is not partial.
    const full = await audit(['--redis', open.url, '--format', 'json']);
    assert.equal(JSON.parse(full.stdout).partial, null);
  });

  test('--allow-partial: why it could not log in is stated once, in the JSON and the table', async () => {
    const json = await audit(['--redis', secured.url, '--format', 'json', '--allow-partial']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as JsonReport;
    const login = report.unobserved.login ?? '';
    assert.match(login, /requires authentication \(NOAUTH\) and no credentials were given/);
    assert.match(login, /REDIS_PASSWORD/, 'it says how to give credentials');
    assert.equal(occurrences(json.stdout, JSON.stringify(login).slice(1, -1)), 1, 'the reason once in the JSON');
    assert.equal(occurrences(json.stdout, 'requires authentication'), 1, json.stdout);
    for (const part of ['info', 'config', 'users', 'aclLog', 'commands', 'dryRun'])
      assert.equal(report.unobserved[part], 'could not log in: authentication is required (NOAUTH)', part);

    const table = await audit(['--redis', secured.url, '--allow-partial']);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(occurrences(flat(table.stdout), flat(`not logged in: ${login}`)), 1, table.stdout);
    assert.equal(occurrences(table.stdout, 'requires authentication'), 1, table.stdout);
    assert.equal(occurrences(table.stdout, 'not logged in:'), 2, 'the note, and the partial score line');
    // The parts it hid, on one line (wrapped), not one line each.
    assert.equal(occurrences(table.stdout, 'not observed ('), 1, table.stdout);
    assert.match(table.stdout, /^not observed \(info, config, users, aclLog, commands, dryRun\): could not log/m);
    // The score line stays honest about how little was judged, and says the score is partial.
    assert.match(table.stdout, /score \d+\/100 \(\d of \d+ checks could be judged\)\nPARTIAL SCORE: not logged in/);
  });
});

describe('credentials the server refuses: exit 2, one line on stderr, no report', () => {
  /** The audit stopped at the refused login: exit 2, nothing on stdout, one line on stderr, no password anywhere. */
  const assertRefused = (
    r: { code: number | null; stdout: string; stderr: string },
    what: string,
    secrets: string[],
  ) => {
    assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '', `${what}: no report`);
    // (besides the warning that --redis.password on the command line gets: src/cli/secret-flags.ts)
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('redoubt audit: warning: --redis.password '));
    assert.equal(lines.length, 1, `${what}: one line: ${r.stderr}`);
    assert.match(lines[0], /^redoubt audit: the audit could not run: Redis at redis:\/\/\S+ rejected /, what);
    for (const s of secrets) {
      assert.ok(!`${r.stdout}${r.stderr}`.includes(s), `${what}: a password is shown`);
      assert.ok(!r.stderr.includes(encodeURIComponent(s)), `${what}: a password is shown (encoded)`);
    }
    return lines[0];
  };
  const wrongUrl = (server: RedisServer, user = '') =>
    `redis://${user}:${encodeURIComponent(WRONG_PASSWORD)}@127.0.0.1:${server.port}`;

  test('a wrong requirepass password, in the URL, in REDIS_PASSWORD or --redis.password, in every format', async () => {
    const secrets = [WRONG_PASSWORD, SECURED_PASSWORD];
    const runs: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
      ['URL', ['--redis', wrongUrl(secured)], {}, /given in the URL .*percent-encoded/],
      [
        'REDIS_PASSWORD',
        ['--redis', secured.url],
        { REDIS_PASSWORD: WRONG_PASSWORD },
        /--redis\.password or REDIS_PASSWORD/,
      ],
      ['--redis.password', ['--redis', secured.url, '--redis.password', WRONG_PASSWORD], {}, /--redis\.password/],
    ];
    for (const [what, args, env, source] of runs)
      for (const extra of [[], ['--format', 'json'], ['--format', 'sarif'], ['--fail-on', 'low']]) {
        const line = assertRefused(await audit([...args, ...extra], env), `${what} ${extra.join(' ')}`, secrets);
        assert.match(line, /rejected the password given .* for the default user \(WRONGPASS\)/, line);
        assert.match(line, source, line);
        assert.match(line, /requirepass/, `${what}: says what to check: ${line}`);
      }
  });

  test('the audit stops at the refused login: no unauthenticated probe after it', async () => {
    const errorstats = async () => String(await secured.command('INFO', 'errorstats'));
    const noauth = (text: string) => Number(/errorstat_NOAUTH:count=(\d+)/.exec(text)?.[1] ?? 0);
    const before = await errorstats();
    assertRefused(await audit(['--redis', wrongUrl(secured)]), 'URL', [WRONG_PASSWORD]);
    assert.equal(noauth(await errorstats()), noauth(before), 'no unauthenticated probe ran');
  });

  test('an ACL user with a wrong password, a user that does not exist, a user without a password', async () => {
    const secrets = [WRONG_PASSWORD, hardenedEnv.REDIS_AUDITOR_PASSWORD];
    const runs: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
      [
        'user and password in the URL',
        ['--redis', wrongUrl(hardened, 'auditor')],
        {},
        /user "auditor" \(WRONGPASS: .*\)\. Check the user name and the password given in the URL/,
      ],
      [
        'REDIS_USER and REDIS_PASSWORD',
        ['--redis', hardened.url],
        { REDIS_USER: 'auditor', REDIS_PASSWORD: WRONG_PASSWORD },
        /user "auditor" \(WRONGPASS: .*--redis\.user or REDIS_USER .*--redis\.password or REDIS_PASSWORD/,
      ],
      [
        'a user that does not exist',
        ['--redis', hardened.url],
        { REDIS_USER: 'nosuchuser', REDIS_PASSWORD: hardenedEnv.REDIS_AUDITOR_PASSWORD },
        /user "nosuchuser" \(WRONGPASS: .*no such user/,
      ],
      [
        'a user without a password',
        ['--redis', `redis://auditor@127.0.0.1:${hardened.port}`],
        {},
        /user "auditor" \(WRONGPASS\): no password was given\. Pass .*REDIS_PASSWORD/,
      ],
    ];
    for (const [what, args, env, message] of runs)
      for (const extra of [[], ['--format', 'json']]) {
        const line = assertRefused(await audit([...args, ...extra], env), `${what} ${extra.join(' ')}`, secrets);
        assert.match(line, message, `${what}: ${line}`);
      }
    // The right password still audits as that user.
    const ok = await audit(['--redis', hardened.url, '--format', 'json'], auditorEnv());
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as JsonReport).unobserved.login, undefined);
  });
});

describe('the audit is read-only', () => {
  // Commands that change the server (data, configuration, users, logs, persistence, replication, clients).
  const FORBIDDEN = [
    'config|set',
    'config|rewrite',
    'config|resetstat',
    'acl|setuser',
    'acl|deluser',
    'acl|save',
    'acl|load',
    'flushall',
    'flushdb',
    'set',
    'del',
    'save',
    'bgsave',
    'bgrewriteaof',
    'shutdown',
    'replicaof',
    'slaveof',
    'debug',
    'module|load',
    'client|kill',
    'slowlog|reset',
    'latency|reset',
    'script|flush',
    'function|load',
    'function|flush',
    'swapdb',
    'eval',
  ];
  // Everything an audit may send: reads, and its connection's own handshake.
  const READ_ONLY = new Set([
    'auth',
    'hello',
    'ping',
    'info',
    'select',
    'client|setname',
    'config|get',
    'acl|list',
    'acl|log',
    'acl|dryrun',
    'acl|whoami',
    'command|info',
    'command|count',
    'command|list',
    'command|docs',
    'module|list',
    'scan',
    'type',
    'getrange',
  ]);

  test('INFO commandstats before and after a CLI audit: no write or admin command; DBSIZE and ACL LOG unchanged', async () => {
    // An ACL LOG entry the audit must read, not reset (ACL LOG RESET counts as acl|log too).
    await assert.rejects(
      respCommand({ ...open.endpoint, username: 'nobody', password: 'x' }, 'PING'),
      (e: Error) => e instanceof RespError && /WRONGPASS/.test(e.message),
    );
    const dbsize = await open.command('DBSIZE');
    assert.ok(Number(dbsize) >= 3);
    const logBefore = (await open.command('ACL', 'LOG')) as unknown[];
    assert.ok(logBefore.length >= 1);
    const before = parseCommandstats(String(await open.command('INFO', 'commandstats')));
    const r = await audit(['--redis', open.url, '--scan-keys', '--local', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const sent = grown(before, parseCommandstats(String(await open.command('INFO', 'commandstats'))));
    assert.ok(sent.includes('config|get') && sent.includes('scan'), `the audit read the server: ${sent.join(', ')}`);
    assert.deepEqual(
      FORBIDDEN.filter((c) => sent.includes(c)),
      [],
      `commands the audit sent: ${sent.join(', ')}`,
    );
    assert.deepEqual(
      sent.filter((c) => !READ_ONLY.has(c)),
      [],
      `commands the audit sent: ${sent.join(', ')}`,
    );
    assert.equal(await open.command('DBSIZE'), dbsize);
    assert.ok(((await open.command('ACL', 'LOG')) as unknown[]).length >= logBefore.length, 'ACL LOG not reset');
  });

  test("as the hardened server's auditor: read-only, and nothing refused (ACL LOG unchanged)", async () => {
    const admin = { ...hardened.endpoint, username: 'admin', password: hardenedEnv.REDIS_ADMIN_PASSWORD };
    const stats = async () => parseCommandstats(String(await respCommand(admin, 'INFO', 'commandstats')));
    const before = await stats();
    const logBefore = (await respCommand(admin, 'ACL', 'LOG')) as unknown[];
    const r = await audit(['--redis', hardened.url, '--format', 'json'], auditorEnv());
    assert.equal(r.code, 0, r.stderr);
    const sent = grown(before, await stats());
    assert.deepEqual(
      sent.filter((c) => !READ_ONLY.has(c)),
      [],
      `commands the audit sent: ${sent.join(', ')}`,
    );
    const logAfter = (await respCommand(admin, 'ACL', 'LOG')) as unknown[];
    assert.equal(logAfter.length, logBefore.length, 'the audit was refused nothing (no new ACL LOG entry)');
  });
});

describe('--redis and --config together', () => {
  test('the hardened server and its files: statuses and score equal to or better than the live audit alone', async () => {
    const live = await auditJson(['--redis', hardened.url], auditorEnv());
    const conf = join(hardened.dir, 'redis.conf');
    const both = await auditJson(['--redis', hardened.url, '--config', conf], auditorEnv());
    assert.equal(both.code, 0);
    assert.equal(both.report.target, live.report.target);
    assert.equal(both.report.files[0], conf);
    assert.ok(both.report.score >= live.report.score, `together ${both.report.score} < live ${live.report.score}`);
    const judged = (r: JsonReport) => r.findings.filter((f) => f.status === 'pass' || f.status === 'fail').length;
    assert.ok(judged(both.report) >= judged(live.report));
    for (const l of live.report.findings) {
      const b = byId(both.report, l.id);
      // What the server showed stays: a file's unknown or skip never undoes a live pass (RS023, RS030 …).
      if (l.status === 'pass' || l.status === 'fail') assert.equal(b.status, l.status, `${l.id}: ${b.evidence}`);
    }
    for (const id of ['RS023', 'RS030'])
      assert.equal(
        byId(both.report, id).status,
        byId(live.report, id).status,
        `${id}: ${byId(both.report, id).evidence}`,
      );
    const failOn = await audit(['--redis', hardened.url, '--config', conf, '--fail-on', 'high'], auditorEnv());
    assert.equal(failOn.code, 0, failOn.stdout);
  });
});

describe('inventory flags apply to file audits too', () => {
  test('--allowed-peers and --expected-role judge a replicaof directive (RS041)', async () => {
    const conf = writeConf('inventory-peers', ['port 6380', 'replicaof 203.0.113.9 6379', 'masterauth x-y-z-123']);
    const rs041 = async (...flags: string[]) => byId((await auditJson(['--config', conf, ...flags])).report, 'RS041');
    assert.equal((await rs041()).status, 'unknown');
    const other = await rs041('--allowed-peers', '10.0.0.1');
    assert.equal(other.status, 'fail', other.evidence);
    assert.deepEqual(other.location, { file: conf, line: 2 });
    assert.equal((await rs041('--allowed-peers', '203.0.113.9:6379')).status, 'pass');
    assert.equal((await rs041('--expected-role', 'master')).status, 'fail');
  });

  test('--admin-users decides who counts as an admin in an ACL file', async () => {
    const conf = writeConf('inventory-admins', [
      'port 6380',
      'user default off',
      'user ops on >Ops-Pa55-word-91 ~* &* +@all',
    ]);
    const rs017 = async (...flags: string[]) => byId((await auditJson(['--config', conf, ...flags])).report, 'RS017');
    const ops = await rs017();
    assert.equal(ops.status, 'fail', `ops is not an admin by default: ${ops.evidence}`);
    const admin = await rs017('--admin-users', 'ops');
    assert.equal(admin.status, 'pass', admin.evidence);
  });

  test('a malformed CIDR in --allowed-peers is a usage error, not a peer that matches nothing', async () => {
    const conf = writeConf('inventory-cidr', ['port 6380']);
    for (const peer of ['10.0.0.0/33', '10.0.0/8', 'fd00::/8']) {
      const r = await audit(['--config', conf, '--allowed-peers', peer]);
      assert.equal(r.code, 2, peer);
      assert.match(r.stderr, /--allowed-peers/, peer);
    }
    assert.equal((await audit(['--config', conf, '--allowed-peers', '10.0.0.0/8,db-2:6379'])).code, 0);
  });

  test('a bad --expected-role is a usage error for a file audit as well', async () => {
    const conf = writeConf('inventory-role', ['port 6380']);
    const r = await audit(['--config', conf, '--expected-role', 'primary']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--expected-role/);
  });
});

describe('table output on a terminal', () => {
  // The CLI on a pseudo-terminal (util-linux script): stdout is a TTY, as for a person running it.
  const ESC = '\u001b[';

  test('coloured: red failures, and still at most 80 visible columns', async () => {
    const r = await runCliInPty(['audit', '--redis', open.url]);
    assert.equal(r.code, 0, r.output);
    assert.ok(r.output.includes(`${ESC}31mFAIL`), 'FAIL in red');
    assert.ok(r.output.includes(`${ESC}1mredoubt audit`), 'the heading in bold');
    for (const l of stripVTControlCharacters(r.output).split(/\r?\n/))
      assert.ok([...l].length <= 80, `${[...l].length} columns: ${JSON.stringify(l)}`);
  });

  test('no colour with NO_COLOR, with --output, or with another format', async () => {
    const noColor = await runCliInPty(['audit', '--redis', open.url], { env: { NO_COLOR: '1' } });
    assert.equal(noColor.code, 0, noColor.output);
    assert.match(noColor.output, /^FAIL {4}RS001/m);
    assert.ok(!noColor.output.includes(ESC), 'NO_COLOR: no ANSI escapes');
    const file = join(root, 'tty-report.txt');
    const out = await runCliInPty(['audit', '--redis', open.url, '--output', file]);
    assert.equal(out.code, 0, out.output);
    assert.ok(!readFileSync(file, 'utf8').includes(ESC), '--output: no ANSI escapes in the file');
    const json = await runCliInPty(['audit', '--redis', open.url, '--format', 'json']);
    assert.ok(!json.output.includes(ESC), 'JSON on a terminal: no ANSI escapes');
  });
});

describe('accuracy: a data directory is judged by its mode, not its name', () => {
  test('live with --local: a private dir under /tmp passes RS038 and RS049; a world-writable one fails RS049 (medium)', async () => {
    const shared = join(root, 'shared-data');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const sharedDir = await startRedis({ config: [`dir ${quoteConf(shared)}`] });
    servers.push(sharedDir);
    for (const [server, rs049, dir] of [
      [open, 'pass', open.dir],
      [sharedDir, 'fail', shared],
    ] as const) {
      const { report } = await auditJson(['--redis', server.url, '--local']);
      const rs038 = byId(report, 'RS038');
      assert.equal(rs038.status, 'pass', `${dir}: ${rs038.evidence}`);
      assert.equal(rs038.severity, 'critical');
      const f = byId(report, 'RS049');
      assert.equal(f.status, rs049, `${dir}: ${f.evidence}`);
      assert.equal(f.severity, 'medium');
      assert.ok(f.evidence.includes(dir), f.evidence);
      if (rs049 === 'fail') assert.match(f.evidence, /\(mode 0777, sticky\) is world-writable/);
      // Without --local the mode is not observed: unknown, not a guess from the path.
      const remote = await auditJson(['--redis', server.url]);
      assert.equal(byId(remote.report, 'RS038').status, 'pass');
      assert.equal(byId(remote.report, 'RS049').status, 'unknown');
    }
  });

  test('a file audit on this host: dir /tmp fails RS049 by its mode, a private dir passes; RS038 passes both', async () => {
    const priv = join(root, 'private-data');
    mkdirSync(priv, { mode: 0o700 });
    for (const [dir, rs049] of [
      ['/tmp', 'fail'],
      [priv, 'pass'],
    ] as const) {
      const conf = writeConf(`dir-${rs049}`, ['port 6380', `dir ${quoteConf(dir)}`]);
      const { report } = await auditJson(['--config', conf]);
      assert.equal(byId(report, 'RS038').status, 'pass', dir);
      assert.equal(byId(report, 'RS038').indicator_of_compromise, true, 'an indicator check, whatever its status');
      const f = byId(report, 'RS049');
      assert.equal(f.status, rs049, `${dir}: ${f.evidence}`);
      assert.ok(f.evidence.includes(`data directory ${dir} (mode`), f.evidence);
      const table = (await audit(['--config', conf])).stdout;
      assert.doesNotMatch(table, /INDICATORS OF COMPROMISE/);
    }
  });
});

describe('accuracy: protected mode and severities', () => {
  /** An address of this host that is not loopback: clients from it are not local to Redis's protected mode. */
  const outsideAddress = (): string => {
    const found = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    assert.ok(found, 'this host has a non-loopback IPv4 address');
    return found.address;
  };

  test('RS002: a default server (no password, protected mode on) answers DENIED to a non-loopback client: a pass', async () => {
    const exposed = await startRedis({ config: ['bind * -::*'] });
    servers.push(exposed);
    const outside = `redis://${outsideAddress()}:${exposed.port}`;
    // The audit cannot log in from there (DENIED): exit 2 without --allow-partial.
    assert.match(assertNotRun(await audit(['--redis', outside]), 'DENIED'), /protected mode/);
    const fromOutside = await auditJson(['--redis', outside, '--allow-partial']);
    const probed = byId(fromOutside.report, 'RS002');
    assert.equal(probed.status, 'pass', probed.evidence);
    assert.match(probed.evidence, /-DENIED: protected mode/);
    assert.equal(byId(fromOutside.report, 'RS001').status, 'fail', 'the missing password is RS001');
    // Over loopback it logs in and derives the same from bind, protected-mode and the default user.
    const { report } = await auditJson(['--redis', exposed.url]);
    const derived = byId(report, 'RS002');
    assert.equal(derived.status, 'pass', derived.evidence);
    assert.match(derived.evidence, /protected mode is on: non-loopback clients get -DENIED/);
    assert.equal(derived.severity, 'critical');
    assert.equal(byId(report, 'RS009').status, 'pass');
  });

  test('RS017 keeps one severity on Redis 7.0 whether it fails (open server) or passes (hardened server)', async () => {
    const failing = byId((await auditJson(['--redis', open.url])).report, 'RS017');
    const passing = byId((await auditJson(['--redis', hardened.url], auditorEnv())).report, 'RS017');
    assert.deepEqual(
      [
        [failing.status, failing.severity],
        [passing.status, passing.severity],
      ],
      [
        ['fail', 'high'],
        ['pass', 'high'],
      ],
    );
  });
});
