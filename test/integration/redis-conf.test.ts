/**
 * The redis.conf reader against redis-server 7.0 itself: the values it computes from a file are what CONFIG GET
 * shows when the server loads that file, and what it reports as a warning (or a parse error) is what the server
 * refuses to start with, at the same line — and `redoubt audit --config` refuses to audit such a file (exit 2, that
 * line, in redis-server's words).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadRedisConf, RedisConfParseError } from '../../src/redis/redis-conf.ts';
import { factsFromFiles } from '../../src/security/file-facts.ts';
import { requireBinary } from '../support/binaries.ts';
import { freePort } from '../support/ports.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';

const PASSWORD = 'p"a\\ss wörd\tend';

describe('values: the file as the server reads it', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis({
      password: PASSWORD,
      unixSocket: { perm: '0770' },
      config: [
        'MAXMEMORY 10mb',
        'proto-max-bulk-len 2m',
        'client-query-buffer-limit 64MB',
        'maxmemory-policy ALLKEYS-LRU',
        'maxmemory-clients 5%',
        'slave-read-only no',
        'lua-time-limit 4000',
        'hash-max-ziplist-entries 64',
        'list-max-ziplist-size -1',
        'save 900 1',
        'save 300 10',
        'client-output-buffer-limit pubsub 0 0 0',
        'client-output-buffer-limit replica 1gb 512mb 120',
        'masteruser "we\\x41ird \\"user\\""',
        "syslog-ident 'it\\'s'",
        'replica-announce-ip a"b c"',
        'tls-key-file-pass "tab\\there\\n"',
        'masterauth "\\xc3\\xa9t\\xc3\\xa9"',
        'timeout 300',
        'maxclients 500',
        '   hz    20   ',
        'notify-keyspace-events ""',
        'oom-score-adj-values "0 100 900"',
        'acllog-max-len 64',
        'enable-debug-command local',
        'repl-backlog-size 3mb',
      ],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('every value computed from the file equals CONFIG GET', async () => {
    const facts = factsFromFiles({ confPath: join(server.dir, 'redis.conf') });
    assert.deepEqual(facts.config?.warnings, []);
    const values = facts.config?.values ?? {};
    assert.ok(Object.keys(values).length >= 30, Object.keys(values).join(' '));
    const reply = (await server.command('CONFIG', 'GET', '*')) as string[];
    const live = new Map<string, string>();
    for (let i = 0; i + 1 < reply.length; i += 2) live.set(reply[i], reply[i + 1]);
    const differ = Object.entries(values)
      .filter(([k, v]) => live.get(k) !== v)
      .map(([k, v]) => `${k}: file ${JSON.stringify(v)}, server ${JSON.stringify(live.get(k))}`);
    assert.deepEqual(differ, []);
    assert.equal(values.requirepass, PASSWORD);
    assert.equal(values.masteruser, 'weAird "user"');
    assert.equal(values.save, '900 1 300 10');
  });
});

describe('refusals: what the reader flags is what redis-server 7.0 refuses, at the same line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-refuse-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const CASES: Array<[string, string]> = [
    ['trailing comment', 'maxclients 100 # at most'],
    ['misspelt directive', 'requirepas foo'],
    ['bad boolean', 'protected-mode maybe'],
    ['bad memory value', 'maxmemory 1.5gb'],
    ['odd save', 'save 900'],
    ['unterminated quote', 'masteruser "abc'],
    ['text after a closing quote', 'masteruser "abc"def'],
    ['master output buffer class', 'client-output-buffer-limit master 0 0 0'],
    ['NUL joins the next line', 'masteruser abc\0xyz\nmaxclients 5'],
    ['bad octal', 'unixsocketperm 0799'],
    ['leading zero', 'timeout 007'],
    ['bad user rule', 'user a on ~* ~x'],
    ['too many replicaof arguments', 'replicaof 10.0.0.1 6379 x'],
  ];

  for (const [what, lines] of CASES) {
    test(what, async () => {
      const port = await freePort();
      const path = join(dir, `${what.replace(/\W+/g, '-')}.conf`);
      const text = `port ${port}\nbind 127.0.0.1\nsave ""\nlogfile ""\n${lines}\n`;
      writeFileSync(path, text);
      const run = spawnSync(requireBinary('redis-server'), [path], { timeout: 5000, killSignal: 'SIGKILL' });
      const output = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 1, `redis-server accepted it:\n${output}`);
      const serverLine = Number(/at line (\d+)/.exec(output)?.[1]);
      let ourLine: number | undefined;
      try {
        const conf = loadRedisConf(path);
        ourLine = conf.warnings[0]?.location.line;
        if (ourLine === undefined) {
          // `user` lines are checked by the ACL reader.
          factsFromFiles({ confPath: path });
        }
      } catch (e) {
        assert.ok(e instanceof RedisConfParseError, String(e));
        ourLine = e.line;
      }
      assert.equal(ourLine, serverLine, output);
      // And `redoubt audit --config` refuses to audit it: exit 2, one line naming that line, no report.
      const audit = await runCli(['audit', '--config', path, '--format', 'json']);
      assert.equal(audit.code, 2, `redoubt audit accepted it: ${audit.stdout.slice(0, 200)}`);
      assert.equal(audit.stdout, '');
      assert.match(audit.stderr, /^redoubt audit: the audit could not run: [^\n]+\n$/);
      assert.ok(audit.stderr.includes(`${path}:${serverLine}: `), audit.stderr);
    });
  }

  test("redoubt audit --config gives redis-server's own words for the line it refuses", async () => {
    const cases = [
      'port notanumber',
      'hz abc',
      'protected-mode maybe',
      'maxmemory 10zb',
      'unixsocketperm 9x',
      'foo bar',
    ];
    for (const line of cases) {
      const path = join(dir, `words-${line.replace(/\W+/g, '-')}.conf`);
      writeFileSync(path, `bind 127.0.0.1\nsave ""\nlogfile ""\n${line}\n`);
      const run = spawnSync(requireBinary('redis-server'), [path], { timeout: 5000, killSignal: 'SIGKILL' });
      const output = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 1, `redis-server accepted ${line}:\n${output}`);
      // redis-server: "*** FATAL CONFIG FILE ERROR … at line 4 / >>> 'port "notanumber"' / <reason>".
      const words = output.trim().split('\n').at(-1) ?? '';
      assert.ok(words.length > 0, output);
      const audit = await runCli(['audit', '--config', path]);
      assert.equal(audit.code, 2, `${line}: ${audit.stdout.slice(0, 200)}`);
      assert.equal(audit.stdout, '', line);
      assert.ok(
        audit.stderr.includes(`${path}:4: '${line.split(' ')[0]}': ${words}`),
        `${line}: ${audit.stderr} / ${words}`,
      );
    }
  });

  test('a missing include', async () => {
    const path = join(dir, 'include.conf');
    writeFileSync(path, `port ${await freePort()}\nbind 127.0.0.1\ninclude ${join(dir, 'nope.conf')}\n`);
    const run = spawnSync(requireBinary('redis-server'), [path], { timeout: 5000, killSignal: 'SIGKILL' });
    assert.equal(run.status, 1);
    assert.match(`${run.stdout}${run.stderr}`, /can't open config file/);
    assert.throws(
      () => loadRedisConf(path),
      (e: unknown) => e instanceof RedisConfParseError && e.line === 3,
    );
  });
});
