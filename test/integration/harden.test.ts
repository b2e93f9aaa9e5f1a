import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runHarden } from '../../src/cli/harden.ts';
import { main } from '../../src/cli/main.ts';
import { requireBinary } from '../support/binaries.ts';
import { parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { runCliInPty } from '../support/pty.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { startExporter } from '../support/redoubt.ts';
import { type RespEndpoint, type RespValue, respCommand } from '../support/resp.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-harden-it-'));
after(() => rmSync(root, { recursive: true, force: true }));

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
  return Object.fromEntries(
    readFileSync(join(dir, '.env'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

/**
 * Starts redis-server with the written redis-secure.conf, changing only what a test must: the port, the data
 * directory and the log (to stdout). Those lines are replaced rather than overridden at the end, because Redis
 * acts on `dir` while it reads the file (it changes into /var/lib/redis, which a test may not be allowed to).
 */
async function startHardened(dir: string, tls: boolean): Promise<RedisServer> {
  const port = await freePort();
  const data = join(dir, `data-${port}`);
  mkdirSync(data);
  const adjusted = new Set([tls ? 'tls-port' : 'port', 'dir', 'logfile']);
  const lines = readFileSync(join(dir, 'redis-secure.conf'), 'utf8')
    .split('\n')
    .filter((l) => !adjusted.has(l.split(' ')[0]));
  return startRedis({
    port,
    config: [...lines, tls ? `tls-port ${port}` : `port ${port}`, `dir ${data}`, 'logfile ""'],
  });
}

/** The reply, or the error reply's text: 'NOPERM …', 'WRONGPASS …'. */
async function attempt(endpoint: RespEndpoint, ...args: Array<string | number>): Promise<RespValue | string> {
  try {
    return await respCommand(endpoint, ...args);
  } catch (e) {
    return (e as Error).message;
  }
}

describe('harden --out: a redis-server started with what it wrote', () => {
  const dir = join(root, 'plain');
  let server: RedisServer;
  let env: Record<string, string>;
  const as = (user: string): RespEndpoint => ({
    host: '127.0.0.1',
    port: server.port,
    username: user,
    password: env[`REDIS_${user.toUpperCase()}_PASSWORD`],
  });

  before(async () => {
    const r = await harden(['--out', dir, '--maxmemory', '64mb']);
    assert.equal(r.code, 0, r.out);
    env = readEnv(dir);
    server = await startHardened(dir, false);
  });
  after(async () => server?.stop());

  test('.env and users.acl are 0600', () => {
    assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'users.acl')).mode & 0o777, 0o600);
  });

  test('the server runs the hardened settings', async () => {
    const get = async (p: string) => ((await respCommand(as('admin'), 'CONFIG', 'GET', p)) as string[])[1];
    assert.equal(await get('protected-mode'), 'yes');
    assert.equal(await get('maxmemory'), String(64 * 1024 * 1024));
    assert.equal(await get('maxmemory-policy'), 'noeviction');
    assert.equal(await get('appendonly'), 'yes');
    assert.equal(await get('enable-debug-command'), 'no');
    assert.equal(await get('aclfile'), join(dir, 'users.acl'));
  });

  test('the default user is refused', async () => {
    assert.match(String(await attempt({ host: '127.0.0.1', port: server.port }, 'PING')), /^NOAUTH/);
    assert.match(String(await attempt({ ...as('admin'), username: 'default' }, 'PING')), /^WRONGPASS/);
    assert.match(String(await attempt({ host: '127.0.0.1', port: server.port, password: 'x' }, 'PING')), /^WRONGPASS/);
  });

  test('app reads and writes, and is refused CONFIG, FLUSHALL, EVAL, FUNCTION LOAD and the other dangerous commands', async () => {
    const app = as('app');
    assert.equal(await respCommand(app, 'SET', 'k', 'v'), 'OK');
    assert.equal(await respCommand(app, 'GET', 'k'), 'v');
    assert.equal(await respCommand(app, 'HSET', 'h', 'f', '1'), 1);
    assert.equal(await respCommand(app, 'EXPIRE', 'k', 100), 1);
    assert.equal(await respCommand(app, 'INCR', 'n'), 1);
    assert.equal(await respCommand(app, 'PUBLISH', 'ch', 'x'), 0);
    assert.deepEqual(await respCommand(app, 'SCAN', 0, 'COUNT', 10).then((r) => (r as unknown[]).length), 2);
    // MODULE and DEBUG are refused by enable-*-command before the ACL is consulted.
    for (const cmd of [
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'protected-mode', 'no'],
      ['FLUSHALL'],
      ['FLUSHDB'],
      ['EVAL', 'return 1', '0'],
      ['FUNCTION', 'LOAD', "#!lua name=x\nredis.register_function('f', function() return 1 end)"],
      ['KEYS', '*'],
      ['CLIENT', 'KILL', 'ID', '1'],
      ['CLIENT', 'LIST'],
      ['REPLICAOF', 'NO', 'ONE'],
      ['MODULE', 'LOAD', '/x.so'],
      ['DEBUG', 'SLEEP', '0'],
      ['ACL', 'LIST'],
      ['SHUTDOWN'],
    ])
      assert.match(
        String(await attempt(app, ...cmd)),
        /^NOPERM|^ERR (MODULE|DEBUG) command not allowed/,
        cmd.join(' '),
      );
    // …and the ACL refuses them too, should those settings ever be turned on.
    for (const cmd of [
      ['MODULE', 'LOAD', '/x.so'],
      ['DEBUG', 'SLEEP', '0'],
    ])
      assert.match(String(await respCommand(as('auditor'), 'ACL', 'DRYRUN', 'app', ...cmd)), /no permissions/);
  });

  test('exporter runs every command of a default scrape, and nothing else', async () => {
    const exporter = as('exporter');
    assert.match(String(await respCommand(exporter, 'INFO', 'ALL')), /redis_version:/);
    assert.equal(((await respCommand(exporter, 'CONFIG', 'GET', 'maxmemory')) as string[])[0], 'maxmemory');
    assert.ok(Array.isArray(await respCommand(exporter, 'CONFIG', 'GET', '*')));
    assert.equal(typeof (await respCommand(exporter, 'SLOWLOG', 'LEN')), 'number');
    assert.ok(Array.isArray(await respCommand(exporter, 'SLOWLOG', 'GET', 1)));
    assert.ok(Array.isArray(await respCommand(exporter, 'LATENCY', 'LATEST')));
    assert.ok(Array.isArray(await respCommand(exporter, 'LATENCY', 'HISTOGRAM')));
    assert.equal(await respCommand(exporter, 'CLIENT', 'SETNAME', 'redis_exporter'), 'OK');
    assert.ok(Array.isArray(await respCommand(exporter, 'COMMAND', 'INFO', 'config', 'slowlog', 'latency')));
    assert.equal(await respCommand(exporter, 'PING'), 'PONG');
    for (const cmd of [
      ['GET', 'k'],
      ['SLOWLOG', 'RESET'],
      ['LATENCY', 'RESET'],
      ['CLIENT', 'KILL', 'ID', '1'],
      ['CONFIG', 'SET', 'timeout', '0'],
    ])
      assert.match(String(await attempt(exporter, ...cmd)), /^NOPERM/, cmd.join(' '));
  });

  test('redoubt exporter scrapes as the exporter user: redis_up 1 and no error replies', async () => {
    const errorstats = async () =>
      String(await respCommand(as('admin'), 'INFO', 'errorstats'))
        .split('\n')
        .filter((l) => l.startsWith('errorstat_'))
        .join('\n');
    const ex = await startExporter(['--redis.addr', `redis://127.0.0.1:${server.port}`, '--ping-on-connect'], {
      REDIS_USER: 'exporter',
      REDIS_PASSWORD: env.REDIS_EXPORTER_PASSWORD,
    });
    let before = '';
    try {
      // The background security audit learns, once per connection, which commands the exporter user may not
      // run (one NOPERM each); from then on neither scrapes nor audits add error replies.
      for (let i = 0; i < 100; i++) {
        if (/^redis_security_score /m.test((await httpGet(`${ex.url}/metrics`)).body)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      before = await errorstats();
      for (let i = 0; i < 2; i++) {
        const body = (await httpGet(`${ex.url}/metrics`)).body;
        assert.match(body, /^redis_up 1$/m);
        assert.match(body, /^redis_exporter_last_scrape_error\{err=""\} 0$/m);
        assert.match(body, /^redis_config_maxmemory 67108864$/m);
        assert.match(body, /^redis_slowlog_length \d+$/m);
      }
      assert.doesNotMatch(ex.logs(), /NOPERM|not permitted/i);
    } finally {
      await ex.stop();
    }
    assert.equal(await errorstats(), before, 'the scrapes added error replies on the server');
    assert.ok(!env.REDIS_EXPORTER_PASSWORD || !ex.logs().includes(env.REDIS_EXPORTER_PASSWORD));
  });

  test('redoubt exporter: the exporter user gets exactly the metric families the admin user gets', async () => {
    // Some keys, so the keyspace families appear for both.
    await respCommand(as('admin'), 'SET', 'families:k', 'v');
    const families = async (user: 'admin' | 'exporter'): Promise<string[]> => {
      const ex = await startExporter(['--redis.addr', `redis://127.0.0.1:${server.port}`], {
        REDIS_USER: user,
        REDIS_PASSWORD: env[`REDIS_${user.toUpperCase()}_PASSWORD`],
      });
      try {
        // The security posture families come from a background audit: wait for its first result.
        let body = '';
        for (let i = 0; i < 200; i++) {
          body = (await httpGet(`${ex.url}/metrics`)).body;
          if (/^redis_security_score /m.test(body)) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.match(body, /^redis_up 1$/m, `${user}: ${ex.logs()}`);
        // A second scrape, after the first has learned what it may run.
        body = (await httpGet(`${ex.url}/metrics`)).body;
        return [...parseExposition(body).keys()].sort();
      } finally {
        await ex.stop();
      }
    };
    const admin = await families('admin');
    const exporter = await families('exporter');
    assert.ok(admin.includes('redis_security_score') && admin.includes('redis_config_maxmemory'), admin.join(' '));
    assert.deepEqual(
      {
        onlyAdmin: admin.filter((f) => !exporter.includes(f)),
        onlyExporter: exporter.filter((f) => !admin.includes(f)),
      },
      { onlyAdmin: [], onlyExporter: [] },
    );
  });

  test('auditor runs what an audit needs, read-only', async () => {
    const auditor = as('auditor');
    const list = (await respCommand(auditor, 'ACL', 'LIST')) as string[];
    assert.ok(list.some((l) => l.startsWith('user default off')));
    assert.ok(Array.isArray(await respCommand(auditor, 'ACL', 'LOG')));
    assert.ok(Array.isArray(await respCommand(auditor, 'ACL', 'GETUSER', 'app')));
    assert.ok(Array.isArray(await respCommand(auditor, 'CONFIG', 'GET', '*')));
    assert.match(String(await respCommand(auditor, 'INFO')), /redis_version:/);
    assert.ok(Array.isArray(await respCommand(auditor, 'COMMAND', 'INFO', 'config')));
    assert.equal(typeof (await respCommand(auditor, 'COMMAND', 'COUNT')), 'number');
    assert.ok(Array.isArray(await respCommand(auditor, 'MODULE', 'LIST')));
    assert.match(String(await respCommand(auditor, 'CLIENT', 'LIST')), /id=/);
    // ACL DRYRUN answers for the app user, exactly: the refused commands above are refused, GET/SET allowed.
    for (const cmd of [
      ['CONFIG', 'GET', 'dir'],
      ['FLUSHALL'],
      ['EVAL', 'return 1', '0'],
      ['FUNCTION', 'LOAD', '#!lua name=x\nredis.register_function("f", function() return 1 end)'],
    ])
      assert.match(String(await respCommand(auditor, 'ACL', 'DRYRUN', 'app', ...cmd)), /no permissions/, cmd[0]);
    assert.equal(await respCommand(auditor, 'ACL', 'DRYRUN', 'app', 'SET', 'k', 'v'), 'OK');
    assert.equal(await respCommand(auditor, 'ACL', 'DRYRUN', 'app', 'GET', 'k'), 'OK');
    for (const cmd of [
      ['GET', 'k'],
      ['CONFIG', 'SET', 'timeout', '0'],
      ['ACL', 'SETUSER', 'x'],
      ['ACL', 'SAVE'],
      ['FLUSHALL'],
    ])
      assert.match(String(await attempt(auditor, ...cmd)), /^NOPERM/, cmd.join(' '));
  });

  test('harden --redis as the auditor: a server started from the files needs no runtime change', async () => {
    const r = await harden(['--redis', `redis://auditor@127.0.0.1:${server.port}`], {
      REDIS_PASSWORD: env.REDIS_AUDITOR_PASSWORD,
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /connected as auditor/);
    assert.match(r.out, /Nothing to change at runtime/);
  });

  test('backup takes an RDB snapshot over the replication protocol (redis-cli --rdb)', async () => {
    const file = join(dir, 'backup.rdb');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        requireBinary('redis-cli'),
        ['-h', '127.0.0.1', '-p', String(server.port), '--user', 'backup', '--rdb', file],
        { env: { ...process.env, REDISCLI_AUTH: env.REDIS_BACKUP_PASSWORD }, stdio: 'ignore' },
      );
      child.on('exit', resolve);
    });
    assert.equal(code, 0);
    assert.equal(readFileSync(file).subarray(0, 5).toString(), 'REDIS');
    assert.match(String(await attempt(as('backup'), 'GET', 'k')), /^NOPERM/);
  });
});

