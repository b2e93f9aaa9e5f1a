import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  aclPasswordHash,
  generatePassword,
  generatePasswords,
  HARDENED_USERS,
  type HardenPasswords,
  mergeEnv,
  renderEnv,
  renderUsersAcl,
  USER_SPECS,
} from '../../src/catalog/acl-users.ts';
import { confArg, hardenedDirectives, renderRedisConf, type SecureConfOptions } from '../../src/catalog/secure-conf.ts';
import { checkBindAddress, checkHostname, checkMaxmemory } from '../../src/harden/sizes.ts';
import { parseMemorySize } from '../../src/redis/memory-size.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/golden/harden');

/** Compares text with test/fixtures/golden/harden/NAME; REDOUBT_UPDATE_GOLDEN=1 rewrites the file instead. */
function assertGoldenText(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.REDOUBT_UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) assert.fail(`${path} is missing; run the test with REDOUBT_UPDATE_GOLDEN=1 to create it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file`);
}

const PASSWORDS: HardenPasswords = {
  admin: 'AdminAdminAdminAdminAdminAdminAdminAdmin',
  app: 'AppAppAppAppAppAppAppAppAppAppAppAppAppA',
  exporter: 'ExporterExporterExporterExporterExporter',
  backup: 'BackupBackupBackupBackupBackupBackupBack',
  auditor: 'AuditorAuditorAuditorAuditorAuditorAudi',
};

const BASE: SecureConfOptions = {
  role: 'store',
  bind: ['127.0.0.1', '-::1'],
  port: 6379,
  maxmemory: '256mb',
  aclFile: '/etc/redis/hardened/users.acl',
};
const TLS = {
  certFile: '/etc/redis/hardened/tls/server.crt',
  keyFile: '/etc/redis/hardened/tls/server.key',
  caFile: '/etc/redis/hardened/tls/ca.crt',
};

describe('golden: harden renderers', () => {
  test('redis-secure.conf, role store', () => assertGoldenText('redis-secure-store.conf', renderRedisConf(BASE)));
  test('redis-secure.conf, role cache with a private address and 2gb', () =>
    assertGoldenText(
      'redis-secure-cache.conf',
      renderRedisConf({ ...BASE, role: 'cache', bind: [...BASE.bind, '10.0.0.5'], maxmemory: '2gb' }),
    ));
  test('redis-secure.conf, TLS on port 6380', () =>
    assertGoldenText('redis-secure-tls.conf', renderRedisConf({ ...BASE, port: 6380, tls: TLS })));
  test('users.acl', () => assertGoldenText('users.acl', renderUsersAcl(PASSWORDS)));
  test('.env', () => assertGoldenText('env', renderEnv(PASSWORDS)));
});

