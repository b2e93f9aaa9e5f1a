/**
 * The committed command table (src/security/data/command-table-7.0.json) is what scripts/gen-command-table.ts
 * writes today from a real redis-server 7.0: regenerate it from one and compare.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { REDIS_7_0_COMMAND_TABLE } from '../../src/security/acl-eval.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const run = promisify(execFile);
const COMMITTED = 'src/security/data/command-table-7.0.json';

let server: RedisServer;
const out = mkdtempSync(join(tmpdir(), 'redoubt-cmdtable-'));

before(async () => {
  server = await startRedis();
});
after(async () => {
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

test('regenerating the 7.0 command table from redis-server 7.0 gives the committed file', async () => {
  const version = String(await server.command('INFO', 'server')).match(/redis_version:(\S+)/)?.[1] ?? '';
  assert.match(version, /^7\.0\./, 'this test needs redis-server 7.0');
  const target = join(out, 'table.json');
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    'scripts/gen-command-table.ts',
    server.url,
    target,
  ]);
  assert.match(stdout, /wrote .*table\.json: Redis 7\.0\.\d+, \d+ commands/);
  // Atomic write: nothing but the result is left in the directory.
  assert.deepEqual(readdirSync(out), ['table.json']);
  const regenerated = readFileSync(target, 'utf8');
  const committed = readFileSync(COMMITTED, 'utf8');
  const fresh = JSON.parse(regenerated);
  fresh.redisVersion = REDIS_7_0_COMMAND_TABLE.redisVersion; // the patch release may differ; the commands may not
  assert.deepEqual(
    fresh,
    JSON.parse(committed),
    `${COMMITTED} is stale: regenerate it with scripts/gen-command-table.ts`,
  );
  if (version === REDIS_7_0_COMMAND_TABLE.redisVersion) assert.equal(regenerated, committed);
});

test('the table has what ACL evaluation needs', async () => {
  const t = REDIS_7_0_COMMAND_TABLE;
  assert.equal(
    Number(await server.command('COMMAND', 'COUNT')),
    Object.keys(t.commands).filter((n) => !n.includes('|')).length,
  );
  assert.deepEqual(t.commands.config.subcommands, [
    'config|get',
    'config|help',
    'config|resetstat',
    'config|rewrite',
    'config|set',
  ]);
  assert.deepEqual(t.commands.config.categories, ['slow']);
  assert.deepEqual(t.commands['config|set'].categories, ['admin', 'dangerous', 'slow']);
  assert.ok(t.commands['function|load'].categories.includes('write'));
  assert.ok(t.commands['function|load'].categories.includes('scripting'));
  assert.ok(t.commands.auth.flags.includes('no_auth'));
  assert.ok(t.categories.includes('hyperloglog'));
  assert.equal(t.commands.eval.group, 'scripting');
});
