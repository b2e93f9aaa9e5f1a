import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TargetError } from '../../src/redis/errors.ts';
import { parseTarget, redactRaw, withCredentials } from '../../src/redis/target.ts';

/** The fields that matter, without undefined username/password noise. */
function shape(input: string) {
  const t = parseTarget(input);
  return {
    scheme: t.scheme,
    host: t.host,
    port: t.port,
    path: t.path,
    db: t.db,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    display: t.display,
  };
}

describe('parseTarget: address forms', () => {
  const cases: Array<[string, ReturnType<typeof shape>]> = [
    [
      'redis://127.0.0.1:6379',
      { scheme: 'redis', host: '127.0.0.1', port: 6379, path: '', db: 0, display: 'redis://127.0.0.1:6379' },
    ],
    [
      'redis://localhost',
      { scheme: 'redis', host: 'localhost', port: 6379, path: '', db: 0, display: 'redis://localhost:6379' },
    ],
    [
      'redis://cache.internal:7000/3',
      {
        scheme: 'redis',
        host: 'cache.internal',
        port: 7000,
        path: '',
        db: 3,
        display: 'redis://cache.internal:7000/3',
      },
    ],
    [
      'redis://cache.internal:7000/',
      { scheme: 'redis', host: 'cache.internal', port: 7000, path: '', db: 0, display: 'redis://cache.internal:7000' },
    ],
    [
      'rediss://redis.example.com:6380/1',
      {
        scheme: 'rediss',
        host: 'redis.example.com',
        port: 6380,
        path: '',
        db: 1,
        display: 'rediss://redis.example.com:6380/1',
      },
    ],
    [
      'unix:///run/redis/redis.sock',
      {
        scheme: 'unix',
        host: '',
        port: 0,
        path: '/run/redis/redis.sock',
        db: 0,
        display: 'unix:///run/redis/redis.sock',
      },
    ],
    [
      'unix:///run/redis/redis.sock?db=5',
      {
        scheme: 'unix',
        host: '',
        port: 0,
        path: '/run/redis/redis.sock',
        db: 5,
        display: 'unix:///run/redis/redis.sock?db=5',
      },
    ],
    [
      '/run/redis/redis.sock',
      {
        scheme: 'unix',
        host: '',
        port: 0,
        path: '/run/redis/redis.sock',
        db: 0,
        display: 'unix:///run/redis/redis.sock',
      },
    ],
    [
      'unix:///run/redis@6379/redis.sock',
      {
        scheme: 'unix',
        host: '',
        port: 0,
        path: '/run/redis@6379/redis.sock',
        db: 0,
        display: 'unix:///run/redis@6379/redis.sock',
      },
    ],
    [
      'cache.internal:6380',
      { scheme: 'redis', host: 'cache.internal', port: 6380, path: '', db: 0, display: 'redis://cache.internal:6380' },
    ],
    [
      'cache.internal',
      { scheme: 'redis', host: 'cache.internal', port: 6379, path: '', db: 0, display: 'redis://cache.internal:6379' },
    ],
    ['[::1]:6379', { scheme: 'redis', host: '::1', port: 6379, path: '', db: 0, display: 'redis://[::1]:6379' }],
    [
      'redis://[::1]:6380/2',
      { scheme: 'redis', host: '::1', port: 6380, path: '', db: 2, display: 'redis://[::1]:6380/2' },
    ],
    ['rediss://[::1]', { scheme: 'rediss', host: '::1', port: 6379, path: '', db: 0, display: 'rediss://[::1]:6379' }],
    [
      'valkey://valkey.internal:6379/4',
      {
        scheme: 'redis',
        host: 'valkey.internal',
        port: 6379,
        path: '',
        db: 4,
        display: 'redis://valkey.internal:6379/4',
      },
    ],
    [
      'valkeys://valkey.internal',
      {
        scheme: 'rediss',
        host: 'valkey.internal',
        port: 6379,
        path: '',
        db: 0,
        display: 'rediss://valkey.internal:6379',
      },
    ],
    ['REDIS://h:1', { scheme: 'redis', host: 'h', port: 1, path: '', db: 0, display: 'redis://h:1' }],
    ['  redis://h:2  ', { scheme: 'redis', host: 'h', port: 2, path: '', db: 0, display: 'redis://h:2' }],
    [
      'redis://exporter@h:6379',
      {
        scheme: 'redis',
        host: 'h',
        port: 6379,
        path: '',
        db: 0,
        username: 'exporter',
        display: 'redis://exporter@h:6379',
      },
    ],
    [
      'redis://exporter:pw@h:6379/2',
      {
        scheme: 'redis',
        host: 'h',
        port: 6379,
        path: '',
        db: 2,
        username: 'exporter',
        password: 'pw',
        display: 'redis://exporter@h:6379/2',
      },
    ],
    [
      'redis://:pw@h',
      { scheme: 'redis', host: 'h', port: 6379, path: '', db: 0, password: 'pw', display: 'redis://h:6379' },
    ],
    ['redis://:@h', { scheme: 'redis', host: 'h', port: 6379, path: '', db: 0, display: 'redis://h:6379' }],
    [
      'unix://exporter:pw@/run/redis.sock?db=1',
      {
        scheme: 'unix',
        host: '',
        port: 0,
        path: '/run/redis.sock',
        db: 1,
        username: 'exporter',
        password: 'pw',
        display: 'unix://exporter@/run/redis.sock?db=1',
      },
    ],
  ];
  for (const [input, expected] of cases) {
    test(input.trim() || '(blank)', () => {
      assert.deepEqual(shape(input), expected);
    });
  }

  test('the display form never carries the password', () => {
    for (const input of ['redis://u:secret@h:1/2', 'rediss://:secret@h', 'unix://:secret@/tmp/s.sock?db=1']) {
      assert.ok(!parseTarget(input).display.includes('secret'), input);
    }
  });
});

