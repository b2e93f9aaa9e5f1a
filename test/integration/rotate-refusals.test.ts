import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireBinary } from '../support/binaries.ts';
import { trackChild } from '../support/children.ts';
import { freePort } from '../support/ports.ts';
import { aclPasswordHash, startRedis } from '../support/redis-server.ts';
import { runCli, runMain } from '../support/redoubt.ts';
import { respCommand } from '../support/resp.ts';
import { ADMIN, adminEnv, hashesOf, OLD, rotate, rotateFixture, startRotateServer } from '../support/rotate-fixture.ts';

/** What rotate refuses before it changes anything, and how it undoes a rotation that fails half-way. */
const fx = rotateFixture('refusals', { server: false });

test('bad input: one line on stderr, exit 2, no connection made and no secret echoed', async () => {
  const env = join(fx.dir, 'x.env');
  const short = join(fx.dir, 'short');
  writeFileSync(short, 'tooshort\n');
  const spaced = join(fx.dir, 'spaced');
  writeFileSync(spaced, 'has a space in it 0123456789\n');
  const notJson = join(fx.dir, 'bad.json');
  writeFileSync(notJson, '{"redis://h:1": "secret-in-file"');
  const cases: Array<[string[], RegExp]> = [
    [['--dotenv', env, '--env-key', 'K'], /pass --redis URL/],
    [['--redis', 'redis://127.0.0.1:1'], /must go somewhere/],
    [['--redis', 'redis://127.0.0.1:1', '--dotenv', env], /--dotenv and --env-key go together/],
    [['--redis', 'redis://127.0.0.1:1', '--dotenv', env, '--env-key', '1BAD'], /not a variable name/],
    [['--redis', 'redis://127.0.0.1:1', '--dotenv', env, '--env-key', 'K', '--grace', 'soon'], /not a duration/],
    [['--redis', 'redis://127.0.0.1:1', '--dotenv', env, '--env-key', 'K', '--grace', '9999h'], /--grace/],
    [['--redis', 'redis://127.0.0.1:1', '--redis', 'redis://127.0.0.1:1', '--dotenv', env, '--env-key', 'K'], /twice/],
    [['--redis', 'redis://u:p@ss@127.0.0.1:1', '--dotenv', env, '--env-key', 'K'], /unencoded "@"/],
    [
      ['--redis', 'redis://127.0.0.1:1', '--dotenv', env, '--env-key', 'K', '--new-password-file', short],
      /at least 16/,
    ],
    [['--redis', 'redis://127.0.0.1:1', '--dotenv', env, '--env-key', 'K', '--new-password-file', spaced], /space/],
    [['--redis', 'redis://127.0.0.1:1', '--password-file', notJson], /not valid JSON/],
    [['--redis', 'redis://127.0.0.1:1', '--dotenv', join(fx.dir, 'no/such/dir/.env'), '--env-key', 'K'], /directory/],
    [['--finish', '--state-file', join(fx.dir, 'none.json')], /no rotation in progress/],
    [['--finish', '--dotenv', env], /belong to the start/],
    [
      ['--redis', 'redis://127.0.0.1:1', '--password-key', 'redis://a@h:1', '--dotenv', env, '--env-key', 'K'],
      /give the file too/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await runMain(['rotate', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    for (const secret of ['tooshort', 'has a space', 'secret-in-file', 'p@ss']) assert.ok(!r.stderr.includes(secret));
  }
});

/** A redis-server started with arguments only, as `docker run redis --requirepass …` does: no config file. */
async function serverWithoutConfigFile(password: string): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    requireBinary('redis-server'),
    ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  trackChild(child);
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      await respCommand({ host: '127.0.0.1', port, password }, 'PING');
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, stop: () => child.kill('SIGKILL') };
}

test('a server that keeps its users nowhere (no config file, no aclfile) is refused, nothing changed', async () => {
  const s = await serverWithoutConfigFile(OLD);
  try {
    const env = join(fx.dir, 'nowhere.env');
    const r = await runMain(
      [
        'rotate',
        '--redis',
        `redis://127.0.0.1:${s.port}`,
        '--dotenv',
        env,
        '--env-key',
        'REDIS_PASSWORD',
        '--state-file',
        join(fx.dir, 'st1.json'),
      ],
      { REDIS_PASSWORD: OLD },
    );
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /neither in an aclfile nor in a config file/);
    assert.match(r.stderr, /nothing was changed/);
    const user = (await respCommand(
      { host: '127.0.0.1', port: s.port, password: OLD },
      'ACL',
      'GETUSER',
      'default',
    )) as unknown[];
    assert.deepEqual(user[user.indexOf('passwords') + 1], [aclPasswordHash(OLD)]);
    assert.throws(() => statSync(env), /ENOENT/);
  } finally {
    s.stop();
  }
});

