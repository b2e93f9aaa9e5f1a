/**
 * `redoubt audit --redis` and `redoubt harden --redis` with the exporter's --redis.password-file (REDIS_PASSWORD_FILE),
 * through the built CLI against real redis-server processes: the right password only in the file logs in (an
 * authenticated report, a harden plan); a wrong one is refused with one line naming the file as its source; the
 * precedence is the exporter's (URL, then --redis.password / REDIS_PASSWORD, then the file, keyed with the user);
 * a missing or malformed file is exit 2 with what to do; no password is ever printed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-password-file-')));
const servers: RedisServer[] = [];
after(async () => {
  for (const s of servers.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

const SECURED_PASSWORD = 'pwfile-secured-5d0c1e93';
const AUDITOR_PASSWORD = 'pwfile-auditor-a81f27c4';
const ADMIN_PASSWORD = 'pwfile-admin-39be6d10';
const WRONG_PASSWORD = 'pwfile-wrong-77e2f0b9';
const SECRETS = [SECURED_PASSWORD, AUDITOR_PASSWORD, ADMIN_PASSWORD, WRONG_PASSWORD];

/** The least an audit needs (README: the "auditor" user). */
const AUDITOR_RULES =
  '-@all +ping +hello +info +config|get +acl|list +acl|getuser +acl|users +acl|log +acl|whoami +acl|dryrun +command|info +command|count +command|list +command|docs +slowlog|get +latency|latest +memory|stats +client|list +module|list';

interface JsonReport {
  redis_version: string | null;
  judged: number;
  unobserved: Record<string, string>;
  findings: Array<{ id: string; status: string }>;
}

let secured: RedisServer; // requirepass
let acl: RedisServer; // ACL users auditor and admin, the default user off
let n = 0;

/** Writes a password file (mode 0600) and returns its path. */
function passwordFile(entries: Record<string, unknown> | string): string {
  const path = join(root, `passwords-${n++}.json`);
  writeFileSync(path, typeof entries === 'string' ? entries : JSON.stringify(entries), { mode: 0o600 });
  return path;
}

const key = (server: RedisServer, user = '') => `redis://${user ? `${user}@` : ''}127.0.0.1:${server.port}`;

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env, timeoutMs: 20000 });

function assertNoSecret(r: { stdout: string; stderr: string }, what: string): void {
  for (const s of SECRETS) {
    assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `${what}: a password is shown`);
    assert.ok(!r.stderr.includes(encodeURIComponent(s)), `${what}: a password is shown (encoded)`);
  }
}

/** A JSON audit that ran (exit 0 or 1). */
async function auditJson(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await run(['audit', '--format', 'json', ...args], env);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stdout}${r.stderr}`);
  assertNoSecret(r, args.join(' '));
  return { ...r, report: JSON.parse(r.stdout) as JsonReport };
}

/** The audit stopped at a refused login: exit 2, no report, one line on stderr, which it returns. */
async function auditRefused(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await run(['audit', ...args], env);
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '', 'no report');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], /^redoubt audit: the audit could not run: Redis at redis:\/\/\S+ rejected /);
  assertNoSecret(r, args.join(' '));
  return lines[0];
}

before(async () => {
  secured = await startRedis({ password: SECURED_PASSWORD });
  servers.push(secured);
  acl = await startRedis({
    aclUsers: [
      'default off',
      `auditor on >${AUDITOR_PASSWORD} ${AUDITOR_RULES}`,
      `admin on >${ADMIN_PASSWORD} ~* &* +@all`,
    ],
    config: ['protected-mode no'],
  });
  servers.push(acl);
});

describe('--help', () => {
  for (const command of ['audit', 'harden'])
    test(`${command} --help lists --redis.password-file and REDIS_PASSWORD_FILE, worded as the exporter's`, async () => {
      const r = await run([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      const exporter = await run(['exporter', '--help']);
      const entry = (text: string) => /^ {2}--redis\.password-file .*\n.*$/m.exec(text)?.[0];
      assert.ok(entry(r.stdout), r.stdout);
      assert.match(entry(r.stdout) ?? '', /\[env REDIS_PASSWORD_FILE\]/);
      assert.equal(entry(r.stdout), entry(exporter.stdout));
    });
});

