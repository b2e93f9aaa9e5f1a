import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  AclParseError,
  aclPasswordHash,
  applyAclRules,
  builtinDefaultUser,
  mergeSelectorArgs,
  newAclUser,
  parseAclFile,
  parseAclList,
  parseAclListLine,
  usersFromConfigDirectives,
} from '../../src/redis/acl-rules.ts';
import type { AclUser } from '../../src/redis/acl-user.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const FOOBARED = '1b58ee375b42e41f0e48ef2ff27d10a5b1f6924a9acdcdba7cae868e7adce6bf';

function rules(...ops: string[]): AclUser {
  return applyAclRules(newAclUser('u'), ops);
}

function ruleError(ops: string[]): AclParseError {
  try {
    rules(...ops);
  } catch (e) {
    assert.ok(e instanceof AclParseError, `expected AclParseError, got ${e}`);
    return e;
  }
  assert.fail(`expected ${ops.join(' ')} to be refused`);
}

describe('ACL LIST lines', () => {
  test('the default user', () => {
    const u = parseAclListLine('user default on nopass sanitize-payload ~* &* +@all');
    assert.deepEqual(u, {
      name: 'default',
      enabled: true,
      nopass: true,
      passwordHashes: [],
      plaintextPasswords: [],
      keyPatterns: ['~*'],
      channelPatterns: ['*'],
      commandRules: ['+@all'],
      origin: 'acl-list',
    });
  });

  test('hashes, key and channel patterns, command rules, selectors', () => {
    const [u] = parseAclList([
      `user app on #${FOOBARED} ~app:* %R~ro:* resetchannels &app:* -@all +@read +config|get -flushall (~x:* resetchannels +set) (%W~w:* &* -@all +del)`,
    ]);
    assert.equal(u.name, 'app');
    assert.deepEqual(u.passwordHashes, [FOOBARED]);
    assert.deepEqual(u.plaintextPasswords, []);
    assert.deepEqual(u.keyPatterns, ['~app:*', '%R~ro:*']);
    assert.deepEqual(u.channelPatterns, ['app:*']);
    assert.deepEqual(u.commandRules, ['-@all', '+@read', '+config|get', '-flushall']);
    assert.deepEqual(u.selectors, [
      { keyPatterns: ['~x:*'], channelPatterns: [], commandRules: ['+set'] },
      { keyPatterns: ['%W~w:*'], channelPatterns: ['*'], commandRules: ['-@all', '+del'] },
    ]);
  });

  test('an off user with no rules', () => {
    const u = parseAclListLine('user t1 off resetchannels -@all');
    assert.equal(u.enabled, false);
    assert.equal(u.nopass, false);
    assert.deepEqual(u.keyPatterns, []);
  });

  test('not a user line', () => {
    assert.throws(() => parseAclListLine('default on nopass'), AclParseError);
  });
});

