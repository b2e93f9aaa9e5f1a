/**
 * REDIS_7_DEFAULTS is what a redis-server 7.0 reports for settings its configuration does not mention: compare it
 * with CONFIG GET * of a real one (except what the test server's own config sets).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { REDIS_7_0_CONFIGS } from '../../src/redis/redis-conf-table.ts';
import { REDIS_7_DEFAULTS } from '../../src/security/file-facts.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

/** What test/support/redis-server.ts writes into every test server's redis.conf. */
const SET_BY_TEST_CONFIG = [
  'bind',
  'dir',
  'save',
  'appendonly',
  'daemonize',
  'logfile',
  'repl-diskless-sync-delay',
  'port',
];

let server: RedisServer;
let live: Map<string, string>;

before(async () => {
  server = await startRedis();
  const reply = (await server.command('CONFIG', 'GET', '*')) as string[];
  live = new Map();
  for (let i = 0; i + 1 < reply.length; i += 2) live.set(reply[i], reply[i + 1]);
});
after(async () => {
  await server?.stop();
});

test('each default equals the value of a server whose config does not set it', () => {
  const differ: string[] = [];
  for (const [name, value] of Object.entries(REDIS_7_DEFAULTS)) {
    if (SET_BY_TEST_CONFIG.includes(name)) continue;
    if (live.get(name) !== value)
      differ.push(`${name}: default ${JSON.stringify(value)}, server ${JSON.stringify(live.get(name))}`);
  }
  assert.deepEqual(differ, []);
});

test('every setting CONFIG GET * shows has a default, under its 7.0 name', () => {
  const aliases = new Set(Object.values(REDIS_7_0_CONFIGS).map((s) => s.alias));
  const missing = [...live.keys()].filter((k) => !aliases.has(k) && k !== 'dir' && !(k in REDIS_7_DEFAULTS));
  assert.deepEqual(missing, []);
  assert.equal(REDIS_7_DEFAULTS.bind, '* -::*');
  assert.equal(REDIS_7_DEFAULTS['protected-mode'], 'yes');
  assert.equal(
    REDIS_7_DEFAULTS['client-output-buffer-limit'],
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  );
});