describe('harden --out --tls: the server serves TLS only, to clients with the generated certificate', () => {
  const dir = join(root, 'tls');
  let server: RedisServer;
  let env: Record<string, string>;
  let printed = '';
  const tlsFiles = () => ({
    ca: readFileSync(join(dir, 'tls/ca.crt')),
    cert: readFileSync(join(dir, 'tls/client.crt')),
    key: readFileSync(join(dir, 'tls/client.key')),
    servername: 'localhost',
  });

  before(async () => {
    const r = await harden(['--out', dir, '--tls', '--role', 'cache']);
    assert.equal(r.code, 0, r.out);
    printed = r.out;
    env = readEnv(dir);
    server = await startHardened(dir, true);
  });
  after(async () => server?.stop());

  test('a client with the client certificate connects and authenticates', async () => {
    const ep: RespEndpoint = {
      host: '127.0.0.1',
      port: server.port,
      tls: tlsFiles(),
      username: 'admin',
      password: env.REDIS_ADMIN_PASSWORD,
    };
    assert.equal(await respCommand(ep, 'PING'), 'PONG');
    assert.deepEqual(await respCommand(ep, 'CONFIG', 'GET', 'port'), ['port', '0']);
  });

  test('without a client certificate, or in plaintext, the server does not talk', async () => {
    const { cert: _c, key: _k, ...caOnly } = tlsFiles();
    await assert.rejects(
      respCommand({ host: '127.0.0.1', port: server.port, tls: caOnly, username: 'admin', password: 'x' }, 'PING'),
    );
    await assert.rejects(respCommand({ host: '127.0.0.1', port: server.port }, 'PING'));
  });

  test('the audit command it prints (with its TLS flags) audits the server as the auditor user', async () => {
    const command = /REDIS_PASSWORD="\$REDIS_AUDITOR_PASSWORD" redoubt audit (--redis (?:[^\n]*\\\n)*[^\n]*)/.exec(
      printed,
    );
    assert.ok(command, printed);
    const args = command[1]
      .replace(/\\\n/g, ' ')
      .trim()
      .split(/\s+/)
      .map((a) => a.replace(':6379', `:${server.port}`));
    assert.ok(args.includes('--tls-client-cert-file'), args.join(' '));
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (d) => {
      out += d;
    });
    const code = await main(['audit', ...args, '--format', 'json'], {
      stdout: stream,
      stderr: stream,
      env: { REDIS_PASSWORD: env.REDIS_AUDITOR_PASSWORD },
      stopSignal: new Promise(() => {}),
    });
    assert.notEqual(code, 2, out);
    assert.equal(JSON.parse(out).redis_version, '7.0.15', 'it connected and logged in');
  });

  test('redoubt exporter scrapes it over mTLS as the exporter user', async () => {
    const ex = await startExporter(
      [
        '--redis.addr',
        `rediss://localhost:${server.port}`,
        '--tls-ca-cert-file',
        join(dir, 'tls/ca.crt'),
        '--tls-client-cert-file',
        join(dir, 'tls/client.crt'),
        '--tls-client-key-file',
        join(dir, 'tls/client.key'),
      ],
      { REDIS_USER: 'exporter', REDIS_PASSWORD: env.REDIS_EXPORTER_PASSWORD },
    );
    try {
      assert.match((await httpGet(`${ex.url}/metrics`)).body, /^redis_up 1$/m);
    } finally {
      await ex.stop();
    }
  });
});