describe('rules apply in order, like ACL SETUSER', () => {
  test('>password: SHA-256 kept, plaintext only in plaintextPasswords', () => {
    const u = rules('on', '>foobared', '>foobared', '>s3cret');
    assert.deepEqual(u.passwordHashes, [FOOBARED, sha('s3cret')]);
    assert.deepEqual(u.plaintextPasswords, ['foobared', 's3cret']);
    assert.equal(aclPasswordHash('foobared'), FOOBARED);
    // An empty password is a password.
    assert.deepEqual(rules('>').passwordHashes, [sha('')]);
  });

  test('<password and !hash remove; nopass and resetpass', () => {
    const u = rules('>a', '>b', '<a');
    assert.deepEqual(u.passwordHashes, [sha('b')]);
    assert.deepEqual(u.plaintextPasswords, ['b']);
    assert.deepEqual(rules('>a', `!${sha('a')}`).passwordHashes, []);
    const np = rules('>a', 'nopass');
    assert.equal(np.nopass, true);
    assert.deepEqual(np.passwordHashes, []);
    assert.deepEqual(np.plaintextPasswords, []);
    assert.equal(rules('nopass', '>x').nopass, false);
    assert.equal(rules('nopass', 'resetpass').nopass, false);
  });

  test('errors never show a password or hash', () => {
    const e1 = ruleError(['<notthere']);
    assert.match(e1.message, /'<\*\*\*'.*does not exist/);
    assert.ok(!e1.message.includes('notthere'));
    const e2 = ruleError(['#ABCDEF']);
    assert.match(e2.message, /exactly 64 characters/);
    assert.ok(!e2.message.includes('ABCDEF'));
    assert.throws(() => rules(`#${FOOBARED.toUpperCase()}`), /lowercase hexadecimal/);
  });

  test('keys: allkeys, resetkeys, %R/%W merge, no pattern after ~*', () => {
    assert.deepEqual(rules('~a', 'allkeys').keyPatterns, ['~*']);
    assert.deepEqual(rules('~*', 'resetkeys', '~b').keyPatterns, ['~b']);
    assert.deepEqual(rules('%R~k', '%W~k', '%RW~j', '%WR~i').keyPatterns, ['~k', '~j', '~i']);
    assert.deepEqual(rules('%R~*').keyPatterns, ['%R~*']);
    assert.match(ruleError(['~*', '~b']).message, /after the \* pattern/);
    assert.match(ruleError(['%~k']).message, /Syntax error/); // CVE-2024-31227 fix
    assert.match(ruleError(['%X~k']).message, /Syntax error/);
    assert.match(ruleError(['%RR~k']).message, /Syntax error/);
  });

  test('channels: allchannels, resetchannels, no pattern after &*', () => {
    assert.deepEqual(rules('&a', '&b', '&a').channelPatterns, ['a', 'b']);
    assert.deepEqual(rules('allchannels').channelPatterns, ['*']);
    assert.deepEqual(rules('&*', 'resetchannels', '&c').channelPatterns, ['c']);
    assert.match(ruleError(['&*', '&q']).message, /after the \* pattern/);
    // A new user's channels follow acl-pubsub-default.
    assert.deepEqual(newAclUser('x', { aclPubsubDefault: 'allchannels' }).channelPatterns, ['*']);
    assert.deepEqual(newAclUser('x').channelPatterns, []);
  });

  test('commands: +@all / -@all and their aliases replace what came before', () => {
    assert.deepEqual(rules('-@dangerous', '+@all').commandRules, ['+@all']);
    assert.deepEqual(rules('+@all', '-@dangerous').commandRules, ['+@all', '-@dangerous']);
    assert.deepEqual(rules('+get', 'allcommands', '-SET').commandRules, ['+@all', '-set']);
    assert.deepEqual(rules('+get', 'NOCOMMANDS').commandRules, ['-@all']);
    assert.deepEqual(rules('+CONFIG|GET', '+select|0').commandRules, ['+config|get', '+select|0']);
  });

  test('syntax errors', () => {
    for (const bad of ['bogus', '+', '+config|', '+a|b|c', ')', '*']) {
      assert.throws(() => rules(bad), AclParseError, bad);
    }
    assert.match(ruleError(['+a|b|c']).message, /first-arg of a subcommand/);
  });

  test('reset: off, no passwords, no keys or channels, -@all, no selectors', () => {
    const u = rules('on', '>pw', '~*', '&*', '+@all', '(+get)', 'skip-sanitize-payload', 'reset');
    assert.deepEqual(u, {
      name: 'u',
      enabled: false,
      nopass: false,
      passwordHashes: [],
      plaintextPasswords: [],
      keyPatterns: [],
      channelPatterns: [],
      commandRules: ['-@all'],
    });
  });

  test('selectors: merged across arguments, cleared by clearselectors, quoted inside', () => {
    assert.deepEqual(mergeSelectorArgs(['on', '(~a', '+get', '-set)', '+del']), ['on', '(~a +get -set)', '+del']);
    assert.throws(() => mergeSelectorArgs(['(~a', '+get']), /Unmatched parenthesis/);
    const u = rules('(~a +get)', '()', '(~b "+set")');
    assert.deepEqual(
      u.selectors?.map((s) => s.commandRules),
      [['+get'], [], ['+set']],
    );
    assert.equal(rules('(~a)', 'clearselectors').selectors, undefined);
    // Unbalanced quotes inside a selector give an empty selector, as in Redis.
    assert.deepEqual(rules('(~a "+get)').selectors, [{ keyPatterns: [], channelPatterns: [], commandRules: [] }]);
    assert.throws(() => rules('(on)'), /Syntax error/);
  });

  test('skip-sanitize-payload', () => {
    assert.equal(rules('skip-sanitize-payload').skipSanitizePayload, true);
    assert.equal(rules('skip-sanitize-payload', 'sanitize-payload').skipSanitizePayload, undefined);
  });
});