describe('redis-secure.conf', () => {
  const conf = renderRedisConf(BASE);
  const directive = (text: string, name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `))
      .map((l) => l.slice(name.length + 1));

  test('the settings the seed asks for, and the ones an audit checks', () => {
    assert.deepEqual(directive(conf, 'bind'), ['127.0.0.1 -::1']);
    assert.deepEqual(directive(conf, 'protected-mode'), ['yes']);
    assert.deepEqual(directive(conf, 'port'), ['6379']);
    assert.deepEqual(directive(conf, 'maxmemory'), ['256mb']);
    assert.deepEqual(directive(conf, 'aclfile'), ['/etc/redis/hardened/users.acl']);
    for (const name of ['enable-debug-command', 'enable-module-command', 'enable-protected-configs'])
      assert.deepEqual(directive(conf, name), ['no'], name);
    assert.deepEqual(directive(conf, 'timeout'), ['300']);
    assert.deepEqual(directive(conf, 'replica-read-only'), ['yes']);
    assert.equal(directive(conf, 'client-output-buffer-limit').length, 3);
    assert.ok(
      directive(conf, 'client-output-buffer-limit').every((l) => !/ 0 0 0$/.test(l)),
      'every class is bounded',
    );
    assert.deepEqual(directive(conf, 'requirepass'), [], 'passwords live in users.acl');
    assert.deepEqual(directive(conf, 'rename-command'), [], 'ACLs replace rename-command');
    assert.deepEqual(directive(conf, 'user'), [], 'aclfile and user lines are mutually exclusive');
  });

  test('persistence fits the role', () => {
    assert.deepEqual(directive(conf, 'maxmemory-policy'), ['noeviction']);
    assert.deepEqual(directive(conf, 'appendonly'), ['yes']);
    assert.deepEqual(directive(conf, 'appendfsync'), ['everysec']);
    assert.deepEqual(directive(conf, 'save'), ['3600 1 300 100 60 10000']);
    const cache = renderRedisConf({ ...BASE, role: 'cache' });
    assert.deepEqual(directive(cache, 'maxmemory-policy'), ['allkeys-lru']);
    assert.deepEqual(directive(cache, 'appendonly'), ['no']);
    assert.deepEqual(directive(cache, 'save'), ['""']);
  });

  test('TLS: no plaintext port, mutual TLS, TLS 1.2+ and encrypted replication', () => {
    const tls = renderRedisConf({ ...BASE, port: 6380, tls: TLS });
    assert.deepEqual(directive(tls, 'port'), ['0']);
    assert.deepEqual(directive(tls, 'tls-port'), ['6380']);
    assert.deepEqual(directive(tls, 'tls-auth-clients'), ['yes']);
    assert.deepEqual(directive(tls, 'tls-protocols'), ['"TLSv1.2 TLSv1.3"']);
    assert.deepEqual(directive(tls, 'tls-replication'), ['yes']);
    assert.deepEqual(directive(tls, 'tls-ca-cert-file'), [TLS.caFile]);
  });

  test('every directive but the TLS file paths explains itself, in comments of at most 100 columns', () => {
    const lines = renderRedisConf({ ...BASE, tls: TLS }).split('\n');
    for (const l of lines) if (l.startsWith('#')) assert.ok(l.length <= 100, l);
    const unexplained = hardenedDirectives({ ...BASE, tls: TLS }).filter((d, i, all) => {
      // A directive is explained by its own comment or by the one above a group of related directives.
      return !d.why && (i === 0 || all[i - 1].section !== d.section);
    });
    assert.deepEqual(unexplained, []);
  });

  test('paths with spaces are quoted for redis.conf', () => {
    assert.equal(confArg('/srv/my redis/users.acl'), '"/srv/my redis/users.acl"');
    assert.equal(confArg(''), '""');
    assert.equal(confArg('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(confArg('/etc/redis/users.acl'), '/etc/redis/users.acl');
    const conf = renderRedisConf({ ...BASE, aclFile: '/srv/my redis/users.acl' });
    assert.match(conf, /^aclfile "\/srv\/my redis\/users\.acl"$/m);
  });
});

describe('users.acl', () => {
  const acl = renderUsersAcl(PASSWORDS);
  const line = (user: string) => acl.split('\n').find((l) => l.startsWith(`user ${user} `)) ?? '';

  test('default off; admin, app, exporter, backup, auditor on; no comments (Redis refuses them)', () => {
    assert.equal(line('default'), 'user default off resetchannels -@all');
    for (const u of HARDENED_USERS) assert.match(line(u), new RegExp(`^user ${u} on #[0-9a-f]{64} `));
    assert.ok(acl.split('\n').every((l) => l === '' || l.startsWith('user ')));
  });

  test('passwords only as SHA-256, never in plaintext', () => {
    for (const u of HARDENED_USERS) {
      assert.ok(!acl.includes(PASSWORDS[u]), `${u}'s password is in users.acl`);
      assert.ok(line(u).includes(`#${aclPasswordHash(PASSWORDS[u])}`));
    }
    assert.ok(!acl.includes('>'), 'no >password rules');
  });

  test('app: scripting and dangerous commands are removed after +@write and +@connection grant them', () => {
    const rules = USER_SPECS.app.commands;
    const at = (r: string) => rules.indexOf(r);
    assert.ok(at('-@scripting') > at('+@write'), '+@write grants FUNCTION LOAD: -@scripting must come after it');
    assert.ok(at('-@dangerous') > at('+@write') && at('-@dangerous') > at('+@connection'));
    assert.ok(at('-@admin') > at('+@connection'));
    assert.equal(rules[0], '-@all');
  });

  test('exporter and auditor get no keys and no channels; exporter nothing from @connection wholesale', () => {
    for (const u of ['exporter', 'auditor', 'backup'] as const) {
      assert.doesNotMatch(line(u), / ~| &|allkeys|allchannels/, u);
      assert.match(line(u), / resetchannels -@all /, u);
    }
    assert.ok(!USER_SPECS.exporter.commands.includes('+@connection'), '+@connection would grant CLIENT KILL');
    assert.ok(USER_SPECS.auditor.commands.includes('+acl|dryrun'));
  });
});

