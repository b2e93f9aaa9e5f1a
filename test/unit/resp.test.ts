import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeCommands, RespParser, RespProtocolError, RespReplyError } from '../../src/redis/resp.ts';

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
