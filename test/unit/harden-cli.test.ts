import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { aclPasswordHash, HARDENED_USERS, type HardenPasswords } from '../../src/catalog/acl-users.ts';
import { AUDIT_FLAGS } from '../../src/cli/audit.ts';
import { HARDEN_FLAGS, runHarden } from '../../src/cli/harden.ts';
import { EXPORTER_FLAGS } from '../../src/exporter/flags.ts';
import type { FlagSpec } from '../../src/flags/flags.ts';
import { runCli, runMain } from '../support/redoubt.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-harden-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `out${n++}`);

const harden = (args: string[]) => runMain(['harden', ...args]);

function readEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(dir, '.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('redoubt harden --out', () => {
  test('writes redis-secure.conf, users.acl and .env with their modes, and says what to do next', async () => {
    const dir = fresh();
    const r = await harden(['--out', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mode(join(dir, '.env')), 0o600);
    assert.equal(mode(join(dir, 'users.acl')), 0o600);
    assert.equal(mode(join(dir, 'redis-secure.conf')), 0o640);
    assert.deepEqual(readdirSync(dir).sort(), ['.env', 'redis-secure.conf', 'users.acl'], 'no temporary files left');
    const env = readEnv(dir);
    const acl = readFileSync(join(dir, 'users.acl'), 'utf8');
    for (const u of HARDENED_USERS) {
      const pw = env[`REDIS_${u.toUpperCase()}_PASSWORD`];
      assert.match(pw, /^[A-Za-z0-9]{40}$/, u);
      assert.ok(acl.includes(`#${aclPasswordHash(pw)}`), `${u}'s hash is in users.acl`);
      assert.ok(!acl.includes(pw) && !r.stdout.includes(pw) && !r.stderr.includes(pw), `${u}'s password leaked`);
    }
    const conf = readFileSync(join(dir, 'redis-secure.conf'), 'utf8');
    assert.match(conf, new RegExp(`^aclfile ${join(dir, 'users.acl')}$`, 'm'));
    assert.match(conf, /^maxmemory 256mb$/m);
    assert.match(conf, /^maxmemory-policy noeviction$/m, 'store is the default role');
    assert.match(r.stdout, new RegExp(`redis-server ${join(dir, 'redis-secure.conf')}`));
    assert.match(r.stdout, /REDIS_USER=exporter REDIS_PASSWORD="\$REDIS_EXPORTER_PASSWORD" redoubt exporter/);
  });

  test('a second run refuses without --force, names the files and the flag, and leaves them untouched', async () => {
    const dir = fresh();
    assert.equal((await harden(['--out', dir])).code, 0);
    const before = Object.fromEntries(
      ['.env', 'users.acl', 'redis-secure.conf'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
    );
    const r = await harden(['--out', dir, '--role', 'cache']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /users\.acl/);
    assert.match(r.stderr, /\.env/);
    assert.match(r.stderr, /--force/);
    for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(join(dir, f), 'utf8'), text, f);

    const forced = await harden(['--out', dir, '--role', 'cache', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(join(dir, '.env'), 'utf8'), before['.env'], 'new passwords');
    assert.match(readFileSync(join(dir, 'redis-secure.conf'), 'utf8'), /^maxmemory-policy allkeys-lru$/m);
    assert.equal(mode(join(dir, '.env')), 0o600);
  });

  test('one existing secret is enough to refuse', async () => {
    const dir = fresh();
    assert.equal((await harden(['--out', dir])).code, 0);
    rmSync(join(dir, 'users.acl'));
    rmSync(join(dir, 'redis-secure.conf'));
    const r = await harden(['--out', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${join(dir, '.env').replace(/\./g, '\\.')} exists.*--force`));
    assert.ok(!existsSync(join(dir, 'users.acl')), 'nothing written');
  });

  test('--bind is repeatable (and takes lists); loopback stays', async () => {
    const dir = fresh();
    const r = await harden(['--out', dir, '--bind', '10.0.0.5', '-bind=10.0.0.6,-fd00::7', '--maxmemory', '2GB']);
    assert.equal(r.code, 0, r.stderr);
    const conf = readFileSync(join(dir, 'redis-secure.conf'), 'utf8');
    assert.match(conf, /^bind 127\.0\.0\.1 -::1 10\.0\.0\.5 10\.0\.0\.6 -fd00::7$/m);
    assert.match(conf, /^maxmemory 2gb$/m);
  });

  for (const [args, message] of [
    [['--maxmemory', 'lots'], /--maxmemory "lots" is not a size.*512mb/],
    [['--maxmemory', '0'], /no limit/],
    [['--bind', '0.0.0.0'], /every interface/],
    [['--bind', 'redis.example'], /not an IP address/],
    [['--role', 'primary'], /--role "primary" is not a role; use cache .* or store/],
    [['--port', '70000'], /not a TCP port/],
    [['--hostname', 'redis.internal'], /goes with --tls/],
    [['--apply'], /go with --redis/],
  ] as const)
    test(`bad input exits 2 and writes nothing: ${args.join(' ')}`, async () => {
      const dir = fresh();
      const r = await harden(['--out', dir, ...args]);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.ok(!existsSync(dir));
    });

  test('--bind warns about a public address and one that is not on this host, and still writes', async () => {
    const dir = fresh();
    const r = await harden(['--out', dir, '--bind', '8.8.8.8']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: --bind 8\.8\.8\.8 is a public address/);
    assert.match(r.stderr, /warning: --bind 8\.8\.8\.8 is not an address of this host.*--bind -8\.8\.8\.8/);
    const quiet = await harden(['--out', fresh(), '--bind', '127.0.0.1']);
    assert.equal(quiet.stderr, '', 'loopback: nothing to warn about');
  });

  test('--out where a file is (like /etc/passwd): one line, exit 2, the file untouched', async () => {
    const base = fresh();
    mkdirSync(base);
    const file = join(base, 'passwd');
    writeFileSync(file, 'root:x:0:0::/root:/bin/sh\n');
    const r = await harden(['--out', file]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stderr, `redoubt harden: cannot create ${file}: ${file} exists and is not a directory\n`);
    assert.equal(readFileSync(file, 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
  });

  test('--out with a symbolic link planted where a file goes: refused with --force too, its target untouched', async () => {
    const dir = fresh();
    assert.equal((await harden(['--out', dir])).code, 0);
    const victim = join(dir, '..', `victim${n}`);
    writeFileSync(victim, 'precious');
    rmSync(join(dir, 'users.acl'));
    symlinkSync(victim, join(dir, 'users.acl'));
    const r = await harden(['--out', dir, '--force']);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /users\.acl is a symbolic link; redoubt never writes through one/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
  });

  test('--out /proc/foo (where a recursive mkdir spins): the built CLI exits 2 promptly', async () => {
    const r = await runCli(['harden', '--out', '/proc/redoubt-test/out'], { timeoutMs: 60000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^redoubt harden: cannot create the directory \/proc\/redoubt-test/);
  });

  test('neither --out nor --redis: exit 2 with what to pass', async () => {
    const r = await harden([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pass --out DIR .* or --redis URL/);
  });

  test('--help lists the flags', async () => {
    const r = await harden(['--help']);
    assert.equal(r.code, 0);
    for (const f of ['out', 'role', 'tls', 'bind', 'maxmemory', 'force', 'redis', 'apply', 'yes'])
      assert.match(r.stdout, new RegExp(`--${f}\\b`));
    assert.match(r.stdout, /^ {2}--redis\.password-file <string>\n.*\[env REDIS_PASSWORD_FILE\]$/m);
  });

  test("--redis.password-file is the exporter's flag: same name, variable and wording, in harden and audit", () => {
    const spec = (flags: FlagSpec[]) => flags.find((f) => f.name === 'redis.password-file');
    const exporter = spec(EXPORTER_FLAGS);
    assert.deepEqual(exporter?.env, ['REDIS_PASSWORD_FILE']);
    assert.deepEqual(spec(HARDEN_FLAGS), exporter);
    assert.deepEqual(spec(AUDIT_FLAGS), exporter);
  });

  test('passwords can be injected, so the output is reproducible', async () => {
    const dir = fresh();
    const passwords = Object.fromEntries(
      HARDENED_USERS.map((u) => [u, `${u}-fixed-password-0123456789abcdef`]),
    ) as HardenPasswords;
    const stdout = new PassThrough();
    stdout.resume();
    const code = await runHarden(
      ['--out', dir],
      { stdout, stderr: stdout, env: {}, stopSignal: new Promise(() => {}) },
      {
        passwords,
      },
    );
    assert.equal(code, 0);
    assert.equal(readEnv(dir).REDIS_APP_PASSWORD, passwords.app);
  });
});

describe('redoubt harden --out --tls', () => {
  test('a CA, a server certificate for the bind addresses and hostnames, and a client certificate', async () => {
    const dir = fresh();
    const r = await harden([
      '--out',
      dir,
      '--tls',
      '--bind',
      '10.0.0.5',
      '--hostname',
      'redis.internal',
      '--port',
      '6380',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const tls = join(dir, 'tls');
    for (const key of ['ca.key', 'server.key', 'client.key']) assert.equal(mode(join(tls, key)), 0o600, key);
    for (const crt of ['ca.crt', 'server.crt', 'client.crt']) assert.equal(mode(join(tls, crt)), 0o644, crt);
    const ca = new X509Certificate(readFileSync(join(tls, 'ca.crt')));
    const server = new X509Certificate(readFileSync(join(tls, 'server.crt')));
    const client = new X509Certificate(readFileSync(join(tls, 'client.crt')));
    assert.ok(ca.ca);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.ok(client.checkIssued(ca) && client.verify(ca.publicKey));
    for (const name of ['DNS:localhost', 'DNS:redis.internal', 'IP Address:127.0.0.1', 'IP Address:10.0.0.5'])
      assert.ok(server.subjectAltName?.includes(name), `${name} in ${server.subjectAltName}`);
    assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(
      server.checkPrivateKey(
        await import('node:crypto').then((c) => c.createPrivateKey(readFileSync(join(tls, 'server.key')))),
      ),
    );
    const conf = readFileSync(join(dir, 'redis-secure.conf'), 'utf8');
    assert.match(conf, /^port 0$/m);
    assert.match(conf, /^tls-port 6380$/m);
    assert.match(conf, new RegExp(`^tls-cert-file ${join(tls, 'server.crt')}$`, 'm'));
    assert.match(r.stdout, /--tls-client-cert-file/);

    const again = await harden(['--out', dir, '--tls']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /tls\/server\.key/);
    assert.match(again.stderr, /new passwords and keys/);
  });
});
