import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { USER_SPECS } from '../../src/catalog/acl-users.ts';
import { hardenedDirectives } from '../../src/catalog/secure-conf.ts';
import { describeUser, liveAclUser, sameRights } from '../../src/harden/acl-diff.ts';
import {
  type LiveState,
  type LiveWishes,
  parseOutputBufferLimits,
  planHardening,
  planSize,
  renderPlan,
} from '../../src/harden/plan.ts';
import { mergeSelectorArgs, parseAclListLine as parseUser } from '../../src/redis/acl-rules.ts';
import { allowedCommands, buildCommandTable } from '../../src/security/acl-eval.ts';

/** An `ACL LIST` line as harden reads it. */
const parseAclListLine = (line: string) => liveAclUser(parseUser(line));
/** A password hash as ACL LIST prints it. */
const HASH = '0'.repeat(64);

/** A small `COMMAND` reply in Redis 7's shape: name, arity, flags, keys, ACL categories (6), tips, specs, subs (9). */
function cmd(name: string, cats: string[], subs: unknown[] = []): unknown[] {
  return [name, -1, [], 0, 0, 0, cats.map((c) => `@${c}`), [], [], subs];
}
const COMMAND_REPLY = [
  cmd('get', ['read', 'string', 'fast']),
  cmd('set', ['write', 'string', 'slow']),
  cmd('hset', ['write', 'hash', 'fast']),
  cmd('expire', ['keyspace', 'write', 'fast']),
  cmd('pfadd', ['write', 'hyperloglog', 'fast']),
  cmd('flushall', ['keyspace', 'write', 'slow', 'dangerous']),
  cmd('keys', ['keyspace', 'read', 'slow', 'dangerous']),
  cmd('eval', ['slow', 'scripting']),
  cmd('multi', ['fast', 'transaction']),
  cmd('publish', ['pubsub', 'fast']),
  cmd('ping', ['fast', 'connection']),
  cmd('hello', ['fast', 'connection']),
  cmd('info', ['slow', 'dangerous']),
  cmd('psync', ['admin', 'slow', 'dangerous']),
  cmd('sync', ['admin', 'slow', 'dangerous']),
  cmd('replconf', ['admin', 'slow', 'dangerous']),
  cmd('replicaof', ['admin', 'slow', 'dangerous']),
  cmd(
    'function',
    ['slow'],
    [cmd('function|load', ['write', 'slow', 'scripting']), cmd('function|list', ['slow', 'scripting'])],
  ),
  cmd(
    'config',
    ['slow'],
    [cmd('config|get', ['admin', 'slow', 'dangerous']), cmd('config|set', ['admin', 'slow', 'dangerous'])],
  ),
  cmd(
    'client',
    ['slow'],
    [
      cmd('client|setname', ['slow', 'connection']),
      cmd('client|kill', ['admin', 'slow', 'dangerous', 'connection']),
      cmd('client|list', ['admin', 'slow', 'dangerous', 'connection']),
    ],
  ),
  cmd(
    'slowlog',
    ['slow'],
    [
      cmd('slowlog|get', ['admin', 'slow', 'dangerous']),
      cmd('slowlog|len', ['admin', 'slow', 'dangerous']),
      cmd('slowlog|reset', ['admin', 'slow', 'dangerous']),
    ],
  ),
  cmd(
    'latency',
    ['slow'],
    [
      cmd('latency|latest', ['admin', 'slow', 'dangerous']),
      cmd('latency|histogram', ['admin', 'slow', 'dangerous']),
      cmd('latency|reset', ['admin', 'slow', 'dangerous']),
    ],
  ),
  cmd('command', ['slow', 'connection'], [cmd('command|info', ['slow', 'connection'])]),
  cmd('cluster', ['slow'], [cmd('cluster|info', ['slow'])]),
];
const TABLE = buildCommandTable(COMMAND_REPLY, undefined, undefined, '7.0.15');

const allowed = (rules: string[]) => [...(allowedCommands(rules, TABLE) ?? ['<undefined>'])].sort();

