/**
 * userCan against the real thing: for users whose rule order is tricky, every runnable command and subcommand of
 * the 7.0 table is asked of a real redis-server 7.0 with ACL DRYRUN, and userCan must give the same answer — for
 * the users as parsed from the aclfile the server loaded and as parsed from its ACL LIST.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAclFile, parseAclList } from '../../src/redis/acl-rules.ts';
import type { AclUser } from '../../src/redis/acl-user.ts';
import { type CommandInfo, REDIS_7_0_COMMAND_TABLE, runnableCommands, userCan } from '../../src/security/acl-eval.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { respCommands } from '../support/resp.ts';

const table = REDIS_7_0_COMMAND_TABLE;

/** Rules after `on nopass ~* &*`, so DRYRUN answers only about commands (keys and channels are all allowed). */
const USERS: Record<string, string> = {
  'all-minus-dangerous': '+@all -@dangerous',
  'minus-dangerous-plus-all': '-@dangerous +@all',
  'write-minus-scripting': '+@write -@scripting',
  'write-minus-dangerous': '+@write -@dangerous',
  app: '+@read +@write +@connection -@dangerous -@scripting -@hyperloglog',
  'config-get': '+config|get',
  'info-only': '-@all +info',
  none: 'nocommands',
  everything: 'allcommands',
  'slow-only': '-@all +@slow',
  'all-but-slow': '+@all -@slow',
  mixed: '+@all -config +config|get -@scripting +eval -select +select|0 -client|kill',
  containers: '-@all +client -client|kill +object|encoding +acl|whoami',
  'dangerous-not-admin': '+@dangerous -@admin',
  'admin-then-subs': '-@all +@admin -config|set +debug -acl +acl|dryrun',
  'sub-then-category': '-@all +config|set -@admin +@fast -get',
  selectors: '-@all +get (~* &* +set +config|get) (~* &* +@scripting -eval)',
  reset: '+@all reset on nopass ~* &* +@read',
  'first-args': '-@all +select|0 +select|1 +debug|object +client|id',
  'all-minus-all': '+@all -@all +@pubsub -publish',
};

let server: RedisServer;
let fromFile: AclUser[];
let fromAclList: AclUser[];

before(async () => {
  server = await startRedis({
    aclUsers: Object.entries(USERS).map(([name, rules]) => `${name} on nopass ~* &* ${rules}`),
  });
  fromFile = parseAclFile(readFileSync(join(server.dir, 'users.acl')), { file: 'users.acl' }).users;
  fromAclList = parseAclList((await server.command('ACL', 'LIST')) as string[]);
});
after(async () => {
  await server?.stop();
});

/** A DRYRUN command line with the command's minimum number of arguments ('x' for each argument). */
function dryRunLine(name: string, info: CommandInfo): string[] {
  const args = name.split('|');
  const n = Math.abs(info.arity);
  while (args.length < n) args.push('x');
  return args;
}

function dryRunAnswer(reply: unknown, what: string): boolean {
  if (reply === 'OK') return true;
  if (typeof reply === 'string' && reply.includes('no permissions to run')) return false;
  throw new Error(`unexpected ACL DRYRUN reply for ${what}: ${JSON.stringify(reply)}`);
}

function user(list: AclUser[], name: string): AclUser {
  const u = list.find((x) => x.name === name);
  assert.ok(u, `user ${name} not parsed`);
  return u;
}

describe('userCan agrees with ACL DRYRUN on redis-server 7.0', () => {
  test('every runnable command and subcommand, every user', async () => {
    const commands = runnableCommands(table);
    assert.ok(commands.length > 300, `only ${commands.length} commands in the table`);
    const asks: Array<{ user: string; command: string }> = [];
    const lines: string[][] = [];
    for (const name of Object.keys(USERS)) {
      for (const command of commands) {
        asks.push({ user: name, command });
        lines.push(['ACL', 'DRYRUN', name, ...dryRunLine(command, table.commands[command])]);
      }
      // First arguments of commands without subcommands.
      for (const [command, line] of [
        ['select|0', ['SELECT', '0']],
        ['select|1', ['SELECT', '1']],
        ['select|2', ['SELECT', '2']],
        ['debug|object', ['DEBUG', 'OBJECT', 'x']],
        ['debug|sleep', ['DEBUG', 'SLEEP', '0']],
      ] as const) {
        asks.push({ user: name, command });
        lines.push(['ACL', 'DRYRUN', name, ...line]);
      }
    }
    const replies = await respCommands(server.endpoint, lines, 60_000);
    const mismatches: string[] = [];
    const answers = { allowed: 0, denied: 0 };
    for (let i = 0; i < asks.length; i++) {
      const { user: name, command } = asks[i];
      const expected = dryRunAnswer(replies[i], `${name} ${command}`);
      answers[expected ? 'allowed' : 'denied']++;
      for (const [source, list] of [
        ['aclfile', fromFile],
        ['ACL LIST', fromAclList],
      ] as const) {
        const got = userCan(user(list, name), command, table);
        if (got !== expected)
          mismatches.push(`${name} (${source}) ${command}: userCan ${got}, DRYRUN ${expected ? 'OK' : 'denied'}`);
      }
    }
    assert.deepEqual(mismatches, [], `${mismatches.length} disagreements:\n${mismatches.slice(0, 40).join('\n')}`);
    // Not a vacuous comparison: the users between them allow and deny thousands of commands.
    assert.ok(answers.allowed > 2000 && answers.denied > 2000, JSON.stringify(answers));
  });

  test('the cases the security checks rely on', () => {
    const can = (name: string, command: string) => userCan(user(fromAclList, name), command, table);
    // +@write includes FUNCTION LOAD (Lua) and PFADD: -@dangerous does not take them away, -@scripting does.
    assert.equal(can('write-minus-dangerous', 'function|load'), true);
    assert.equal(can('write-minus-dangerous', 'pfadd'), true);
    assert.equal(can('write-minus-scripting', 'function|load'), false);
    assert.equal(can('app', 'function|load'), false);
    assert.equal(can('app', 'pfadd'), false);
    assert.equal(can('app', 'flushall'), false);
    assert.equal(can('app', 'config|set'), false);
    // Order matters: -@dangerous before +@all is overridden.
    assert.equal(can('all-minus-dangerous', 'flushall'), false);
    assert.equal(can('minus-dangerous-plus-all', 'flushall'), true);
    // A container command is @slow, so +@slow grants every CONFIG subcommand, CONFIG SET included.
    assert.equal(can('slow-only', 'config|set'), true);
    assert.equal(can('config-get', 'config|get'), true);
    assert.equal(can('config-get', 'config|set'), false);
    assert.equal(can('mixed', 'select|0'), true);
    assert.equal(can('mixed', 'select|1'), false);
    assert.equal(can('mixed', 'eval'), true);
    assert.equal(can('mixed', 'evalsha'), false);
    // AUTH and HELLO are allowed whatever the rules.
    assert.equal(can('none', 'auth'), true);
    assert.equal(can('none', 'ping'), false);
    assert.equal(can('everything', 'module|load'), true);
    // Selectors grant on their own.
    assert.equal(can('selectors', 'set'), true);
    assert.equal(can('selectors', 'config|get'), true);
    assert.equal(can('selectors', 'evalsha'), true);
    assert.equal(can('selectors', 'eval'), false);
    // A container alone: whether any subcommand is allowed.
    assert.equal(can('config-get', 'config'), true);
    assert.equal(can('info-only', 'config'), false);
  });
});
