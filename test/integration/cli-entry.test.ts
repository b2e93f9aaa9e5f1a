/**
 * The CLI's own front door, through the real binary (a child process): `--version`, stray positional arguments on
 * every command, user errors as one line with exit 2 (no "unexpected error"), and a checkout that was never built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.ts';
import { BIN, runCli } from '../support/redoubt.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-cli-entry-'));
after(() => rmSync(root, { recursive: true, force: true }));

const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

/** Exit 2, nothing on stdout, exactly one line on stderr; returns it. */
function oneLine(r: { code: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '', what);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `${what}: one line: ${r.stderr}`);
  return lines[0];
}

describe('redoubt --version', () => {
  test('--version, -V and version print the version in package.json, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
      assert.equal(r.stdout, `redoubt ${version}\n`, flag);
      assert.equal(r.stderr, '', flag);
    }
  });
});

describe('stray positional arguments are refused on every command', () => {
  test('audit redis://host: "did you mean --redis", exit 2, the server is not contacted', async () => {
    const port = await freePort();
    const line = oneLine(await runCli(['audit', `redis://127.0.0.1:${port}`]), 'audit URL');
    assert.equal(
      line,
      `redoubt audit: unexpected argument "redis://127.0.0.1:${port}"; did you mean --redis redis://127.0.0.1:${port}?`,
    );
  });

  test('a URL with credentials: the hint keeps the password out of the line', async () => {
    const line = oneLine(await runCli(['audit', 'redis://app:s3cret-pw-81@10.0.0.5:6379']), 'audit URL with password');
    assert.doesNotMatch(line, /s3cret-pw-81/);
    assert.match(line, /did you mean --redis redis:\/\/<credentials>@10\.0\.0\.5:6379\?/);
  });

  test('each command: a URL, a redis.conf, a word, and anything after --', async () => {
    const runs: Array<[string[], RegExp]> = [
      [['audit', '--redis', 'redis://127.0.0.1:1', 'extra'], /unexpected argument "extra"; flags take the form/],
      [['audit', 'redis.conf'], /unexpected argument "redis\.conf"; did you mean --config redis\.conf\?/],
      [['audit', '--config', 'x.conf', '--', 'y'], /unexpected argument "y"/],
      [['exporter', 'localhost:6379'], /did you mean --redis\.addr localhost:6379\?/],
      [['harden', 'now'], /unexpected argument "now"/],
      [['stack', 'here'], /unexpected argument "here"/],
    ];
    for (const [args, expected] of runs) {
      const line = oneLine(await runCli(args, { timeoutMs: 20000 }), args.join(' '));
      assert.match(line, new RegExp(`^redoubt ${args[0]}: `), line);
      assert.match(line, expected, line);
    }
  });
});

describe('user errors: one line, exit 2, no "unexpected error"', () => {
  test('an unencoded "#" in the URL password', async () => {
    const line = oneLine(await runCli(['audit', '--redis', 'redis://:ab#cd@127.0.0.1:1']), 'unencoded #');
    assert.match(line, /^redoubt audit: the audit could not run: .*unencoded "#"; percent-encode it as %23/);
    assert.doesNotMatch(line, /unexpected error/);
    assert.doesNotMatch(line, /ab#cd/, 'the password is not echoed');
  });
});

describe('passwords on the command line', () => {
  test('up --redis.password: refused with the safe ways (REDIS_PASSWORD, --redis.password-file), not "--redis"', async () => {
    const line = oneLine(await runCli(['up', '--redis.password', 'hunter2-hunter2']), 'up --redis.password');
    assert.equal(
      line,
      'redoubt up: unknown flag --redis.password: a secret on the command line is visible to every user of the machine (ps); set REDIS_PASSWORD in the environment, or use --redis.password-file FILE; see --help',
    );
  });

  test('commands that accept --redis.password (as redis_exporter does) warn once, and never echo it', async () => {
    for (const command of ['exporter', 'audit', 'doctor', 'rotate', 'backup', 'harden', 'restore']) {
      const r = await runCli([command, '--redis.password=hunter2-hunter2', '--no-such-flag'], { timeoutMs: 20000 });
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(
        lines[0],
        `redoubt ${command}: warning: --redis.password puts a secret on the command line, where every user of this machine can read it (ps): prefer REDIS_PASSWORD in the environment, or --redis.password-file FILE`,
      );
      assert.match(lines[1], /unknown flag --no-such-flag/);
      assert.ok(!r.stderr.includes('hunter2'), command);
    }
    const basic = await runCli(['exporter', '--basic-auth-password', 'hunter2-hunter2', '--no-such-flag']);
    assert.match(
      basic.stderr,
      /^redoubt exporter: warning: --basic-auth-password .*REDIS_EXPORTER_BASIC_AUTH_PASSWORD/,
    );
    assert.ok(!basic.stderr.includes('hunter2'));
  });
});

describe('bin/redoubt.js before `npm ci`', () => {
  test('a checkout without dist/ and node_modules/: says to run npm ci, no stack trace, exit 2', () => {
    const checkout = join(root, 'checkout');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    copyFileSync(BIN, join(checkout, 'bin', 'redoubt.js'));
    copyFileSync(PACKAGE_JSON, join(checkout, 'package.json'));
    for (const args of [['--version'], ['audit', '--help']]) {
      const r = spawnSync(process.execPath, [join(checkout, 'bin', 'redoubt.js'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        timeout: 30000,
      });
      const line = oneLine({ code: r.status, stdout: r.stdout, stderr: r.stderr }, args.join(' '));
      assert.equal(
        line,
        `redoubt: redoubt is not built yet (no ${join(checkout, 'dist', 'cli.js')}); run "npm ci" in ${checkout}/ first`,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