describe('harden --redis: diff, then apply and persist on a weak live server', () => {
  let server: RedisServer;
  const out = join(root, 'live');
  before(async () => {
    server = await startRedis({
      aclUsers: ['default on nopass ~* &* +@all'],
      config: ['protected-mode no', 'replica-read-only no', 'timeout 0', 'acllog-max-len 0'],
    });
  });
  after(async () => server?.stop());

  const config = async (ep: RespEndpoint, p: string) => ((await respCommand(ep, 'CONFIG', 'GET', p)) as string[])[1];
  const acl = () => String(readFileSync(join(server.dir, 'users.acl'), 'utf8'));

  test('without --apply it shows the diff and changes nothing', async () => {
    const aclBefore = acl();
    const r = await harden(['--redis', server.url]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^- protected-mode no$/m);
    assert.match(r.out, /^\+ protected-mode yes$/m);
    assert.match(r.out, /^- replica-read-only no$/m);
    assert.match(r.out, /^- user default on nopass ~\* &\* \+@all$/m);
    assert.match(r.out, /^\+ user default off resetchannels -@all$/m);
    assert.match(r.out, /^\+ user app on <new password, written to \.env>/m);
    assert.match(r.out, /Dry run: nothing was changed/);
    assert.equal(await config(server.endpoint, 'protected-mode'), 'no');
    assert.equal(acl(), aclBefore);
  });

  test('--apply without a terminal needs --yes; creating users needs --out', async () => {
    const noYes = await harden(['--redis', server.url, '--apply', '--out', out]);
    assert.equal(noYes.code, 2);
    assert.match(noYes.out, /pass --yes/);
    const noOut = await harden(['--redis', server.url, '--apply', '--yes']);
    assert.equal(noOut.code, 2);
    assert.match(noOut.out, /pass --out DIR/);
    assert.equal(await config(server.endpoint, 'protected-mode'), 'no');
  });

  test('on a terminal --apply asks first; answering no changes nothing', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d) => {
      text += d;
    });
    let asked = '';
    const code = await runHarden(
      ['--redis', server.url, '--apply', '--out', join(root, 'declined')],
      { stdout: stream, stderr: stream, env: {}, stopSignal: new Promise(() => {}) },
      {
        interactive: true,
        confirm: async (q) => {
          asked = q;
          return false;
        },
      },
    );
    assert.equal(code, 1);
    assert.match(asked, /Apply these \d+ changes to redis:\/\/127\.0\.0\.1:\d+\? \[y\/N\]/);
    assert.match(text, /Nothing was changed/);
    assert.equal(await config(server.endpoint, 'protected-mode'), 'no');
    assert.ok(!existsSync(join(root, 'declined', '.env')), 'no passwords written for users never created');
  });

  test('--apply --yes changes it, persists it with CONFIG REWRITE and ACL SAVE, and it survives a restart', async () => {
    const r = await harden(['--redis', server.url, '--apply', '--yes', '--out', out, '--maxmemory', '32mb']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /ok {5}CONFIG REWRITE/);
    assert.match(r.out, /ok {5}ACL SAVE/);
    const env = readEnv(out);
    assert.equal(statSync(join(out, '.env')).mode & 0o777, 0o600);
    for (const pw of Object.values(env)) assert.ok(!r.out.includes(pw), 'a password was printed');
    const admin = { ...server.endpoint, username: 'admin', password: env.REDIS_ADMIN_PASSWORD };
    assert.equal(await config(admin, 'protected-mode'), 'yes');
    assert.equal(await config(admin, 'maxmemory'), String(32 * 1024 * 1024));
    assert.match(String(await attempt({ host: '127.0.0.1', port: server.port }, 'PING')), /^NOAUTH/);

    const conf = readFileSync(join(server.dir, 'redis.conf'), 'utf8');
    assert.match(conf, /^protected-mode yes$/m);
    assert.match(conf, /^timeout 300$/m);
    assert.match(acl(), /^user default off /m);
    assert.match(acl(), /^user app on /m);

    await server.restart();
    assert.equal(await config(admin, 'replica-read-only'), 'yes');
    assert.equal(await config(admin, 'acllog-max-len'), '256');
    const app = { ...server.endpoint, username: 'app', password: env.REDIS_APP_PASSWORD };
    assert.equal(await respCommand(app, 'SET', 'k', 'v'), 'OK');
    assert.match(String(await attempt(app, 'CONFIG', 'GET', 'dir')), /^NOPERM/);

    // Run again as admin: nothing left to change at runtime, however Redis rewrote the rules.
    const again = await harden(['--redis', `redis://admin@127.0.0.1:${server.port}`, '--maxmemory', '32mb'], {
      REDIS_PASSWORD: env.REDIS_ADMIN_PASSWORD,
    });
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /Nothing to change at runtime/);
  });
});

