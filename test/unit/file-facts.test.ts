import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { AclParseError, aclPasswordHash } from '../../src/redis/acl-rules.ts';
import type { AclUser } from '../../src/redis/acl-user.ts';
import { RedisConfParseError } from '../../src/redis/redis-conf.ts';
import type { Facts } from '../../src/security/facts.ts';
import { configValueOrDefault, factsFromFiles, REDIS_7_DEFAULTS } from '../../src/security/file-facts.ts';

const DIR = 'test/fixtures/security';
const fixture = (name: string) => resolve(DIR, name);
const facts = (conf: string, acl?: string) =>
  factsFromFiles({ confPath: fixture(conf), aclPath: acl ? fixture(acl) : undefined });
const user = (f: Facts, name: string): AclUser => {
  const u = f.users?.find((x) => x.name === name);
  assert.ok(u, `no user ${name}`);
  return u;
};
const value = (f: Facts, name: string) => f.config?.values[name];

const tmp = mkdtempSync(join(tmpdir(), 'redoubt-filefacts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
function tmpFile(name: string, text: string, mode = 0o600): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

describe('the hardened fixture', () => {
  const f = facts('hardened.conf', 'hardened.acl');

  test('what a file can show', () => {
    assert.equal(f.live, false);
    assert.equal(f.target, fixture('hardened.conf'));
    assert.deepEqual(f.files, [fixture('hardened.conf'), fixture('hardened.acl')]);
    assert.deepEqual(f.config?.warnings, []);
    assert.equal(value(f, 'bind'), '127.0.0.1 -::1 10.0.0.5');
    assert.equal(value(f, 'port'), '0');
    assert.equal(value(f, 'tls-port'), '6379');
    assert.equal(value(f, 'maxmemory'), '2147483648');
    assert.equal(value(f, 'tls-protocols'), 'TLSv1.2 TLSv1.3');
    assert.deepEqual(f.config?.locations.bind, { file: fixture('hardened.conf'), line: 7 });
    assert.deepEqual(f.config?.renamedCommands, {});
    assert.ok(f.config?.directives.some((d) => d.name === 'aclfile'));
  });

  test('users from the explicit aclfile', () => {
    assert.deepEqual(
      f.users?.map((u) => [u.name, u.enabled, u.origin]),
      [
        ['default', false, 'aclfile'],
        ['admin', true, 'aclfile'],
        ['app', true, 'aclfile'],
        ['replica', true, 'aclfile'],
        ['auditor', true, 'aclfile'],
      ],
    );
    assert.equal(user(f, 'app').plaintextPasswords[0].length, 64);
    assert.deepEqual(user(f, 'app').passwordHashes, [aclPasswordHash(user(f, 'app').plaintextPasswords[0])]);
    assert.deepEqual(user(f, 'app').location, { file: fixture('hardened.acl'), line: 3 });
  });

  test('file modes, and what files cannot show', () => {
    assert.deepEqual(
      f.local?.files.map((x) => [x.path, x.role]),
      [
        [fixture('hardened.conf'), 'config'],
        [fixture('hardened.acl'), 'aclfile'],
      ],
    );
    assert.equal(typeof f.local?.files[0].mode, 'number');
    for (const k of ['unauth', 'aclLog', 'info', 'commands', 'keys'] as const) assert.ok(f.unobserved[k], k);
    assert.equal(f.unobserved.users, undefined);
    assert.equal(f.unobserved.config, undefined);
  });

  test("without --acl-file the config's aclfile is not on this host", () => {
    const g = facts('hardened.conf');
    assert.equal(g.users, undefined);
    assert.match(g.unobserved.users ?? '', /\/etc\/redis\/users\.acl .*cannot be read here.*--acl-file/);
  });
});

describe('one fixture per misconfiguration', () => {
  test('no-auth-bind-all: the built-in default user, bind on every interface', () => {
    const f = facts('no-auth-bind-all.conf');
    assert.deepEqual(f.users, [
      {
        name: 'default',
        enabled: true,
        nopass: true,
        passwordHashes: [],
        plaintextPasswords: [],
        keyPatterns: ['~*'],
        channelPatterns: ['*'],
        commandRules: ['+@all'],
        origin: 'builtin',
      },
    ]);
    assert.equal(value(f, 'bind'), '* -::*');
  });

  test('weak-requirepass: the default user gets the password', () => {
    const d = user(facts('weak-requirepass.conf'), 'default');
    assert.equal(d.origin, 'requirepass');
    assert.deepEqual(d.plaintextPasswords, ['foobared']);
    assert.equal(d.nopass, false);
    assert.deepEqual(d.commandRules, ['+@all']);
  });

  test('nopass-user and password-equals-username: users from user lines, passwords redacted in directives', () => {
    const f = facts('nopass-user.conf');
    assert.equal(user(f, 'default').enabled, false);
    assert.equal(user(f, 'cache').nopass, true);
    assert.equal(user(f, 'cache').origin, 'config');
    assert.ok(user(f, 'cache').location?.line);
    const g = facts('password-equals-username.conf');
    assert.deepEqual(user(g, 'alice').plaintextPasswords, ['alice']);
    const line = g.config?.directives.find((d) => d.name === 'user' && d.args[0] === 'alice');
    assert.deepEqual(line?.args.slice(0, 3), ['alice', 'on', '>***']);
    assert.ok(!JSON.stringify(g.config?.directives).includes('>alice'));
  });

  test('settings', () => {
    assert.equal(value(facts('debug-module-commands-enabled.conf'), 'enable-debug-command'), 'yes');
    assert.equal(value(facts('debug-module-commands-enabled.conf'), 'enable-module-command'), 'yes');
    assert.equal(value(facts('protected-configs-enabled.conf'), 'enable-protected-configs'), 'yes');
    assert.equal(value(facts('protected-mode-off.conf'), 'protected-mode'), 'no');
    const d = facts('dangerous-dir.conf');
    assert.equal(value(d, 'dir'), '/root/.ssh');
    assert.equal(value(d, 'dbfilename'), 'authorized_keys');
    assert.equal(d.config?.locations.dir?.file, fixture('dangerous-dir.conf'));
    const r = facts('replica-writable.conf');
    assert.equal(value(r, 'replica-read-only'), 'no');
    assert.equal(value(r, 'replicaof'), '10.0.0.6 6379');
    assert.equal(value(facts('unixsocket-world-writable.conf'), 'unixsocketperm'), '777');
    assert.equal(
      value(facts('pubsub-buffer-unlimited.conf'), 'client-output-buffer-limit'),
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 0 0 0',
    );
    assert.deepEqual(facts('config-renamed.conf').config?.renamedCommands, { config: '' });
  });

  test('requirepass-ignored-by-aclfile: the relative aclfile is read, the default user is nopass, and a warning says why', () => {
    const f = facts('requirepass-ignored-by-aclfile.conf');
    assert.deepEqual(f.files, [fixture('requirepass-ignored-by-aclfile.conf'), fixture('users-without-default.acl')]);
    const d = user(f, 'default');
    assert.equal(d.nopass, true);
    assert.equal(d.origin, 'builtin');
    assert.equal(user(f, 'admin').origin, 'aclfile');
    assert.equal(f.config?.warnings?.length, 1);
    assert.match(f.config?.warnings?.[0].message ?? '', /requirepass is ignored/);
    assert.equal(f.config?.warnings?.[0].location.line, f.config?.locations.requirepass?.line);
  });

  test('an aclfile with a comment cannot be loaded', () => {
    assert.throws(
      () => factsFromFiles({ aclPath: fixture('comment-in-aclfile.acl') }),
      (e: unknown) => e instanceof AclParseError && e.line === 1 && e.file === fixture('comment-in-aclfile.acl'),
    );
  });

  test('the README lists every fixture', () => {
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const f of readdirSync(DIR).filter((n) => n !== 'README.md')) assert.ok(readme.includes(`\`${f}\``), f);
  });
});

describe('sources of users', () => {
  test('an aclfile alone', () => {
    const f = factsFromFiles({ aclPath: fixture('hardened.acl') });
    assert.equal(f.config, undefined);
    assert.match(f.unobserved.config ?? '', /no redis\.conf/);
    assert.equal(f.users?.length, 5);
    assert.deepEqual(
      f.local?.files.map((x) => x.role),
      ['aclfile'],
    );
  });

  test('the mode and owner of each file', () => {
    const conf = tmpFile('modes.conf', 'port 7000\n', 0o640);
    const f = factsFromFiles({ confPath: conf });
    assert.equal(f.local?.files[0].mode, 0o640);
    assert.equal(f.local?.files[0].uid, process.getuid?.());
  });

  test('user lines and an aclfile together: Redis refuses to start (a warning); the aclfile wins', () => {
    const acl = tmpFile('both.acl', 'user default off\n');
    const conf = tmpFile('both.conf', `aclfile ${acl}\nuser bob on nopass\n`);
    const f = factsFromFiles({ confPath: conf });
    assert.match(f.config?.warnings?.[0].message ?? '', /both by `user` lines and by an aclfile/);
    assert.deepEqual(
      f.users?.map((u) => u.name),
      ['default'],
    );
  });

  test('a bad user line is a RedisConfParseError at its line', () => {
    const conf = tmpFile('baduser.conf', 'port 1\n\nuser bob on >secret123 ~* ~x\n');
    assert.throws(
      () => factsFromFiles({ confPath: conf }),
      (e: unknown) =>
        e instanceof RedisConfParseError && e.line === 3 && e.file === conf && !e.message.includes('secret123'),
    );
  });

  test('acl-pubsub-default allchannels gives new users every channel', () => {
    const conf = tmpFile('pubsub.conf', 'acl-pubsub-default allchannels\nuser bob on nopass +@all\n');
    const f = factsFromFiles({ confPath: conf });
    assert.deepEqual(user(f, 'bob').channelPatterns, ['*']);
  });

  test('a config parse error propagates', () => {
    const conf = tmpFile('quotes.conf', 'requirepass "abc\n');
    assert.throws(() => factsFromFiles({ confPath: conf }), RedisConfParseError);
  });

  test('nothing to read', () => {
    assert.throws(() => factsFromFiles({}), /needs a redis\.conf path/);
  });
});

describe('REDIS_7_DEFAULTS', () => {
  test('the settings the checks read', () => {
    for (const [k, v] of Object.entries({
      bind: '* -::*',
      'protected-mode': 'yes',
      port: '6379',
      'tls-port': '0',
      maxmemory: '0',
      'maxmemory-policy': 'noeviction',
      timeout: '0',
      maxclients: '10000',
      'enable-debug-command': 'no',
      'enable-module-command': 'no',
      'enable-protected-configs': 'no',
      'replica-read-only': 'yes',
      'slowlog-log-slower-than': '10000',
      'latency-monitor-threshold': '0',
      'busy-reply-threshold': '5000',
      'proto-max-bulk-len': '536870912',
      'client-query-buffer-limit': '1073741824',
      appendonly: 'no',
      save: '3600 1 300 100 60 10000',
      unixsocketperm: '0',
      logfile: '',
      'acllog-max-len': '128',
      supervised: 'no',
      requirepass: '',
      'acl-pubsub-default': 'resetchannels',
    }))
      assert.equal(REDIS_7_DEFAULTS[k], v, k);
    assert.equal(REDIS_7_DEFAULTS.dir, undefined);
    assert.equal(REDIS_7_DEFAULTS['slave-read-only'], undefined);
  });

  test('configValueOrDefault', () => {
    const f = facts('hardened.conf', 'hardened.acl');
    assert.equal(configValueOrDefault(f.config, 'maxclients'), '1000');
    assert.equal(configValueOrDefault(f.config, 'hz'), '10');
    assert.equal(configValueOrDefault(undefined, 'bind'), '* -::*');
    assert.equal(configValueOrDefault(f.config, 'no-such-setting'), undefined);
  });
});
