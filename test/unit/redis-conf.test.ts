import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  canonicalDirectiveName,
  effectiveConfigValues,
  loadRedisConf,
  parseRedisConf,
  type RedisConf,
  type RedisConfOptions,
  RedisConfParseError,
  renamedCommands,
  splitConfArgs,
} from '../../src/redis/redis-conf.ts';

const FIXTURES = 'test/fixtures/security';

function parse(text: string, options: Partial<RedisConfOptions> = {}): RedisConf {
  return parseRedisConf(text, { file: '/etc/redis/redis.conf', ...options });
}

function parseError(text: string, options: Partial<RedisConfOptions> = {}): RedisConfParseError {
  try {
    parse(text, options);
  } catch (e) {
    assert.ok(e instanceof RedisConfParseError, `expected RedisConfParseError, got ${e}`);
    return e;
  }
  assert.fail('expected a RedisConfParseError');
}

/** An in-memory file system for includes. */
function memoryFs(files: Record<string, string>): Pick<RedisConfOptions, 'readFile' | 'listDir'> {
  return {
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return files[p];
    },
    listDir: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const p of Object.keys(files)) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]);
      if (names.size === 0) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return [...names];
    },
  };
}

const args = (conf: RedisConf) => conf.directives.map((d) => [d.name, ...d.args]);

describe('arguments are split like sdssplitargs', () => {
  test('double quotes with escapes', () => {
    assert.deepEqual(splitConfArgs('requirepass "a b\\"c\\\\d"'), ['requirepass', 'a b"c\\d']);
    assert.deepEqual(splitConfArgs('x "\\n\\r\\t\\b\\a\\q"'), ['x', '\n\r\t\b\x07q']);
    assert.deepEqual(splitConfArgs('x "\\x41\\x7a\\xzz\\x4"'), ['x', 'Azxzzx4']);
    assert.deepEqual(splitConfArgs('x "\\xc3\\xa9"'), ['x', 'é']);
    assert.deepEqual(splitConfArgs('x ""'), ['x', '']);
  });

  test("single quotes: only \\' is an escape", () => {
    assert.deepEqual(splitConfArgs("x 'it\\'s' 'a\\nb'"), ['x', "it's", 'a\\nb']);
    assert.deepEqual(splitConfArgs("x ''"), ['x', '']);
  });

  test('quotes may start inside a word, and must be followed by a space', () => {
    assert.deepEqual(splitConfArgs('x a"b c" d'), ['x', 'ab c', 'd']);
    assert.deepEqual(splitConfArgs("x a'b c'\td"), ['x', 'ab c', 'd']);
    assert.equal(splitConfArgs('x "ab"c'), null);
    assert.equal(splitConfArgs("x 'ab'c"), null);
  });

  test('unterminated quotes', () => {
    assert.equal(splitConfArgs('x "abc'), null);
    assert.equal(splitConfArgs("x 'abc"), null);
    assert.equal(splitConfArgs('x "abc\\"'), null);
  });

  test('blanks: \\v and \\f separate arguments only between them, not inside a word', () => {
    assert.deepEqual(splitConfArgs('a \v b'), ['a', 'b']);
    assert.deepEqual(splitConfArgs('a\vb'), ['a\vb']);
    assert.deepEqual(splitConfArgs('  a\t\tb  '), ['a', 'b']);
  });
});

