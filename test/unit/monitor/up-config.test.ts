import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UP_FLAGS } from '../../../src/cli/up.ts';
import { parseStackConfig } from '../../../src/config/redoubt-yml.ts';
import { parseFlags } from '../../../src/flags/flags.ts';
import { DirectoryLockedError } from '../../../src/fs/directory-lock.ts';
import { LOCK_FILE, lockDataDirectory } from '../../../src/monitor/data-dir-lock.ts';
import { buildUpConfig, defaultDataDir } from '../../../src/monitor/up-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-up-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function config(argv: string[], env: NodeJS.ProcessEnv = {}, yml?: string) {
  const { values } = parseFlags(argv, UP_FLAGS, env);
  return buildUpConfig(values, { HOME: '/home/u', ...env }, yml === undefined ? undefined : parseStackConfig(yml), dir);
}

test('no arguments: the local Redis, loopback 9122, the XDG data directory, a 10 s tick with an 8 s deadline', () => {
  const c = config([]);
  assert.deepEqual(
    c.targets.map((t) => [t.instance, t.target.display]),
    [['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379']],
  );
  assert.equal(c.listenHost, '127.0.0.1');
  assert.equal(c.listenPort, 9122);
  assert.equal(c.dataDir, '/home/u/.local/share/redoubt');
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/xdg', HOME: '/h' }), '/xdg/redoubt');
  assert.equal(c.scrapeIntervalMs, 10_000);
  assert.equal(c.scrapeTimeoutMs, 8000);
  assert.deepEqual(c.credentials, {});
});

test('--redis repeats; the instance is the address as written, without a password; credentials from the environment', () => {
  const c = config(['--redis', 'redis://a:6379', '--redis', 'redis://:urlpw@b:6380'], { REDIS_PASSWORD: 'envpw' });
  assert.deepEqual(
    c.targets.map((t) => [t.instance, t.target.password]),
    [
      ['redis://a:6379', 'envpw'],
      ['redis://***@b:6380', 'urlpw'],
    ],
  );
  assert.ok(c.secrets.includes('envpw') && c.secrets.includes('urlpw'));
  assert.throws(() => config(['--redis', 'redis://a:1', '--redis', 'redis://a:1']), /given twice/);
});

test('redoubt.yml: targets and the up: section, flags win over it', () => {
  const yml =
    'redis:\n  targets: [redis://cache-1:6379, redis://cache-2:6379]\nup:\n  scrapeInterval: 5s\n  dataDir: data\n  listenAddress: 127.0.0.2:9300\nalertmanager:\n  webhookUrl: https://hooks.example/a\n';
  const c = config([], {}, yml);
  assert.deepEqual(
    c.targets.map((t) => t.instance),
    ['redis://cache-1:6379', 'redis://cache-2:6379'],
  );
  assert.equal(c.scrapeIntervalMs, 5000);
  assert.equal(c.dataDir, join(dir, 'data'), 'relative to the config file');
  assert.equal(c.listenPort, 9300);
  assert.equal(c.webhookUrl, 'https://hooks.example/a');
  const flagged = config(['--scrape-interval', '2s', '--redis', 'redis://x:1', '--data-dir', '/d'], {}, yml);
  assert.equal(flagged.scrapeIntervalMs, 2000);
  assert.deepEqual(
    flagged.targets.map((t) => t.instance),
    ['redis://x:1'],
  );
  assert.equal(flagged.dataDir, '/d');
});

test('a non-loopback address without API credentials is refused; with a token it is allowed', () => {
  assert.throws(
    () => config(['--web.listen-address', '0.0.0.0:9122']),
    /--web.listen-address 0.0.0.0:9122 is reachable from other machines and the API has no credentials: set REDOUBT_API_TOKEN/,
  );
  assert.throws(() => config(['--web.listen-address', ':9122']), /reachable from other machines/);
  const token = 'a-long-enough-token-0123';
  assert.equal(config(['--web.listen-address', '0.0.0.0:9122'], { REDOUBT_API_TOKEN: token }).credentials.token, token);
  assert.equal(config(['--web.listen-address', '[::1]:9122']).listenHost, '::1');
  assert.throws(() => config([], { REDOUBT_API_TOKEN: ' ' }), /REDOUBT_API_TOKEN is set but empty/);
});

test('a short API token is refused: it is an admin key, tried over the network without throttling', () => {
  assert.throws(
    () => config(['--web.listen-address', '0.0.0.0:9122'], { REDOUBT_API_TOKEN: 'tok' }),
    /the API token has 3 characters; it needs at least 16/,
  );
  assert.throws(() => config([], { REDOUBT_API_TOKEN: '0123456789abcde' }), /needs at least 16/);
});

test('secret files must be 0600; basic auth is refused by name', () => {
  const open = join(dir, 'token-open');
  writeFileSync(open, 'tok\n', { mode: 0o644 });
  assert.throws(() => config(['--web.token-file', open]), /readable by others \(mode 0644\); run chmod 600/);
  const closed = join(dir, 'token');
  writeFileSync(closed, 'tok-from-file-0123456789\n', { mode: 0o600 });
  assert.equal(config(['--web.token-file', closed]).credentials.token, 'tok-from-file-0123456789');
  const noBasic = /no longer takes basic auth: set REDOUBT_API_TOKEN/;
  assert.throws(() => config(['--web.basic-auth-user', 'grafana']), noBasic);
  assert.throws(() => config([], { REDOUBT_API_USER: 'grafana', REDOUBT_API_PASSWORD: 'pw' }), noBasic);
  assert.throws(() => config([], { REDOUBT_API_PASSWORD: 'pw' }), noBasic);
});

test('the data directory lock: a second holder is refused, a dead holder is taken over', () => {
  const data = mkdtempSync(join(dir, 'data-'));
  const first = lockDataDirectory(data);
  assert.throws(
    () => lockDataDirectory(data),
    (err: unknown) => {
      assert.ok(err instanceof DirectoryLockedError);
      assert.match(err.message, new RegExp(`in use by another redoubt up \\(pid ${process.pid}\\)`));
      return true;
    },
  );
  first.release();
  // A lock whose process is gone (pid far above pid_max): taken over.
  writeFileSync(join(data, LOCK_FILE), '99999999 elsewhere\n');
  const second = lockDataDirectory(data);
  second.release();
});

test('a TLS file that is missing is a start-up error naming the flag, not a target that never connects', () => {
  assert.throws(
    () => config(['--tls-ca-cert-file', join(dir, 'missing-ca.crt')]),
    /--tls-ca-cert-file .*missing-ca\.crt: no such file/,
  );
});

test('--security.audit-commands: auto by default, all or least-privilege by flag or environment, anything else refused', () => {
  assert.equal(config([]).auditCommands, 'auto');
  assert.equal(config(['--security.audit-commands', 'all']).auditCommands, 'all');
  assert.equal(config([], { REDOUBT_SECURITY_AUDIT_COMMANDS: 'least-privilege' }).auditCommands, 'least-privilege');
  assert.throws(
    () => config(['--security.audit-commands', 'everything']),
    /--security\.audit-commands "everything": use auto, least-privilege or all/,
  );
});
