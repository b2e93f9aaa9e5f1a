import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { nonLoopbackAddress } from '../support/host-address.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RespEndpoint, respCommand } from '../support/resp.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-harden-safety-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `out${n++}`);

async function harden(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d) => {
    out += d;
  });
  const code = await main(['harden', ...args], {
    stdout: stream,
    stderr: stream,
    env,
    stopSignal: new Promise(() => {}),
  });
  return { code, out };
}

function readEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(dir, '.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

async function reply(ep: RespEndpoint, ...args: string[]): Promise<string> {
  try {
    return JSON.stringify(await respCommand(ep, ...args));
  } catch (e) {
    return (e as Error).message;
  }
}

describe('harden --redis --apply over a non-loopback address (protected mode applies to this client)', () => {
  const servers: RedisServer[] = [];
  after(async () => Promise.all(servers.map((s) => s.stop())));

  test('a default server (protected-mode no, default user without password): hardened, and still reachable as admin, before and after a restart', async () => {
    const ip = nonLoopbackAddress();
    const server = await startRedis({
      aclUsers: ['default on nopass ~* &* +@all'],
      config: [`bind 127.0.0.1 ${ip}`, 'protected-mode no'],
    });
    servers.push(server);
    const out = fresh();
    const r = await harden(['--redis', `redis://${ip}:${server.port}`, '--apply', '--yes', '--out', out]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /ok {5}log in as admin/);
    assert.match(r.out, /ok {5}log in again as admin/);
    assert.match(r.out, /ok {5}ACL SAVE/);
    assert.match(r.out, /ok {5}CONFIG REWRITE/);
    // protected-mode is the last change, after the default user has lost its nopass.
    const applied = r.out.split('\n').filter((l) => /^ {2}ok {5}(CONFIG SET|ACL SETUSER)/.test(l));
    assert.match(applied.at(-1) ?? '', /CONFIG SET protected-mode/);
    assert.match(applied.at(-2) ?? '', /ACL SETUSER default/);

    const env = readEnv(out);
    const remote = (user: string): RespEndpoint => ({
      host: ip,
      port: server.port,
      username: user,
      password: env[`REDIS_${user.toUpperCase()}_PASSWORD`],
    });
    assert.equal(await reply(remote('admin'), 'PING'), '"PONG"');
    assert.equal(await reply(remote('admin'), 'CONFIG', 'GET', 'protected-mode'), '["protected-mode","yes"]');
    await server.restart();
    assert.equal(await reply(remote('admin'), 'PING'), '"PONG"', 'the persisted state lets the admin in remotely');
    assert.equal(await reply(remote('app'), 'SET', 'k', 'v'), '"OK"');
  });
});

describe('harden --redis --apply: a failure mid-apply rolls everything back and persists nothing', () => {
  const servers: RedisServer[] = [];
  after(async () => Promise.all(servers.map((s) => s.stop())));

  /** What the server looks like: its users, the settings harden changes, and its files on disk. */
  async function snapshot(server: RedisServer) {
    const config: string[] = [];
    for (const p of ['protected-mode', 'timeout', 'acllog-max-len', 'replica-read-only', 'slowlog-max-len'])
      config.push(String(await respCommand(server.endpoint, 'CONFIG', 'GET', p)));
    return {
      users: ((await respCommand(server.endpoint, 'ACL', 'LIST')) as string[]).join('\n'),
      config: config.join('\n'),
      conf: readFileSync(join(server.dir, 'redis.conf'), 'utf8'),
      acl: readFileSync(join(server.dir, 'users.acl'), 'utf8'),
    };
  }

  // The operator's user may do everything but the one command of the step that is made to fail.
  for (const [denied, step] of [
    ['-config|set', /FAILED CONFIG SET timeout: NOPERM/],
    ['-acl|save', /FAILED ACL SAVE: NOPERM/],
  ] as const) {
    test(`${step.source.split(':')[0].replace('FAILED ', '')} refused (${denied}): undone in reverse, redis.conf and users.acl untouched`, async () => {
      const server = await startRedis({
        aclUsers: ['default on nopass ~* &* +@all', `ops on >ops-password ~* &* +@all ${denied}`],
        config: ['protected-mode no', 'timeout 0', 'replica-read-only no'],
      });
      servers.push(server);
      const before = await snapshot(server);
      const r = await harden(
        ['--redis', `redis://ops@127.0.0.1:${server.port}`, '--apply', '--yes', '--out', fresh(), '--force'],
        { REDIS_PASSWORD: 'ops-password' },
      );
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, step);
      assert.match(r.out, /Rolled back: the server is as it was/);
      assert.match(r.out, /ok {5}undo ACL SETUSER admin/);
      assert.doesNotMatch(r.out, /ok {5}CONFIG REWRITE/);
      assert.deepEqual(await snapshot(server), before);
    });
  }

  test('CONFIG REWRITE refused after ACL SAVE: undone, the old users saved back, and a restart brings back the old server', async () => {
    const server = await startRedis({
      aclUsers: ['default on nopass ~* &* +@all', 'ops on >ops-password ~* &* +@all -config|rewrite'],
      config: ['protected-mode no', 'timeout 0'],
    });
    servers.push(server);
    const before = await snapshot(server);
    const r = await harden(['--redis', `redis://ops@127.0.0.1:${server.port}`, '--apply', '--yes', '--out', fresh()], {
      REDIS_PASSWORD: 'ops-password',
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /ok {5}ACL SAVE/);
    assert.match(r.out, /FAILED CONFIG REWRITE: NOPERM/);
    assert.match(r.out, /ok {5}ACL SAVE \(the users as they were\)/);
    const now = await snapshot(server);
    assert.equal(now.users, before.users);
    assert.equal(now.config, before.config);
    assert.equal(now.conf, before.conf);
    await server.restart();
    const restarted = await snapshot(server);
    assert.equal(restarted.users, before.users, 'users.acl holds the old users');
    assert.equal(restarted.config, before.config);
  });
});

describe('harden --redis --apply on a server without an aclfile: the restart advice works', () => {
  let server: RedisServer | undefined;
  after(async () => server?.stop());

  test('users go to redis.conf; applying every "Needs a restart" line and restarting: Redis starts and admin logs in', async () => {
    server = await startRedis({ config: ['protected-mode no', 'enable-debug-command yes'] });
    const out = fresh();
    const r = await harden(['--redis', server.url, '--apply', '--yes', '--out', out]);
    assert.equal(r.code, 0, r.out);
    const conf = join(server.dir, 'redis.conf');
    assert.match(readFileSync(conf, 'utf8'), /^user admin on /m, 'CONFIG REWRITE wrote the users into redis.conf');

    const advice = r.out.split('Needs a restart')[1]?.split('\n\n')[0] ?? '';
    const wanted = [...advice.matchAll(/^\+ (\S+) (.*)$/gm)].map((m) => [m[1], m[2]] as const);
    assert.ok(
      wanted.some(([name]) => name === 'enable-debug-command'),
      advice,
    );
    assert.ok(!wanted.some(([name]) => name === 'aclfile'), `no aclfile advice: ${advice}`);
    const lines = readFileSync(conf, 'utf8').split('\n');
    for (const [name, value] of wanted) {
      // The advised log file is the system's; a test writes its own (the directive is what is being proven).
      const line = `${name} ${name === 'logfile' ? join(server.dir, 'redis.log') : value}`;
      const at = lines.findIndex((l) => l.split(' ')[0] === name);
      if (at >= 0) lines[at] = line;
      else lines.push(line);
    }
    writeFileSync(conf, lines.join('\n'));
    await server.restart();
    const env = readEnv(out);
    const admin = { ...server.endpoint, username: 'admin', password: env.REDIS_ADMIN_PASSWORD };
    assert.equal(await reply(admin, 'CONFIG', 'GET', 'enable-debug-command'), '["enable-debug-command","no"]');
  });
});