describe('lines', () => {
  test('comments, blank lines, CRLF, indentation', () => {
    const conf = parse('# comment\n\n   # indented comment\r\n  port 7000\r\n\t\nbind 127.0.0.1\n \v \n');
    assert.deepEqual(args(conf), [
      ['port', '7000'],
      ['bind', '127.0.0.1'],
    ]);
    assert.deepEqual(
      conf.directives.map((d) => d.location.line),
      [4, 6],
    );
    assert.deepEqual(conf.warnings, []);
  });

  test('there are no trailing comments: Redis refuses `port 6379 # x`', () => {
    const conf = parse('port 6379 # plaintext\nbind 127.0.0.1 -::1 # loopback\n');
    assert.deepEqual(conf.directives[0].args, ['6379', '#', 'plaintext']);
    assert.equal(conf.warnings.length, 1);
    assert.match(conf.warnings[0].message, /'port': wrong number of arguments/);
    assert.equal(conf.warnings[0].location.line, 1);
    // bind takes any number of addresses, so its comment becomes addresses Redis then fails to bind.
    assert.deepEqual(conf.directives[1].args, ['127.0.0.1', '-::1', '#', 'loopback']);
  });

  test('directive names are case-insensitive; repeated directives are kept in order', () => {
    const conf = parse('PORT 1\nMaxMemory 1mb\nport 2\nport 3\n');
    assert.deepEqual(args(conf), [
      ['port', '1'],
      ['maxmemory', '1mb'],
      ['port', '2'],
      ['port', '3'],
    ]);
    assert.equal(effectiveConfigValues(conf).values.port, '3');
    assert.deepEqual(effectiveConfigValues(conf).locations.port, { file: '/etc/redis/redis.conf', line: 4 });
  });

  test('a NUL byte drops the rest of its fgets chunk, newline included, as in Redis', () => {
    const conf = parse('port 6379\0ignored\nbind 127.0.0.1\nmaxclients 5\n');
    assert.deepEqual(args(conf), [
      ['port', '6379bind', '127.0.0.1'],
      ['maxclients', '5'],
    ]);
  });

  test('unbalanced quotes are an error with the line', () => {
    for (const bad of ['requirepass "abc', "requirepass 'abc", 'requirepass "abc"def']) {
      const e = parseError(`port 1\n\n${bad}\nport 2\n`);
      assert.equal(e.line, 3, bad);
      assert.equal(e.file, '/etc/redis/redis.conf');
      assert.match(e.message, /^\/etc\/redis\/redis\.conf:3: Unbalanced quotes/);
      assert.ok(!e.message.includes('abc'), 'the error echoes the value (it may be a password)');
    }
  });

  test('a multi-argument setting given as one argument is split again', () => {
    const conf = parse('save "900 1 300 10"\nbind "127.0.0.1 ::1"\nsave ""\n');
    assert.deepEqual(args(conf), [
      ['save', '900', '1', '300', '10'],
      ['bind', '127.0.0.1', '::1'],
      ['save', ''],
    ]);
  });
});

describe('aliases are normalised to the 7.0 name', () => {
  test('old names', () => {
    const conf = parse(
      [
        'slaveof 10.0.0.1 6379',
        'slave-read-only no',
        'lua-time-limit 100',
        'hash-max-ziplist-entries 64',
        'zset-max-ziplist-value 32',
        'list-max-ziplist-size -1',
        'slave-priority 5',
        'masterauth secret',
      ].join('\n'),
    );
    assert.deepEqual(
      conf.directives.map((d) => `${d.written}→${d.name}`),
      [
        'slaveof→replicaof',
        'slave-read-only→replica-read-only',
        'lua-time-limit→busy-reply-threshold',
        'hash-max-ziplist-entries→hash-max-listpack-entries',
        'zset-max-ziplist-value→zset-max-listpack-value',
        'list-max-ziplist-size→list-max-listpack-size',
        'slave-priority→replica-priority',
        'masterauth→masterauth',
      ],
    );
    assert.deepEqual(conf.warnings, []);
    const { values } = effectiveConfigValues(conf);
    assert.equal(values.replicaof, '10.0.0.1 6379');
    assert.equal(values['replica-read-only'], 'no');
    assert.equal(values['busy-reply-threshold'], '100');
    assert.equal(canonicalDirectiveName('SLAVEOF'), 'replicaof');
  });

  test('list-max-ziplist-entries/value are ignored by 7.0 (not aliases)', () => {
    const conf = parse('list-max-ziplist-entries 512\nlist-max-ziplist-value 64\n');
    assert.deepEqual(
      conf.directives.map((d) => d.kind),
      ['deprecated', 'deprecated'],
    );
    assert.equal(conf.warnings.length, 2);
    assert.deepEqual(effectiveConfigValues(conf).values, {});
  });
});