test('users in redis.conf (no aclfile, so ACL SAVE fails): rotate saves them with CONFIG REWRITE instead', async () => {
  const server = await startRedis({ config: [`user admin on >${ADMIN} ~* &* +@all`, `user app on >${OLD} ~* +@all`] });
  try {
    const env = join(fx.dir, 'conf-users.env');
    const r = await runMain(
      [
        'rotate',
        '--redis',
        server.url,
        '--user',
        'app',
        '--dotenv',
        env,
        '--env-key',
        'APP',
        '--state-file',
        join(fx.dir, 'st2.json'),
      ],
      adminEnv,
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\(CONFIG REWRITE\)/);
    const NEW = /^APP=(.*)$/m.exec(readFileSync(env, 'utf8'))?.[1] ?? '';
    const conf = readFileSync(join(server.dir, 'redis.conf'), 'utf8');
    assert.match(conf, new RegExp(`^user app .*#${aclPasswordHash(OLD)} #${aclPasswordHash(NEW)}`, 'm'));
  } finally {
    await server.stop();
  }
});

test('a connecting user that may not run ACL SETUSER is found before anything changes', async () => {
  const server = await startRotateServer([`ops on >${ADMIN} ~* &* +@all -acl|setuser`]);
  try {
    const r = await runMain(
      [
        'rotate',
        '--redis',
        server.url,
        '--user',
        'app',
        '--dotenv',
        join(fx.dir, 'ops.env'),
        '--env-key',
        'APP',
        '--state-file',
        join(fx.dir, 'st6.json'),
      ],
      { REDIS_USER: 'ops', REDIS_PASSWORD: ADMIN },
    );
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /the connecting user "ops" may not change "app" .*\(ACL SETUSER\)/);
    assert.deepEqual(await hashesOf(server, 'app'), [aclPasswordHash(OLD)]);
  } finally {
    await server.stop();
  }
});

test('an aclfile the server cannot write is found before anything changes', async () => {
  const server = await startRotateServer();
  try {
    // ACL SAVE writes a temporary file and renames it over the aclfile: a directory in its place fails the rename.
    const aclfile = join(server.dir, 'users.acl');
    rmSync(aclfile);
    mkdirSync(aclfile);
    const env = join(fx.dir, 'unsaved.env');
    const r = await runMain(
      [
        'rotate',
        '--redis',
        server.url,
        '--user',
        'app',
        '--dotenv',
        env,
        '--env-key',
        'APP',
        '--state-file',
        join(fx.dir, 'st3.json'),
      ],
      adminEnv,
    );
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot save \(ACL SAVE\)/);
    assert.deepEqual(await hashesOf(server, 'app'), [aclPasswordHash(OLD)]);
    assert.throws(() => statSync(env), /ENOENT/);
  } finally {
    await server.stop();
  }
});