describe('.env and passwords', () => {
  test('.env names every user and holds its password', () => {
    const env = renderEnv(PASSWORDS);
    for (const u of HARDENED_USERS)
      assert.match(env, new RegExp(`^REDIS_${u.toUpperCase()}_PASSWORD=${PASSWORDS[u]}$`, 'm'));
  });

  test('mergeEnv sets the new passwords and keeps every other line', () => {
    const existing = '# mine\nREDIS_ADMIN_PASSWORD=old-admin\nREDIS_APP_PASSWORD=old-app\nOTHER=1\n\n';
    assert.equal(
      mergeEnv(existing, { app: 'new-app', exporter: 'new-exporter' }),
      '# mine\nREDIS_ADMIN_PASSWORD=old-admin\nOTHER=1\nREDIS_APP_PASSWORD=new-app\nREDIS_EXPORTER_PASSWORD=new-exporter\n',
    );
  });

  test('generated passwords: 40 letters and digits, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      assert.match(p, /^[A-Za-z0-9]{40}$/);
      seen.add(p);
    }
    assert.equal(seen.size, 200);
    const all = generatePasswords();
    assert.deepEqual(Object.keys(all), [...HARDENED_USERS]);
    assert.equal(new Set(Object.values(all)).size, HARDENED_USERS.length);
  });

  test('every character of the alphabet is about equally likely', () => {
    const counts = new Map<string, number>();
    const text = Array.from({ length: 500 }, () => generatePassword()).join('');
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    assert.equal(counts.size, 62);
    const expected = text.length / 62;
    for (const [ch, n] of counts) assert.ok(n > expected * 0.6 && n < expected * 1.4, `${ch}: ${n} vs ${expected}`);
  });
});

describe('input checks', () => {
  test('sizes in redis.conf units', () => {
    assert.equal(parseMemorySize('512mb'), 512 * 1024 * 1024);
    assert.equal(parseMemorySize('2GB'), 2 * 1024 ** 3);
    assert.equal(parseMemorySize('1k'), 1000);
    assert.equal(parseMemorySize('1kb'), 1024);
    assert.equal(parseMemorySize('1048576'), 1048576);
    assert.equal(parseMemorySize('1.5gb'), undefined);
    assert.equal(parseMemorySize('512MiB'), undefined);
    assert.equal(checkMaxmemory('2GB'), '2gb');
    assert.throws(() => checkMaxmemory('lots'), /not a size.*512mb/);
    assert.throws(() => checkMaxmemory('0'), /no limit/);
    assert.throws(() => checkMaxmemory('100kb'), /below 1mb/);
  });

  test('bind addresses: IPs, optional with -, never every interface', () => {
    assert.equal(checkBindAddress('10.0.0.5'), '10.0.0.5');
    assert.equal(checkBindAddress('-fd00::5'), '-fd00::5');
    for (const all of ['0.0.0.0', '*', '::', '-::*'])
      assert.throws(() => checkBindAddress(all), /every interface.*--bind 10\.0\.0\.5/);
    assert.throws(() => checkBindAddress('redis.internal'), /not an IP address/);
    assert.throws(() => checkBindAddress('10.0.0.256'), /not an IP address/);
  });

  test('hostnames for the certificate', () => {
    assert.equal(checkHostname('Redis.Internal'), 'redis.internal');
    assert.equal(checkHostname('10.1.2.3'), '10.1.2.3');
    assert.throws(() => checkHostname('bad_name!'), /not a DNS name/);
    assert.throws(() => checkHostname('-lead.example'), /not a DNS name/);
  });
});