describe('directives Redis refuses become warnings, with its message', () => {
  test('unknown directive, wrong arguments, bad values', () => {
    const conf = parse(
      [
        'requirepas secret',
        'protected-mode maybe',
        'maxmemory 1.5gb',
        'timeout 007',
        'save 900',
        'client-output-buffer-limit master 0 0 0',
        'replicaof 10.0.0.1 99999',
        'unixsocketperm 0799',
        'include a b',
        'mymodule.setting',
      ].join('\n'),
    );
    assert.deepEqual(
      conf.warnings.map((w) => [w.location.line, w.message.replace(/ \(Redis.*$/, '')]),
      [
        [1, "'requirepas': Bad directive or wrong number of arguments"],
        [2, "'protected-mode': argument must be 'yes' or 'no'"],
        [3, "'maxmemory': argument must be a memory value"],
        [4, "'timeout': argument couldn't be parsed into an integer"],
        [5, "'save': Invalid save parameters"],
        [6, "'client-output-buffer-limit': Invalid client class specified in buffer limit configuration."],
        [7, "'replicaof': Invalid master port"],
        [8, "'unixsocketperm': argument couldn't be parsed as an octal number"],
        [9, "'include': Bad directive or wrong number of arguments"],
        [10, "'mymodule.setting': Module config specified without value"],
      ],
    );
    assert.ok(
      conf.warnings.every((w) => !w.message.includes('secret')),
      'a warning echoes a value',
    );
  });

  test('known special directives are kept with their kind', () => {
    const conf = parse(
      'rename-command CONFIG ""\nuser alice on >pw ~* +@all\nloadmodule /x.so a b\nsentinel monitor m 1.2.3.4 6379 2\nmod.opt 1 2\n',
    );
    assert.deepEqual(
      conf.directives.map((d) => d.kind),
      ['rename-command', 'user', 'loadmodule', 'sentinel', 'module-config'],
    );
    assert.deepEqual(conf.directives[1].args, ['alice', 'on', '>pw', '~*', '+@all']);
    assert.deepEqual(conf.warnings, []);
  });
});

describe('effective values, as CONFIG GET prints them', () => {
  test('units, booleans, octal, replicaof no one', () => {
    const { values } = effectiveConfigValues(
      parse(
        [
          'maxmemory 2gb',
          'proto-max-bulk-len 1k',
          'client-query-buffer-limit 1KB',
          'maxmemory-clients 10%',
          'protected-mode YES',
          'maxmemory-policy ALLKEYS-LRU',
          'unixsocketperm 0777',
          'replicaof no one',
          'requirepass ""',
          'bind ""',
        ].join('\n'),
      ),
    );
    assert.deepEqual(values, {
      maxmemory: '2147483648',
      'proto-max-bulk-len': '1000',
      'client-query-buffer-limit': '1024',
      'maxmemory-clients': '10%',
      'protected-mode': 'yes',
      'maxmemory-policy': 'allkeys-lru',
      unixsocketperm: '777',
      replicaof: '',
      requirepass: '',
      bind: '',
    });
  });

  test('save lines accumulate from the first one of the file; save "" clears', () => {
    assert.equal(effectiveConfigValues(parse('save 900 1\nsave 300 10\n')).values.save, '900 1 300 10');
    assert.equal(effectiveConfigValues(parse('save 900 1\nsave ""\nsave 60 5\n')).values.save, '60 5');
    assert.equal(effectiveConfigValues(parse('save ""\n')).values.save, '');
  });

  test('client-output-buffer-limit: each line sets its classes, the others keep their defaults', () => {
    const { values } = effectiveConfigValues(
      parse('client-output-buffer-limit pubsub 0 0 0\nclient-output-buffer-limit replica 1gb 512mb 120\n'),
    );
    assert.equal(values['client-output-buffer-limit'], 'normal 0 0 0 slave 1073741824 536870912 120 pubsub 0 0 0');
  });

  test('dir is resolved; relative to the file without a cwd', () => {
    assert.equal(effectiveConfigValues(parse('dir data\n')).values.dir, '/etc/redis/data');
    assert.equal(effectiveConfigValues(parse('dir data\n', { cwd: '/srv' })).values.dir, '/srv/data');
    assert.equal(effectiveConfigValues(parse('dir /var/lib/redis\ndir ../x\n')).values.dir, '/var/lib/x');
  });

  test('rename-command chains', () => {
    const conf = parse('rename-command CONFIG cfg1\nrename-command cfg1 cfg2\nrename-command FLUSHALL ""\n');
    assert.deepEqual(renamedCommands(conf), { config: 'cfg2', flushall: '' });
  });
});

describe('include', () => {
  test('followed in place, relative to the including file', () => {
    const fs = memoryFs({
      '/etc/redis/common.conf': 'port 7000\ninclude conf.d/extra.conf\n',
      '/etc/redis/conf.d/extra.conf': 'maxmemory 1mb\n',
    });
    const conf = parse('bind 127.0.0.1\ninclude common.conf\nport 7001\n', fs);
    assert.deepEqual(args(conf), [
      ['bind', '127.0.0.1'],
      ['include', 'common.conf'],
      ['port', '7000'],
      ['include', 'conf.d/extra.conf'],
      ['maxmemory', '1mb'],
      ['port', '7001'],
    ]);
    assert.deepEqual(conf.files, ['/etc/redis/redis.conf', '/etc/redis/common.conf', '/etc/redis/conf.d/extra.conf']);
    assert.deepEqual(conf.directives[4].location, { file: '/etc/redis/conf.d/extra.conf', line: 1 });
    assert.equal(effectiveConfigValues(conf).values.port, '7001');
  });

  test('after a dir directive, relative includes resolve against it (Redis chdir()s)', () => {
    const fs = memoryFs({ '/var/lib/redis/late.conf': 'port 1\n' });
    assert.equal(parse('dir /var/lib/redis\ninclude late.conf\n', fs).directives.at(-1)?.args[0], '1');
  });

  test('wildcards: sorted matches; none is fine', () => {
    const fs = memoryFs({
      '/etc/redis/conf.d/b.conf': 'port 2\n',
      '/etc/redis/conf.d/a.conf': 'port 1\n',
      '/etc/redis/conf.d/.hidden.conf': 'port 3\n',
      '/etc/redis/conf.d/c.txt': 'port 4\n',
    });
    const conf = parse('include /etc/redis/conf.d/*.conf\ninclude /etc/redis/none.d/*.conf\n', fs);
    assert.deepEqual(
      conf.directives.filter((d) => d.name === 'port').map((d) => d.args[0]),
      ['1', '2'],
    );
  });

  test('a missing include is an error at the include line', () => {
    const e = parseError('port 1\ninclude /nope.conf\n', memoryFs({}));
    assert.equal(e.line, 2);
    assert.match(e.reason, /cannot read included file '\/nope\.conf' \(ENOENT\)/);
  });

  test('errors inside an included file name that file and its line', () => {
    const e = parseError('include other.conf\n', memoryFs({ '/etc/redis/other.conf': '\n\nport "1\n' }));
    assert.equal(e.file, '/etc/redis/other.conf');
    assert.equal(e.line, 3);
  });

  test('cycles are errors', () => {
    const fs = memoryFs({
      '/etc/redis/a.conf': 'include b.conf\n',
      '/etc/redis/b.conf': 'port 1\ninclude a.conf\n',
    });
    const e = parseError('include a.conf\n', fs);
    assert.equal(e.file, '/etc/redis/b.conf');
    assert.equal(e.line, 2);
    assert.match(e.reason, /include cycle: \/etc\/redis\/a\.conf → \/etc\/redis\/b\.conf → \/etc\/redis\/a\.conf/);
    const self = parseError('include redis.conf\n', memoryFs({ '/etc/redis/redis.conf': 'include redis.conf\n' }));
    assert.match(self.reason, /include cycle/);
  });

  test('the same file twice (not a cycle) is fine', () => {
    const fs = memoryFs({ '/etc/redis/x.conf': 'port 1\n' });
    assert.equal(parse('include x.conf\ninclude x.conf\n', fs).directives.length, 4);
  });

  test('depth limit', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`/etc/redis/${i}.conf`] = `include ${i + 1}.conf\n`;
    const e = parseError('include 0.conf\n', { ...memoryFs(files), maxIncludeDepth: 16 });
    assert.match(e.reason, /nested more than 16 levels/);
    assert.equal(e.file, '/etc/redis/15.conf');
  });

  test('on disk: a directory is included as nothing (fopen succeeds, fgets reads nothing)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-conf-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'main.conf'), 'include conf.d\nport 1\n');
    assert.deepEqual(
      loadRedisConf(join(dir, 'main.conf')).directives.map((d) => d.name),
      ['include', 'port'],
    );
  });

  test('on disk: symlinked cycles are found through realpath', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-conf-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'main.conf'), 'include sub/link.conf\n');
    symlinkSync(join(dir, 'main.conf'), join(dir, 'sub', 'link.conf'));
    assert.throws(
      () => loadRedisConf(join(dir, 'main.conf')),
      (e: unknown) => e instanceof RedisConfParseError && /include cycle/.test(e.reason),
    );
  });
});

describe('files', () => {
  test('a missing file is an error at line 0', () => {
    const e = (() => {
      try {
        loadRedisConf('/nonexistent/redis.conf');
      } catch (err) {
        return err;
      }
    })();
    assert.ok(e instanceof RedisConfParseError);
    assert.equal(e.line, 0);
    assert.match(e.message, /cannot read the configuration file \(ENOENT\)/);
  });

  test("Debian's packaged redis.conf (2276 lines) reads cleanly", () => {
    const conf = loadRedisConf(`${FIXTURES}/debian-default.conf`);
    assert.deepEqual(conf.warnings, []);
    const { values } = effectiveConfigValues(conf);
    assert.equal(values.bind, '127.0.0.1 -::1');
    assert.equal(values['protected-mode'], 'yes');
    assert.equal(values.dir, '/var/lib/redis');
    assert.equal(values.save, undefined, 'the packaged file has no active save line');
    assert.equal(
      values['client-output-buffer-limit'],
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    );
    assert.equal(values['proc-title-template'], '{title} {listen-addr} {server-mode}');
  });

  test('every fixture config reads without a warning', async () => {
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.conf'))) {
      assert.deepEqual(loadRedisConf(join(FIXTURES, f)).warnings, [], f);
    }
  });
});