describe('harden --redis --apply on a terminal: the real prompt', () => {
  // The built CLI on a pseudo-terminal (util-linux script): stdin and stdout are a TTY, so it asks.
  let server: RedisServer;
  before(async () => {
    server = await startRedis({
      aclUsers: ['default on nopass ~* &* +@all'],
      config: ['protected-mode no', 'timeout 0'],
    });
  });
  after(async () => server?.stop());
  const config = async (ep: RespEndpoint, p: string) => ((await respCommand(ep, 'CONFIG', 'GET', p)) as string[])[1];
  const PROMPT = /Apply these \d+ changes to redis:\/\/127\.0\.0\.1:\d+\? \[y\/N\] /;

  test('answering n: exit 1, nothing changed, no passwords written', async () => {
    const out = join(root, 'pty-declined');
    const r = await runCliInPty(['harden', '--redis', server.url, '--apply', '--out', out], {
      answers: [{ prompt: PROMPT, type: 'n\r' }],
    });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, PROMPT);
    assert.match(r.output, /Nothing was changed/);
    assert.equal(await config(server.endpoint, 'protected-mode'), 'no');
    assert.ok(!existsSync(join(out, '.env')));
  });

  test('answering y: exit 0, applied and persisted, passwords only in .env', async () => {
    const out = join(root, 'pty-applied');
    const r = await runCliInPty(['harden', '--redis', server.url, '--apply', '--out', out], {
      answers: [{ prompt: PROMPT, type: 'y\r' }],
      timeoutMs: 30000,
    });
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /ok {5}CONFIG REWRITE/);
    const env = readEnv(out);
    for (const pw of Object.values(env)) assert.ok(!r.output.includes(pw), 'a password was printed');
    const admin = { ...server.endpoint, username: 'admin', password: env.REDIS_ADMIN_PASSWORD };
    assert.equal(await config(admin, 'protected-mode'), 'yes');
    assert.match(String(await attempt({ host: '127.0.0.1', port: server.port }, 'PING')), /^NOAUTH/);
  });
});
