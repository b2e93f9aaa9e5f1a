import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { runCli } from '../support/redoubt.ts';

test('--help lists the redis_exporter flags', async () => {
  const r = await runCli(['exporter', '--help']);
  assert.equal(r.code, 0);
  for (const flag of [
    'redis.addr',
    'redis.password-file',
    'web.listen-address',
    'check-keys',
    'config-command',
    'ping-on-connect',
  ])
    assert.match(r.stdout, new RegExp(`--${flag.replace('.', '\\.')}`));
});

test('an unknown flag exits 2 and names the flag', async () => {
  const r = await runCli(['exporter', '-redis.adress', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag -redis\.adress/);
});

test("redis_exporter's unimplemented flags exit 2 with 'not implemented by redoubt', like their variables", async () => {
  for (const args of [['--is-cluster'], ['-script', '/etc/collect.lua'], ['--check-key-groups=^(.*)$']]) {
    const r = await runCli(['exporter', ...args, '--web.listen-address', '127.0.0.1:0']);
    assert.equal(r.code, 2, args.join(' '));
    const flag = args[0].replace(/^-+/, '').split('=')[0];
    assert.match(r.stderr, new RegExp(`--${flag}: not implemented by redoubt`));
    assert.doesNotMatch(r.stderr, /unknown flag/);
  }
  const env = await runCli(['exporter', '--web.listen-address', '127.0.0.1:0'], {
    env: { REDIS_EXPORTER_IS_CLUSTER: 'true' },
  });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /not implemented by redoubt: .*REDIS_EXPORTER_IS_CLUSTER/);
});

test('a malformed URL exits 2 without echoing the password', async () => {
  const r = await runCli([
    'exporter',
    '--redis.addr',
    'redis://:se#cret@127.0.0.1:6379',
    '--web.listen-address',
    '127.0.0.1:0',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /%23/);
  assert.doesNotMatch(r.stderr, /se#cret|cret@/);
});

test('a missing password file exits non-zero and says which file', async () => {
  const r = await runCli([
    'exporter',
    '--redis.password-file',
    '/nonexistent/pw.json',
    '--web.listen-address',
    '127.0.0.1:0',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /\/nonexistent\/pw\.json/);
});

test('a port in use exits 1 with a clear message', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  try {
    const r = await runCli(['exporter', '--web.listen-address', `127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already in use/);
  } finally {
    srv.close();
  }
});

test('an unknown command exits 2 and prints usage', async () => {
  const r = await runCli(['nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "nope"/);
});

test('a redis_exporter variable for a feature redoubt lacks exits 2 and names it, unless set to the default', async () => {
  const r = await runCli(['exporter', '--web.listen-address', '127.0.0.1:0'], {
    env: {
      REDIS_EXPORTER_IS_CLUSTER: 'true',
      REDIS_EXPORTER_TLS_SERVER_MIN_VERSION: 'TLS1.3',
      REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES: 'true',
      REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD: '$2y$10$abcdefghijklmnopqrstuv',
    },
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD, REDIS_EXPORTER_IS_CLUSTER, REDIS_EXPORTER_TLS_SERVER_MIN_VERSION\./,
  );
  assert.doesNotMatch(r.stderr, /EMPTY_DATABASES|abcdefgh|TLS1\.3/, 'defaults pass; values are not echoed');
});