describe('redoubt audit --redis with --redis.password-file', () => {
  test('the requirepass password only in the file: an authenticated audit, far more judged than the outsider view', async () => {
    const file = passwordFile({ [key(secured)]: SECURED_PASSWORD, [key(acl)]: WRONG_PASSWORD });
    const outsider = await auditJson(['--redis', secured.url, '--allow-partial']);
    assert.equal(outsider.report.redis_version, null);
    assert.match(outsider.report.unobserved.login ?? '', /no credentials were given/);
    for (const [what, args, env] of [
      ['--redis.password-file', ['--redis', secured.url, '--redis.password-file', file], {}],
      ['REDIS_PASSWORD_FILE', ['--redis', secured.url], { REDIS_PASSWORD_FILE: file }],
      ['-redis.password-file= (Go style)', ['--redis', secured.url, `-redis.password-file=${file}`], {}],
    ] as const) {
      const r = await auditJson([...args], env);
      assert.equal(r.stderr, '', `${what}: ${r.stderr}`);
      assert.equal(r.report.unobserved.login, undefined, `${what}: logged in`);
      assert.match(r.report.redis_version ?? '', /^\d+\.\d+\.\d+/, `${what}: INFO was read`);
      assert.equal(r.report.unobserved.config, undefined, `${what}: CONFIG was read`);
      assert.ok(
        r.report.judged >= outsider.report.judged + 20,
        `${what}: ${r.report.judged} judged, the outsider ${outsider.report.judged}`,
      );
    }
  });

  test('keys are matched like the exporter: a trailing slash and a missing default port do not matter', async () => {
    const file = passwordFile({ [`${key(secured)}/`]: SECURED_PASSWORD });
    const r = await auditJson(['--redis', `127.0.0.1:${secured.port}`, '--redis.password-file', file]);
    assert.equal(r.report.unobserved.login, undefined, r.stderr);
  });

  test('an ACL user: the entry keyed with the user, named by --redis.user, REDIS_USER or the URL', async () => {
    const file = passwordFile({ [key(acl, 'auditor')]: AUDITOR_PASSWORD, [key(acl)]: WRONG_PASSWORD });
    for (const [what, args, env] of [
      ['--redis.user', ['--redis', acl.url, '--redis.user', 'auditor'], {}],
      ['REDIS_USER', ['--redis', acl.url], { REDIS_USER: 'auditor' }],
      ['user in the URL', ['--redis', key(acl, 'auditor')], {}],
    ] as const) {
      const r = await auditJson([...args, '--redis.password-file', file], env);
      assert.equal(r.stderr, '', `${what}: ${r.stderr}`);
      assert.equal(r.report.unobserved.login, undefined, `${what}: logged in as auditor`);
      assert.equal(r.report.unobserved.users, undefined, `${what}: ACL LIST was read`);
      assert.ok(r.report.judged >= 30, `${what}: ${r.report.judged} judged`);
    }
  });

  test('a wrong requirepass password in the file: exit 2, one line naming the file, no password', async () => {
    const file = passwordFile({ [key(secured)]: WRONG_PASSWORD });
    for (const extra of [[], ['--format', 'json'], ['--fail-on', 'low']]) {
      const line = await auditRefused(['--redis', secured.url, '--redis.password-file', file, ...extra]);
      assert.match(line, /rejected the password found for this target in the password file /, line);
      assert.ok(line.includes(`${file} (--redis.password-file) for the default user (WRONGPASS)`), line);
      assert.match(line, /requirepass/);
      assert.match(line, /key its entry with the user/, 'says how to give another user its password');
      assert.doesNotMatch(line, /percent-encoded/, 'no URL, nothing to encode');
    }
    // Through REDIS_PASSWORD_FILE as well.
    const line = await auditRefused(['--redis', secured.url], { REDIS_PASSWORD_FILE: file });
    assert.ok(line.includes(`in the password file ${file} (--redis.password-file)`), line);
  });

  test('a wrong password for an ACL user in the file: the user, its source and the file', async () => {
    const file = passwordFile({ [key(acl, 'auditor')]: WRONG_PASSWORD });
    const line = await auditRefused(['--redis', acl.url, '--redis.password-file', file], { REDIS_USER: 'auditor' });
    assert.match(line, /rejected the login as user "auditor" \(WRONGPASS: a wrong password, no such user/);
    assert.ok(
      line.includes(
        `Check the user name given with --redis.user or REDIS_USER and the password found for this target in the password file ${file} (--redis.password-file)`,
      ),
      line,
    );
  });

  test('a user the file has no entry for: exit 2, saying which key the file would need', async () => {
    const file = passwordFile({ [key(acl)]: AUDITOR_PASSWORD });
    const line = await auditRefused(['--redis', acl.url, '--redis.user', 'auditor', '--redis.password-file', file]);
    assert.match(line, /user "auditor" \(WRONGPASS\): no password was given/);
    assert.ok(line.includes(`the password file ${file} has none for this target as user "auditor"`), line);
    assert.ok(line.includes(`its key would be ${key(acl, 'auditor')})`), line);
  });

  test('no entry for the target and no user: exit 2 with one line naming the file', async () => {
    const file = passwordFile({ 'redis://127.0.0.1:1': SECURED_PASSWORD });
    const r = await run(['audit', '--redis', secured.url, '--redis.password-file', file, '--fail-on', 'low']);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^redoubt audit: the audit could not run: could not log in: Redis at \S+ requires authentication \(NOAUTH\)[^\n]*\n$/,
    );
    assert.ok(
      r.stderr.includes(`(the password file ${file} (--redis.password-file) has no password for ${key(secured)})`),
      r.stderr,
    );
  });

  test('no entry for the target and no user, with --allow-partial: a warning naming the file, then the outsider view', async () => {
    const file = passwordFile({ 'redis://127.0.0.1:1': SECURED_PASSWORD });
    const r = await auditJson(['--redis', secured.url, '--redis.password-file', file, '--allow-partial']);
    assert.equal(
      r.stderr,
      `redoubt audit: the password file ${file} (--redis.password-file) has no password for ${key(secured)}; auditing without a password\n`,
    );
    assert.match(r.report.unobserved.login ?? '', /no credentials were given/);
  });

  test('precedence: the URL, then --redis.password / REDIS_PASSWORD, then the file', async () => {
    const wrongFile = passwordFile({ [key(secured)]: WRONG_PASSWORD });
    const rightFile = passwordFile({ [key(secured)]: SECURED_PASSWORD });
    const inUrl = `redis://:${SECURED_PASSWORD}@127.0.0.1:${secured.port}`;
    for (const [what, args, env] of [
      ['URL over the file', ['--redis', inUrl, '--redis.password-file', wrongFile], {}],
      ['REDIS_PASSWORD over the file', ['--redis', secured.url], { REDIS_PASSWORD: SECURED_PASSWORD }],
      ['--redis.password over the file', ['--redis', secured.url, '--redis.password', SECURED_PASSWORD], {}],
    ] as const) {
      const r = await auditJson([...args, '--redis.password-file', wrongFile], env);
      assert.equal(r.report.unobserved.login, undefined, `${what}: logged in: ${r.stderr}`);
    }
    // A wrong REDIS_PASSWORD is not rescued by the right password in the file: it is the one refused.
    const line = await auditRefused(['--redis', secured.url, '--redis.password-file', rightFile], {
      REDIS_PASSWORD: WRONG_PASSWORD,
    });
    assert.match(line, /rejected the password given with --redis\.password or REDIS_PASSWORD/);
  });

  test('a missing file: exit 2, naming the file and where its path came from; nothing audited', async () => {
    const missing = join(root, 'no-such-passwords.json');
    for (const [args, env] of [
      [['--redis.password-file', missing], {}],
      [[], { REDIS_PASSWORD_FILE: missing }],
    ] as const) {
      const r = await run(['audit', '--redis', secured.url, ...args], env);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `redoubt audit: the audit could not run: the password file ${missing} does not exist (--redis.password-file); check the path given with --redis.password-file or REDIS_PASSWORD_FILE\n`,
      );
    }
  });

  test('a file that is not JSON, not an object, or a directory: exit 2, and none of its contents shown', async () => {
    const dir = join(root, 'a-directory.json');
    mkdirSync(dir);
    for (const [path, message] of [
      [passwordFile(`{"${key(secured)}": "${SECURED_PASSWORD}",}`), /is not valid JSON \(near line 1, column \d+\)/],
      [passwordFile(`["${SECURED_PASSWORD}"]`), /holds an array, not a JSON object/],
      [passwordFile({ [`redis://u:${WRONG_PASSWORD}@127.0.0.1:1`]: 5 }), /the value for "redis:\/\/u:\*\*\*@/],
      [dir, /cannot read the password file .*EISDIR/],
    ] as const) {
      const r = await run(['audit', '--redis', secured.url, '--redis.password-file', path]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^redoubt audit: the audit could not run: /);
      assert.ok(r.stderr.includes(path), r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /unexpected error/);
      assertNoSecret(r, path);
    }
  });

  test('a file audit alone does not read the password file', async () => {
    const conf = join(root, 'redis.conf');
    writeFileSync(conf, 'port 6379\nprotected-mode yes\n');
    const r = await run(['audit', '--config', conf, '--format', 'json'], {
      REDIS_PASSWORD_FILE: join(root, 'no-such-passwords.json'),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

describe('redoubt harden --redis with --redis.password-file', () => {
  test('the requirepass password only in the file: the dry-run plan, nothing changed', async () => {
    const file = passwordFile({ [key(secured)]: SECURED_PASSWORD });
    const without = await run(['harden', '--redis', secured.url]);
    assert.notEqual(without.code, 0, 'without the file it cannot log in');
    assert.match(without.stderr, /NOAUTH/);
    for (const [what, args, env] of [
      ['--redis.password-file', ['--redis.password-file', file], {}],
      ['REDIS_PASSWORD_FILE', [], { REDIS_PASSWORD_FILE: file }],
    ] as const) {
      const r = await run(['harden', '--redis', secured.url, ...args], env);
      assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^redoubt harden: ${key(secured)} \\(Redis \\S+, connected as default\\)`));
      assert.match(r.stdout, /^\+ user default off /m, `${what}: the plan`);
      assert.match(r.stdout, /Dry run: nothing was changed/);
      assertNoSecret(r, what);
    }
    assert.match(String(await secured.command('ACL', 'LIST')), /user default on /, 'nothing was changed');
  });

  test('an ACL user: its entry keyed with the user, named by --redis.user or the URL', async () => {
    const file = passwordFile({ [key(acl, 'admin')]: ADMIN_PASSWORD, [key(acl)]: WRONG_PASSWORD });
    for (const args of [
      ['--redis', acl.url, '--redis.user', 'admin'],
      ['--redis', key(acl, 'admin')],
    ]) {
      const r = await run(['harden', ...args, '--redis.password-file', file]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /connected as admin\)/);
      assertNoSecret(r, args.join(' '));
    }
  });

  test('a wrong password in the file: refused, pointing at --redis.password-file; no password shown', async () => {
    const file = passwordFile({ [key(secured)]: WRONG_PASSWORD });
    const r = await run(['harden', '--redis', secured.url, '--redis.password-file', file]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /WRONGPASS/);
    assert.match(r.stderr, /--redis\.password-file/);
    assertNoSecret(r, 'wrong password');
  });

  test('no entry for the target: a warning naming the file, then what the server says', async () => {
    const file = passwordFile({ [key(acl, 'admin')]: ADMIN_PASSWORD });
    const r = await run(['harden', '--redis', secured.url, '--redis.password-file', file]);
    assert.notEqual(r.code, 0);
    assert.ok(
      r.stderr.startsWith(
        `redoubt harden: the password file ${file} (--redis.password-file) has no password for ${key(secured)}; connecting without a password\n`,
      ),
      r.stderr,
    );
    assert.match(r.stderr, /NOAUTH/);
    assertNoSecret(r, 'no entry');
  });

  test('a missing or malformed file: exit 2 with what to fix, before connecting', async () => {
    const missing = join(root, 'no-such-passwords.json');
    const r = await run(['harden', '--redis', secured.url, '--redis.password-file', missing]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `redoubt harden: the password file ${missing} does not exist (--redis.password-file); check the path given with --redis.password-file or REDIS_PASSWORD_FILE\n`,
    );
    const bad = passwordFile(`{"${key(secured)}": "${SECURED_PASSWORD}"`);
    const malformed = await run(['harden', '--redis', secured.url], { REDIS_PASSWORD_FILE: bad });
    assert.equal(malformed.code, 2, malformed.stderr);
    assert.match(malformed.stderr, /^redoubt harden: the password file \S+ is not valid JSON/);
    assertNoSecret(malformed, 'malformed');
  });
});