describe('ACL rules evaluated against the command table', () => {
  test('splits rules, keeping selectors together', () => {
    assert.deepEqual(mergeSelectorArgs('user a on #ab ~x (~y +get) +set'.split(' ')), [
      'user',
      'a',
      'on',
      '#ab',
      '~x',
      '(~y +get)',
      '+set',
    ]);
  });

  test('parses ACL LIST lines without keeping any password', () => {
    const u = parseAclListLine(
      `user app on sanitize-payload #${'a'.repeat(64)} #${'b'.repeat(64)} ~app:* %R~ro:* &* -@all +get`,
    );
    assert.ok(u);
    assert.deepEqual(
      { ...u, flags: u.flags },
      {
        name: 'app',
        enabled: true,
        nopass: false,
        passwordCount: 2,
        keys: ['~app:*', '%R~ro:*'],
        channels: ['&*'],
        commands: ['-@all', '+get'],
        selectors: [],
        flags: ['sanitize-payload'],
      },
    );
    assert.doesNotMatch(describeUser(u), /aaaa|bbbb/);
    assert.match(describeUser(u), /<2 passwords>/);
    const d = parseAclListLine('user default on nopass ~* &* +@all');
    assert.equal(describeUser(d!), 'on nopass ~* &* +@all');
  });

  test('the app user: reads and writes, no FLUSHALL, KEYS, EVAL, FUNCTION LOAD, CONFIG, CLIENT KILL, INFO', () => {
    const a = allowed(USER_SPECS.app.commands);
    for (const ok of ['get', 'set', 'hset', 'expire', 'multi', 'publish', 'ping', 'client|setname', 'pfadd'])
      assert.ok(a.includes(ok), ok);
    for (const no of ['flushall', 'keys', 'eval', 'function|load', 'config|get', 'client|kill', 'client|list', 'info'])
      assert.ok(!a.includes(no), no);
  });

  test('rule order: -@scripting before +@write leaves FUNCTION LOAD allowed', () => {
    assert.ok(allowed(['-@all', '+@read', '-@scripting', '+@write']).includes('function|load'));
    assert.ok(!allowed(['-@all', '+@read', '+@write', '-@scripting']).includes('function|load'));
  });

  test('a whole command brings its subcommands; a subcommand only itself', () => {
    assert.deepEqual(allowed(['-@all', '+config']), ['config', 'config|get', 'config|set']);
    assert.deepEqual(allowed(['-@all', '+config|get']), ['config|get']);
    assert.deepEqual(
      allowed(['+@all', '-config', '+config|get']).filter((c) => c.startsWith('config')),
      ['config|get'],
    );
  });

  test('the exporter user: a default scrape and nothing else', () => {
    assert.deepEqual(allowed(USER_SPECS.exporter.commands), [
      'client|setname',
      'cluster|info',
      'command|info',
      'config|get',
      'hello',
      'info',
      'latency|histogram',
      'latency|latest',
      'ping',
      'slowlog|get',
      'slowlog|len',
    ]);
  });

  test('rules that cannot be evaluated here make the comparison fail safe', () => {
    assert.equal(allowedCommands(['-@all', '+select|0'], TABLE), undefined);
    assert.equal(allowedCommands(['-@all', '+nosuchcommand'], TABLE), undefined);
  });

  test('same rights however Redis spelled them', () => {
    // What Redis 7.0 answers in ACL LIST for the rules given to ACL SETUSER.
    const normalized = parseAclListLine(
      `user app on #${HASH} ~* &* -@all +@string +@hash +@keyspace +@transaction +@pubsub +@hyperloglog +@connection -flushall -keys -client|kill -client|list -eval`,
    )!;
    const desired = { enabled: true, keys: ['~*'], channels: ['&*'], commands: USER_SPECS.app.commands };
    assert.ok(sameRights(normalized, desired, TABLE));
    assert.ok(!sameRights({ ...normalized, commands: [...normalized.commands, '+flushall'] }, desired, TABLE));
    assert.ok(!sameRights({ ...normalized, keys: ['~app:*'] }, desired, TABLE));
    assert.ok(!sameRights({ ...normalized, enabled: false }, desired, TABLE));
    assert.ok(!sameRights({ ...normalized, selectors: ['(~x +get)'] }, desired, TABLE));
  });
});

const CONFIG_WEAK: Record<string, string> = {
  'protected-mode': 'no',
  timeout: '0',
  'tcp-keepalive': '300',
  'acllog-max-len': '128',
  maxmemory: '0',
  'maxmemory-policy': 'noeviction',
  'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  'busy-reply-threshold': '5000',
  save: '3600 1 300 100 60 10000',
  appendonly: 'no',
  appendfsync: 'everysec',
  'replica-read-only': 'no',
  loglevel: 'notice',
  'slowlog-log-slower-than': '10000',
  'slowlog-max-len': '128',
  'latency-monitor-threshold': '0',
  bind: '* -::*',
  port: '6379',
  'tls-port': '0',
  'enable-debug-command': 'no',
  'enable-module-command': 'local',
  'enable-protected-configs': 'no',
  aclfile: '',
  logfile: '',
};