describe('aclfile', () => {
  const file = '/etc/redis/users.acl';

  test('users, blank lines, no default line → the built-in default user', () => {
    const { users, implicitDefault } = parseAclFile(
      `\nuser alice on >pw ~app:* +@read\n\n   \r\nuser bob off #${FOOBARED}\n`,
      { file },
    );
    assert.equal(implicitDefault, true);
    assert.deepEqual(
      users.map((u) => [u.name, u.origin, u.location?.line]),
      [
        ['default', 'builtin', undefined],
        ['alice', 'aclfile', 2],
        ['bob', 'aclfile', 5],
      ],
    );
    assert.deepEqual(users[0], builtinDefaultUser());
    assert.deepEqual(users[1].plaintextPasswords, ['pw']);
    assert.deepEqual(users[1].channelPatterns, [], 'acl-pubsub-default resetchannels');
  });

  test('a default line defines the default user from scratch', () => {
    const { users, implicitDefault } = parseAclFile('user default on >x ~*\n', { file });
    assert.equal(implicitDefault, false);
    assert.deepEqual(users[0].commandRules, []);
    assert.equal(users[0].enabled, true);
  });

  test('split on single spaces: no quoting, empty arguments ignored, tabs trimmed from each rule', () => {
    const { users } = parseAclFile('user a on  >"pw ~k\t +get\t\n', { file });
    const a = users.find((u) => u.name === 'a');
    assert.deepEqual(a?.plaintextPasswords, ['"pw']);
    assert.throws(() => parseAclFile('user a on  >"pw x" ~k\n', { file }), /Syntax error/); // x" is not a rule
    assert.deepEqual(a?.commandRules, ['+get']);
  });

  test('comments are refused, as Redis refuses them', () => {
    const e = (() => {
      try {
        parseAclFile('user a on\n# users for the app\nuser b on\n', { file });
      } catch (err) {
        return err;
      }
    })();
    assert.ok(e instanceof AclParseError);
    assert.equal(e.file, file);
    assert.equal(e.line, 2);
    assert.match(e.message, /does not allow comments in an ACL file/);
  });

  test('other refused lines, with their line', () => {
    const cases: Array<[string, RegExp, number]> = [
      ['user a on\nUSER b on\n', /case-sensitive/, 2],
      ['user\n', /should start with "user" followed by the username/, 1],
      ['user a on\nuser a off\n', /duplicate user 'a'/, 2],
      ['user a\ton\n', /username 'a\ton' contains invalid characters/, 1],
      ['user a on (~x +get\n', /Unmatched parenthesis/, 1],
      ['user a on >secret-pw ~* ~x\n', /after the \* pattern/, 1],
    ];
    for (const [text, re, line] of cases) {
      assert.throws(
        () => parseAclFile(text, { file }),
        (e: unknown) =>
          e instanceof AclParseError && re.test(e.message) && e.line === line && !e.message.includes('secret-pw'),
        text,
      );
    }
  });
});

describe('user directives in redis.conf', () => {
  const loc = (line: number) => ({ file: '/etc/redis/redis.conf', line });

  test('no user default: the default user keeps requirepass', () => {
    const users = usersFromConfigDirectives([{ args: ['bob', 'on', '>x', '+@all'], location: loc(3) }], {
      requirepass: 'foobared',
    });
    assert.deepEqual(
      users.map((u) => [u.name, u.origin, u.passwordHashes]),
      [
        ['default', 'requirepass', [FOOBARED]],
        ['bob', 'config', [sha('x')]],
      ],
    );
  });

  test('user default resets the default user first (requirepass is lost)', () => {
    const [d] = usersFromConfigDirectives([{ args: ['default', 'on', '~*', '+@all'], location: loc(1) }], {
      requirepass: 'foobared',
    });
    assert.equal(d.nopass, false);
    assert.deepEqual(d.passwordHashes, []);
    assert.deepEqual(d.channelPatterns, []);
    assert.deepEqual(d.commandRules, ['+@all']);
  });

  test('quoted passwords with spaces (the config parser unquoted them)', () => {
    const users = usersFromConfigDirectives([{ args: ['alice', 'on', '>pass word', '~*'], location: loc(1) }]);
    assert.deepEqual(users[1].plaintextPasswords, ['pass word']);
  });

  test('errors carry the directive location; duplicates are refused', () => {
    assert.throws(
      () => usersFromConfigDirectives([{ args: ['a', 'bogus'], location: loc(7) }]),
      (e: unknown) => e instanceof AclParseError && e.line === 7 && /Syntax error/.test(e.message),
    );
    assert.throws(
      () =>
        usersFromConfigDirectives([
          { args: ['a'], location: loc(1) },
          { args: ['a'], location: loc(2) },
        ]),
      (e: unknown) => e instanceof AclParseError && e.line === 2 && /Duplicate user/.test(e.message),
    );
  });
});
