import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  encodeCommands,
  RESP_LIMITS,
  RespLimitError,
  type RespLimits,
  RespParser,
  RespProtocolError,
  RespReplyError,
} from '../../src/redis/resp.ts';

/** Feeds `chunks` to a fresh parser; returns the replies it produced. */
function parse(...chunks: Array<Buffer | string>): unknown[] {
  const out: unknown[] = [];
  const p = new RespParser((v) => out.push(v));
  for (const c of chunks) p.feed(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return out;
}

/** Every way of cutting `wire` into two pieces, plus one byte at a time: each must give `expected`. */
function assertAllSplits(wire: Buffer, expected: unknown[]): void {
  for (let i = 0; i <= wire.length; i++)
    assert.deepEqual(parse(wire.subarray(0, i), wire.subarray(i)), expected, `split at ${i}`);
  const bytes: Buffer[] = [];
  for (let i = 0; i < wire.length; i++) bytes.push(wire.subarray(i, i + 1));
  assert.deepEqual(parse(...bytes), expected, 'byte by byte');
}

function err(message: string): RespReplyError {
  return new RespReplyError(message);
}

describe('encodeCommands', () => {
  test('multibulk with byte lengths, numbers as text, several commands in one string', () => {
    assert.equal(
      encodeCommands([
        ['INFO', 'ALL'],
        ['SELECT', 2],
        ['ECHO', 'é x'],
      ]),
      '*2\r\n$4\r\nINFO\r\n$3\r\nALL\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*2\r\n$4\r\nECHO\r\n$4\r\né x\r\n',
    );
  });

  test('empty strings and buffers (binary safe)', () => {
    const out = encodeCommands([['SET', Buffer.from([0, 13, 10, 255]), '']]);
    assert.ok(Buffer.isBuffer(out));
    assert.deepEqual(
      out,
      Buffer.concat([
        Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\n'),
        Buffer.from([0, 13, 10, 255]),
        Buffer.from('\r\n$0\r\n\r\n'),
      ]),
    );
  });
});

describe('RespParser', () => {
  test('each RESP2 type, as ioredis returned them', () => {
    assert.deepEqual(parse('+OK\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n'), [
      'OK',
      42,
      -7,
      'hello',
      '',
      null,
      null,
      [],
    ]);
  });

  test('error replies keep the server text exactly', () => {
    const [e] = parse("-NOPERM this user has no permissions to run the 'config|get' command\r\n");
    assert.ok(e instanceof RespReplyError);
    assert.equal(e.name, 'ReplyError');
    assert.equal(e.message, "NOPERM this user has no permissions to run the 'config|get' command");
  });

  test('bulk strings are utf8 and may contain CR, LF and the bytes of other types', () => {
    const payload = 'a\r\nb\r*2\r\n:1 é 日本';
    const wire = `$${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
    assert.deepEqual(parse(wire), [payload]);
  });

  test('nested arrays with nil, errors and integers (SLOWLOG GET, LATENCY LATEST shapes)', () => {
    const wire = Buffer.from(
      '*2\r\n*4\r\n:14\r\n:1700000000\r\n:250\r\n*2\r\n$4\r\nINFO\r\n$3\r\nALL\r\n' +
        '*3\r\n$-1\r\n-ERR nested\r\n*1\r\n*0\r\n' +
        '+after\r\n',
    );
    const expected = [
      [
        [14, 1700000000, 250, ['INFO', 'ALL']],
        [null, err('ERR nested'), [[]]],
      ],
      'after',
    ];
    assert.deepEqual(parse(wire), expected);
    assertAllSplits(wire, expected);
  });

  test('a pipeline of replies split at every byte', () => {
    const wire = Buffer.from(
      "+PONG\r\n-ERR unknown command 'NOSUCH'\r\n$7\r\nx y\r\nzz\r\n*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n:0\r\n$-1\r\n",
    );
    assertAllSplits(wire, ['PONG', err("ERR unknown command 'NOSUCH'"), 'x y\r\nzz', ['maxmemory', '0'], 0, null]);
  });

  test('large bulk strings split at every byte, and in large uneven chunks', () => {
    const info = `# Server\r\nredis_version:7.0.15\r\n${'x'.repeat(20000)}é\r\n`;
    const len = Buffer.byteLength(info);
    const wire = Buffer.from(`$${len}\r\n${info}\r\n:1\r\n`);
    assertAllSplits(wire, [info, 1]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 4093) chunks.push(wire.subarray(i, i + 4093));
    assert.deepEqual(parse(...chunks), [info, 1]);
    // a multibyte character split between chunks decodes as one character
    const cut = wire.indexOf(Buffer.from('é')) + 1;
    assert.deepEqual(parse(wire.subarray(0, cut), wire.subarray(cut)), [info, 1]);
  });

  test('many replies in one chunk come out in order', () => {
    let wire = '';
    const expected: unknown[] = [];
    for (let i = 0; i < 1000; i++) {
      wire += `:${i}\r\n$${String(i).length}\r\n${i}\r\n`;
      expected.push(i, String(i));
    }
    assert.deepEqual(parse(wire), expected);
  });

  test('integers beyond 2^53 parse as (rounded) JS numbers', () => {
    assert.deepEqual(parse(':9007199254740993\r\n'), [9007199254740992]);
  });

  test('bytes that are not RESP2 throw a protocol error', () => {
    assert.throws(() => parse('\x16\x03\x01\x02\x00'), RespProtocolError);
    assert.throws(() => parse('HTTP/1.1 400\r\n'), RespProtocolError);
    assert.throws(() => parse('$3\r\nabcd\r\n'), RespProtocolError);
    assert.throws(() => parse('*x\r\n'), RespProtocolError);
    assert.throws(() => parse(':abc\r\n'), RespProtocolError);
  });

  test('reset() drops a partial reply', () => {
    const out: unknown[] = [];
    const p = new RespParser((v) => out.push(v));
    p.feed(Buffer.from('*2\r\n$5\r\nhel'));
    p.reset();
    p.feed(Buffer.from('+OK\r\n'));
    assert.deepEqual(out, ['OK']);
  });
});

describe('RespParser limits (RESP_LIMITS)', () => {
  const small = { bulkBytes: 5, elements: 3, depth: 2, lineBytes: 8 };

  /** Feeds `wire` split at every point (and byte by byte) to a parser with `limits`; each must give `expected`. */
  function eachSplit(wire: Buffer, limits: Partial<RespLimits>, check: (feed: () => unknown[]) => void): void {
    const run = (chunks: Buffer[]) => () => {
      const out: unknown[] = [];
      const p = new RespParser((v) => out.push(v), limits);
      for (const c of chunks) p.feed(c);
      return out;
    };
    for (let i = 0; i <= wire.length; i++) check(run([wire.subarray(0, i), wire.subarray(i)]));
    check(run([...wire].map((b) => Buffer.from([b]))));
  }

  /** Asserts that every way of feeding `wire` throws the RespLimitError for `limit`. */
  function refused(wire: string, limit: keyof RespLimits): void {
    eachSplit(Buffer.from(wire), small, (feed) =>
      assert.throws(feed, (e: unknown) => e instanceof RespLimitError && e.limit === limit, `${JSON.stringify(wire)}`),
    );
  }

  /** Asserts that every way of feeding `wire` gives `expected`. */
  function accepted(wire: string, expected: unknown[]): void {
    eachSplit(Buffer.from(wire), small, (feed) => assert.deepEqual(feed(), expected));
  }

  test('the defaults are far below Redis own limits and documented as one table', () => {
    assert.equal(RESP_LIMITS.bulkBytes, 64 * 1024 * 1024);
    assert.equal(RESP_LIMITS.elements, 1_000_000);
    assert.equal(RESP_LIMITS.depth, 16);
    assert.equal(RESP_LIMITS.lineBytes, 64 * 1024);
    assert.equal(RESP_LIMITS.replyBytes, 128 * 1024 * 1024);
    assert.ok(Object.isFrozen(RESP_LIMITS));
  });

  test('bulk strings: at the limit accepted, one byte over refused at the header', () => {
    accepted('$5\r\nabcde\r\n', ['abcde']);
    refused('$6\r\nabcdef\r\n', 'bulkBytes');
    // refused from the header alone: the payload never has to arrive
    refused('$6\r\n', 'bulkBytes');
  });

  test('elements: every array in one reply counts; the count resets for the next reply', () => {
    accepted('*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n:1\r\n:2\r\n:3\r\n', [
      [1, 2, 3],
      [1, 2, 3],
    ]);
    accepted('*2\r\n*1\r\n:1\r\n:2\r\n', [[[1], 2]]);
    refused('*4\r\n', 'elements');
    refused('*2\r\n*2\r\n:1\r\n', 'elements');
  });

  test('depth: arrays nested at the limit accepted, one deeper refused', () => {
    accepted('*1\r\n*1\r\n:1\r\n', [[[1]]]);
    refused('*1\r\n*1\r\n*1\r\n', 'depth');
  });

  test('lines: at the limit accepted, longer refused before their end arrives', () => {
    // lineBytes counts the type byte and the text, as kept while waiting for CRLF
    accepted('+1234567\r\n-ERR 567\r\n', ['1234567', new RespReplyError('ERR 567')]);
    refused('+12345678\r\n', 'lineBytes');
    refused('+123456789', 'lineBytes');
    refused(':123456789', 'lineBytes');
  });

  test('reply bytes: bulk lengths and lines of one reply add up, refused at the header that passes the limit', () => {
    const limits = { ...small, replyBytes: 8 };
    const check = (wire: string, ok: unknown[] | string) =>
      eachSplit(Buffer.from(wire), limits, (feed) =>
        typeof ok === 'string'
          ? assert.throws(feed, (e: unknown) => e instanceof RespLimitError && e.limit === ok, wire)
          : assert.deepEqual(feed(), ok),
      );
    check('*2\r\n$4\r\nabcd\r\n$4\r\nefgh\r\n', [['abcd', 'efgh']]);
    check('*3\r\n$4\r\nabcd\r\n$4\r\nefgh\r\n$1\r\n', 'replyBytes');
    check('*2\r\n+abcde\r\n:1234\r\n', 'replyBytes');
    // the count starts again with each reply
    check('$5\r\nabcde\r\n$5\r\nfghij\r\n', ['abcde', 'fghij']);
  });

  test('each reply comes with its size, as replyBytes counts it', () => {
    const sizes: number[] = [];
    const p = new RespParser((_v, bytes) => sizes.push(bytes));
    p.feed(Buffer.from('+OK\r\n$5\r\nabcde\r\n*2\r\n:1\r\n$-1\r\n'));
    assert.deepEqual(sizes, [3, 5, 2]);
  });

  test('a declared length with more digits than a safe integer is refused, not rounded', () => {
    assert.throws(() => parse('*4294967295000000000\r\n'), RespProtocolError);
    assert.throws(
      () => parse('$100000000000\r\n'),
      (e: unknown) => e instanceof RespLimitError && e.limit === 'bulkBytes',
    );
    assert.throws(
      () => parse('*4294967295\r\n'),
      (e: unknown) => e instanceof RespLimitError && e.limit === 'elements',
    );
  });

  test('an endless line fed in small chunks is refused after lineBytes, in linear time', () => {
    const p = new RespParser(() => {});
    const chunk = Buffer.alloc(16, 0x61);
    let fed = 1;
    p.feed(Buffer.from('+'));
    assert.throws(() => {
      for (;;) {
        p.feed(chunk);
        fed += chunk.length;
      }
    }, RespLimitError);
    assert.ok(fed <= RESP_LIMITS.lineBytes + chunk.length, `fed ${fed}`);
  });

  test('the limit error says which limit, in words', () => {
    try {
      parse('$100000000000\r\n');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof RespLimitError);
      assert.match(e.message, /a bulk string of 100000000000 bytes, over redoubt's limit of 67108864 \(bulkBytes\)/);
    }
  });

  test('another protocol is named: an HTTP server, a TLS record', () => {
    assert.throws(
      () => parse('HTTP/1.1 400 Bad Request\r\n\r\n'),
      /it is an HTTP server \(it answered "HTTP\/1\.1 400 Bad Request"\)/,
    );
    assert.throws(() => parse('\x15\x03\x03\x00\x02'), /answered with TLS: connect with rediss:\/\//);
  });
});
