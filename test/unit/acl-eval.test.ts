import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { applyAclRules, newAclUser } from '../../src/redis/acl-rules.ts';
import type { AclUser } from '../../src/redis/acl-user.ts';
import {
  aclRuleProblems,
  buildCommandTable,
  commandTableJson,
  loadCommandTable,
  REDIS_7_0_COMMAND_TABLE,
  runnableCommands,
  userCan,
} from '../../src/security/acl-eval.ts';

const table = REDIS_7_0_COMMAND_TABLE;
const u = (...rules: string[]): AclUser => applyAclRules(newAclUser('u'), rules);
const can = (user: AclUser, command: string) => userCan(user, command, table);

describe('userCan (the integration test compares it with ACL DRYRUN)', () => {
  test('the bundled table is Redis 7.0', () => {
    assert.equal(loadCommandTable(), table);
    assert.match(table.redisVersion, /^7\.0\./);
    assert.equal(runnableCommands(table).includes('config|set'), true);
    assert.equal(runnableCommands(table).includes('config'), false);
  });

  test('order matters', () => {
    assert.equal(can(u('+@all', '-@dangerous'), 'flushall'), false);
    assert.equal(can(u('-@dangerous', '+@all'), 'flushall'), true);
    assert.equal(can(u('+@write', '-@dangerous'), 'function|load'), true);
    assert.equal(can(u('+@write', '-@scripting'), 'function|load'), false);
  });

  test('containers: +cmd grants every subcommand, a category on a container does too', () => {
    assert.equal(can(u('+config'), 'config|set'), true);
    assert.equal(can(u('+config', '-config|set'), 'config|set'), false);
    assert.equal(can(u('+config', '-config|set'), 'config|get'), true);
    assert.equal(can(u('+@slow'), 'config|set'), true);
    assert.equal(can(u('+@all', '-@slow'), 'client|id'), false);
  });

  test('first arguments', () => {
    const user = u('+select|0');
    assert.equal(can(user, 'select|0'), true);
    assert.equal(can(user, 'SELECT 0'), true);
    assert.equal(can(user, 'select|1'), false);
    assert.equal(can(user, 'select'), false);
    // +select resets the first arguments; -select too.
    assert.equal(can(u('+select|0', '-select'), 'select|0'), false);
  });

  test('a container alone asks whether any subcommand is allowed', () => {
    assert.equal(can(u('+config|get'), 'config'), true);
    assert.equal(can(u('+get'), 'config'), false);
  });

  test('commands the table does not know follow the last +@all / -@all', () => {
    assert.equal(can(u('+@all', '-get'), 'json.set'), true);
    assert.equal(can(u('-@all', '+@all', '-@all', '+get'), 'json.set'), false);
    assert.equal(can(u('+@all'), 'config|nosuchsub'), true);
  });

  test('no_auth commands whatever the rules', () => {
    assert.equal(can(u('-@all'), 'auth'), true);
    assert.equal(can(u('-@all'), 'hello'), true);
  });

  test('selectors grant on their own', () => {
    const user = u('-@all', '(~x +get)', '(+@admin -config|set)');
    assert.equal(can(user, 'get'), true);
    assert.equal(can(user, 'config|get'), true);
    assert.equal(can(user, 'config|set'), false);
  });
});

describe('aclRuleProblems', () => {
  test('what the server would refuse', () => {
    assert.deepEqual(aclRuleProblems(u('+@all', '-@dangerous', '+config|get', '+select|0'), table), []);
    assert.deepEqual(aclRuleProblems(u('+nosuch', '-@nocat', '-select|0', '+config|nosuch', '(+json.get)'), table), [
      "unknown command 'nosuch'",
      "unknown ACL category '@nocat'",
      "unknown command 'select|0'",
      "unknown command 'config|nosuch'",
      "unknown command 'json.get'",
    ]);
  });
});

describe('building a table from replies', () => {
  test('COMMAND INFO / COMMAND DOCS / ACL CAT → table, deterministic JSON', () => {
    const info = [
      ['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast'], [], [], []],
      [
        'config',
        -2,
        [],
        0,
        0,
        0,
        ['@slow'],
        [],
        [],
        [
          ['config|set', -4, ['admin', 'noscript'], 0, 0, 0, ['@admin', '@slow', '@dangerous'], [], [], []],
          ['config|get', -3, ['admin'], 0, 0, 0, ['@admin', '@slow', '@dangerous'], [], [], []],
        ],
      ],
    ];
    const docs = [
      'get',
      ['summary', 'x', 'group', 'string'],
      'config',
      ['group', 'server', 'subcommands', ['config|set', ['group', 'server'], 'config|get', ['group', 'server']]],
    ];
    const t = buildCommandTable(info, docs, ['write', 'read', 'admin'], '7.0.99');
    assert.deepEqual(t, {
      redisVersion: '7.0.99',
      categories: ['admin', 'read', 'write'],
      commands: {
        config: {
          arity: -2,
          flags: [],
          categories: ['slow'],
          group: 'server',
          subcommands: ['config|get', 'config|set'],
        },
        'config|get': { arity: -3, flags: ['admin'], categories: ['admin', 'dangerous', 'slow'], group: 'server' },
        'config|set': {
          arity: -4,
          flags: ['admin', 'noscript'],
          categories: ['admin', 'dangerous', 'slow'],
          group: 'server',
        },
        get: { arity: 2, flags: ['fast', 'readonly'], categories: ['fast', 'read', 'string'], group: 'string' },
      },
    });
    assert.deepEqual(JSON.parse(commandTableJson(t)), t);
  });

  test('the committed file is in the generator’s format', () => {
    const text = readFileSync('src/security/data/command-table-7.0.json', 'utf8');
    assert.equal(commandTableJson(JSON.parse(text)), text);
  });
});