function state(over: Partial<LiveState> = {}): LiveState {
  return {
    version: '7.0.15',
    configFile: '/etc/redis/redis.conf',
    config: { ...CONFIG_WEAK },
    users: [parseAclListLine('user default on nopass ~* &* +@all')!],
    aclRules: { default: ['on', 'nopass', '~*', '&*', '+@all'] },
    whoami: 'default',
    commands: TABLE,
    usedMemory: 1_000_000,
    ...over,
  };
}

function wishes(explicit: Partial<LiveWishes['explicit']> = {}, role: 'cache' | 'store' = 'store'): LiveWishes {
  return {
    directives: hardenedDirectives({
      role,
      bind: ['127.0.0.1', '-::1'],
      port: 6379,
      maxmemory: '256mb',
      aclFile: '/etc/redis/users.acl',
    }),
    explicit: { maxmemory: false, role: false, bind: false, tls: false, ...explicit },
  };
}

describe('planHardening', () => {
  test('a weak server: runtime settings, every user, and what needs a restart', () => {
    const plan = planHardening(state(), wishes());
    assert.deepEqual(
      plan.config.map((c) => [c.name, c.current, c.hardened]),
      [
        ['protected-mode', 'no', 'yes'],
        ['timeout', '0', '300'],
        ['acllog-max-len', '128', '256'],
        ['replica-read-only', 'no', 'yes'],
        ['slowlog-max-len', '128', '256'],
        ['latency-monitor-threshold', '0', '100'],
        [
          'client-output-buffer-limit',
          'normal 0 0 0 replica 268435456 67108864 60',
          'normal 256mb 64mb 60 replica 512mb 128mb 60',
        ],
      ],
    );
    assert.deepEqual(
      plan.users.map((u) => [u.name, u.newPassword]),
      [
        ['admin', true],
        ['app', true],
        ['exporter', true],
        ['backup', true],
        ['auditor', true],
        ['default', false],
      ],
    );
    assert.deepEqual(plan.users.at(-1)?.args, [
      'resetpass',
      'resetkeys',
      'resetchannels',
      'clearselectors',
      'nocommands',
      'off',
      'resetchannels',
      '-@all',
    ]);
    assert.deepEqual(plan.users.at(-1)?.restore, [
      'resetpass',
      'resetkeys',
      'resetchannels',
      'clearselectors',
      'nocommands',
      'on',
      'nopass',
      '~*',
      '&*',
      '+@all',
    ]);
    assert.match(plan.users.at(-1)?.warning ?? '', /move them to the app user/);
    assert.deepEqual(
      plan.restart.map((r) => r.name),
      ['bind', 'enable-module-command', 'logfile'],
      'never aclfile: the users of a server without one are in redis.conf, and both at once stop Redis from starting',
    );
    assert.match(plan.notes.join('\n'), /move every "user" line out of redis\.conf/);
    assert.match(plan.notes.join('\n'), /--maxmemory SIZE/);
    assert.match(plan.notes.join('\n'), /--role cache\|store/);
  });

  test('maxmemory, policy and persistence only when asked for; a warning when memory is already above it', () => {
    const plan = planHardening(
      state({ usedMemory: 300 * 1024 * 1024 }),
      wishes({ maxmemory: true, role: true }, 'cache'),
    );
    const byName = Object.fromEntries(plan.config.map((c) => [c.name, c]));
    assert.equal(byName.maxmemory.value, '256mb');
    assert.match(byName.maxmemory.warning ?? '', /already uses 314572800 bytes.*refuse writes/);
    assert.equal(byName['maxmemory-policy'].value, 'allkeys-lru');
    assert.equal(byName.save.value, '');
    assert.equal(byName.appendonly, undefined, 'already no');
  });

  test('a hardened server needs nothing', () => {
    const config = {
      ...CONFIG_WEAK,
      'protected-mode': 'yes',
      timeout: '300',
      'acllog-max-len': '256',
      'replica-read-only': 'yes',
      'slowlog-max-len': '256',
      'latency-monitor-threshold': '100',
      maxmemory: '268435456',
      'client-output-buffer-limit':
        'normal 268435456 67108864 60 slave 536870912 134217728 60 pubsub 33554432 8388608 60',
      appendonly: 'yes',
    };
    const users = [
      'user default off sanitize-payload resetchannels -@all',
      `user admin on #${HASH} ~* &* +@all`,
      `user app on #${HASH} ~* &* -@all +@string +@hash +@keyspace +@transaction +@pubsub +@hyperloglog +@connection -flushall -keys -client|kill -client|list -eval`,
      `user exporter on #${HASH} resetchannels -@all +hello +slowlog|get +slowlog|len +client|setname +command|info +info +latency|histogram +latency|latest +config|get +ping +cluster|info`,
      `user backup on #${HASH} resetchannels -@all +replconf +sync +psync +info +ping`,
    ].map((l) => parseAclListLine(l)!);
    const plan = planHardening(state({ config, users, whoami: 'admin' }), wishes({ maxmemory: true, role: true }));
    assert.deepEqual(plan.config, []);
    assert.deepEqual(
      plan.users.map((u) => u.name),
      ['auditor'],
      'only the missing auditor (its rights need commands this small table lacks)',
    );
  });

  test('an existing user keeps its passwords; one without a password gets a new one', () => {
    const users = [
      parseAclListLine('user default off resetchannels -@all')!,
      parseAclListLine(`user app on #${HASH} ~* &* +@all`)!,
      parseAclListLine('user exporter on nopass +@all')!,
    ];
    const plan = planHardening(state({ users, whoami: 'admin' }), wishes());
    const app = plan.users.find((u) => u.name === 'app')!;
    assert.equal(app.newPassword, false);
    assert.deepEqual(app.args.slice(0, 3), ['resetkeys', 'resetchannels', 'clearselectors']);
    assert.ok(!app.args.some((a) => a.startsWith('>') || a === 'resetpass'));
    const exporter = plan.users.find((u) => u.name === 'exporter')!;
    assert.equal(exporter.newPassword, true);
    assert.ok(exporter.args.includes('resetpass') && exporter.args.includes('><password>'));
    assert.equal(
      plan.users.find((u) => u.name === 'default'),
      undefined,
      'default is already off',
    );
  });

  test("the connection's own user is changed only from an admin connection redoubt can open", () => {
    const withAdmin = [
      parseAclListLine('user default on nopass ~* &* +@all')!,
      parseAclListLine(`user admin on #${HASH} ~* &* +@all`)!,
    ];
    const plan = planHardening(state({ users: withAdmin }), wishes());
    assert.equal(
      plan.users.find((u) => u.name === 'default'),
      undefined,
    );
    assert.match(plan.skipped.join('\n'), /user default: this connection is that user.*connect as admin/);
    const fresh = planHardening(state(), wishes());
    assert.ok(
      fresh.users.some((u) => u.name === 'default'),
      'admin is created now, so redoubt knows its password',
    );
  });

  test('other users are named and left alone', () => {
    const users = [...state().users, parseAclListLine(`user bob on #${HASH} ~* +@all`)!];
    assert.match(planHardening(state({ users }), wishes()).notes.join('\n'), /left as they are: bob/);
  });

  test('the diff never shows a password or a hash', () => {
    const hash = 'f'.repeat(64);
    const users = [
      parseAclListLine(`user app on #${hash} ~* &* +@all`)!,
      parseAclListLine('user default on nopass ~* &* +@all')!,
    ];
    const text = renderPlan(planHardening(state({ users }), wishes()), 'redis://127.0.0.1:6379', '7.0.15');
    assert.ok(!text.includes(hash.slice(0, 16)));
    assert.match(text, /^- user app on <1 password> ~\* &\* \+@all$/m);
    assert.match(text, /^\+ user app on <passwords kept> ~\* &\* -@all \+@read/m);
    assert.match(text, /^\+ user admin on <new password, written to \.env> ~\* &\* \+@all$/m);
    assert.match(text, /^- timeout 0$/m);
    assert.match(text, /^\+ timeout 300$/m);
    assert.match(text, /^Needs a restart: edit redis\.conf/m);
    assert.match(text, /^- bind \* -::\*$/m);
    assert.match(text, /^\+ bind 127\.0\.0\.1 -::1$/m);
  });

  test('planSize counts runtime changes only', () => {
    const plan = planHardening(state(), wishes());
    assert.equal(planSize(plan), plan.config.length + plan.users.length);
  });
});

test('client-output-buffer-limit per class, in bytes, slave as replica', () => {
  assert.deepEqual(parseOutputBufferLimits('normal 0 0 0 slave 268435456 67108864 60 pubsub 32mb 8mb 60'), {
    normal: '0 0 0',
    replica: '268435456 67108864 60',
    pubsub: '33554432 8388608 60',
  });
});