describe('parseTarget: percent-encoded credentials', () => {
  const special: Array<[string, string]> = [
    ['@', '%40'],
    [':', '%3A'],
    ['/', '%2F'],
    ['#', '%23'],
    ['%', '%25'],
    ['?', '%3F'],
  ];
  for (const [ch, enc] of special) {
    test(`password with ${ch} encoded as ${enc}`, () => {
      const pw = `a${ch}b${ch}c`;
      const encoded = pw.split(ch).join(enc);
      assert.equal(parseTarget(`redis://:${encoded}@h:6379`).password, pw);
      assert.equal(parseTarget(`redis://user:${encoded.toLowerCase()}@h:6379/1`).password, pw);
      assert.equal(parseTarget(`rediss://user:${encoded}@[::1]:6380`).password, pw);
      assert.equal(parseTarget(`unix://:${encoded}@/run/redis.sock?db=2`).password, pw);
    });
  }

  test('all special characters together, via encodeURIComponent', () => {
    const pw = 'p@ss:w/rd#%?';
    const t = parseTarget(`redis://default:${encodeURIComponent(pw)}@127.0.0.1:6379`);
    assert.equal(t.username, 'default');
    assert.equal(t.password, pw);
    assert.equal(t.display, 'redis://default@127.0.0.1:6379');
  });

  test('an encoded @ in the user name', () => {
    const t = parseTarget('redis://ops%40team:pw@h');
    assert.equal(t.username, 'ops@team');
    assert.equal(t.display, 'redis://ops%40team@h:6379');
  });

  test('spaces and non-ASCII characters', () => {
    assert.equal(parseTarget('redis://:p%20w%C3%A9@h').password, 'p wé');
  });
});

describe('parseTarget: unencoded characters in credentials', () => {
  const secret = 'Zq9SECRET';
  const cases: Array<[string, string, string]> = [
    ['@', '%40', `redis://:${secret}@x@h:6379`],
    [':', '%3A', `redis://user:${secret}:x@h:6379`],
    [':', '%3A', `redis://:${secret}:x@h:6379`],
    ['/', '%2F', `redis://:${secret}/x@h:6379`],
    ['#', '%23', `redis://:${secret}#x@h:6379`],
    ['%', '%25', `redis://:${secret}%x@h:6379`],
    ['%', '%25', `redis://:${secret}%zz@h:6379`],
    ['?', '%3F', `redis://:${secret}?x@h:6379`],
    ['@', '%40', `unix://:${secret}@x@/run/redis.sock`],
    ['/', '%2F', `rediss://u:${secret}/x@h`],
  ];
  for (const [ch, enc, input] of cases) {
    test(`unencoded ${ch} → error naming ${ch} and ${enc}, without the password (${input.split(':')[0]})`, () => {
      let err: unknown;
      try {
        parseTarget(input);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TargetError, `expected a TargetError for ${input}`);
      const message = (err as Error).message;
      assert.ok(message.includes(`"${ch}"`), message);
      assert.ok(message.includes(enc), message);
      assert.ok(!message.includes(secret), message);
      assert.ok(!message.includes('x@h'), message);
    });
  }
});

describe('parseTarget: other errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['http://h:6379', /unsupported scheme "http:\/\/"/],
    ['redis://h:6379/x', /database "\/x".*not a number/],
    ['unix:///tmp/s.sock?db=x', /db=x.*not a number/],
    ['unix://tmp/s.sock', /absolute path/],
    ['redis://h:99999', /not a valid Redis address/],
  ];
  for (const [input, re] of cases) {
    test(input || '(empty)', () => {
      assert.throws(
        () => parseTarget(input),
        (e: unknown) => e instanceof TargetError && re.test(e.message),
      );
    });
  }

  test('an invalid address with credentials is echoed redacted', () => {
    assert.throws(
      () => parseTarget('redis://user:Zq9SECRET@'),
      (e: unknown) => e instanceof TargetError && !e.message.includes('Zq9SECRET') && e.message.includes('user:***@'),
    );
  });
});

describe('helpers', () => {
  test('redactRaw hides the password but keeps the user', () => {
    assert.equal(redactRaw('redis://user:secret@h:1'), 'redis://user:***@h:1');
    assert.equal(redactRaw('redis://:secret@h:1'), 'redis://***@h:1');
    assert.equal(redactRaw('redis://h:1'), 'redis://h:1');
  });

  test('withCredentials fills in missing credentials but never overrides the URL', () => {
    const bare = parseTarget('redis://h:6379/2');
    const t = withCredentials(bare, 'exporter', 'pw');
    assert.equal(t.username, 'exporter');
    assert.equal(t.password, 'pw');
    assert.equal(t.db, 2);
    assert.equal(t.display, 'redis://exporter@h:6379/2');
    const explicit = withCredentials(parseTarget('redis://alice:own@h'), 'exporter', 'pw');
    assert.equal(explicit.username, 'alice');
    assert.equal(explicit.password, 'own');
    const empty = withCredentials(bare, '', '');
    assert.equal(empty.username, undefined);
    assert.equal(empty.password, undefined);
  });
});