test('a step that fails half-way is undone on every server: users, masterauth, files', async () => {
  const master = await startRotateServer();
  const replica = await startRotateServer([], {
    config: [`replicaof 127.0.0.1 ${master.port}`, 'masteruser app', `masterauth ${OLD}`],
  });
  try {
    const env = join(fx.dir, 'rollback.env');
    writeFileSync(env, 'APP=before\n', { mode: 0o600 });
    const state = join(fx.dir, 'st4.json');
    const { code, out } = await rotate(
      [
        '--redis',
        master.url,
        '--redis',
        replica.url,
        '--user',
        'app',
        '--dotenv',
        env,
        '--env-key',
        'APP',
        '--state-file',
        state,
      ],
      {
        // Once the master has saved, the replica's aclfile becomes unwritable: its save fails.
        afterStep: async (what) => {
          if (what.startsWith(`save ${master.url}`)) {
            rmSync(join(replica.dir, 'users.acl'));
            mkdirSync(join(replica.dir, 'users.acl'));
          }
        },
      },
    );
    assert.equal(code, 1, out);
    assert.match(out, /FAILED save redis:\/\/127\.0\.0\.1:\d+ \(ACL SAVE \+ CONFIG REWRITE\)/);
    assert.match(out, /Rolled back on every server, but saving again failed where shown/);
    assert.match(out, /ok {5}remove the new password of "app" on redis:\/\/127\.0\.0\.1:\d+ again/);
    assert.match(out, /ok {5}put the old masterauth back/);
    assert.match(out, /ok {5}save again: redis:\/\/127\.0\.0\.1:\d+ \(ACL SAVE\)/);
    for (const s of [master, replica]) assert.deepEqual(await hashesOf(s, 'app'), [aclPasswordHash(OLD)]);
    // (saved again: ACL SAVE writes its own form, with the old hash and without the new one)
    const aclAfter = readFileSync(join(master.dir, 'users.acl'), 'utf8');
    assert.match(aclAfter, new RegExp(`^user app on #${aclPasswordHash(OLD)} ~`, 'm'));
    assert.equal(
      aclAfter.match(/#[0-9a-f]{64}/g)?.length,
      2,
      "the master's aclfile has the admin's and app's old hash only",
    );
    const masterauth = await respCommand(
      { ...replica.endpoint, username: 'admin', password: ADMIN },
      'CONFIG',
      'GET',
      'masterauth',
    );
    assert.deepEqual(masterauth, ['masterauth', OLD]);
    assert.equal(readFileSync(env, 'utf8'), 'APP=before\n');
    assert.throws(() => statSync(state), /ENOENT/);
  } finally {
    rmSync(join(replica.dir, 'users.acl'), { recursive: true, force: true });
    await replica.stop();
    await master.stop();
  }
});

test('a credential file that cannot be written after the servers changed: the servers are undone too', async () => {
  const server = await startRotateServer();
  try {
    const env = join(fx.dir, 'late.env');
    writeFileSync(env, 'APP=before\n', { mode: 0o600 });
    const pw = join(fx.dir, 'late.json');
    const { code, out } = await rotate(
      [
        '--redis',
        server.url,
        '--user',
        'app',
        '--dotenv',
        env,
        '--env-key',
        'APP',
        '--password-file',
        pw,
        '--state-file',
        join(fx.dir, 'st5.json'),
      ],
      {
        // Once the .env is written, something takes the password file's name: it is not overwritten, and all is undone.
        afterStep: async (what) => {
          if (what.includes('late.env')) mkdirSync(pw);
        },
      },
    );
    assert.equal(code, 1, out);
    assert.match(out, /FAILED write the new password to .*late\.json/);
    assert.match(out, /Rolled back: every server is as it was/);
    assert.match(out, /ok {5}put back what .*late\.env \(APP\) held/);
    assert.deepEqual(await hashesOf(server, 'app'), [aclPasswordHash(OLD)]);
    const acl = readFileSync(join(server.dir, 'users.acl'), 'utf8');
    assert.ok(acl.includes(aclPasswordHash(OLD)) && acl.match(/#[0-9a-f]{64}/g)?.length === 2);
    assert.equal(readFileSync(env, 'utf8'), 'APP=before\n');
  } finally {
    await server.stop();
  }
});

test('the built CLI: exit codes and --help, through bin/redoubt.js', async () => {
  const help = await runCli(['rotate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--finish/);
  const bad = await runCli(['rotate', '--redis', 'redis://127.0.0.1:1', '--dotenv', '.env', '--env-key', 'no good']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^redoubt rotate: --env-key "no good" is not a variable name/);
});
