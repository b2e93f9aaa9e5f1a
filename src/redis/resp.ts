/**
 * RESP2 wire format, pure code (no sockets): the command encoder and an incremental reply parser.
 *
 * Replies come out the way callers have always seen them: bulk and status strings as utf8 JS strings, integers
 * as numbers, arrays as arrays, nil as null, and error replies as {@link RespReplyError} (top level or nested).
 */

import { neutralise } from '../text/terminal.ts';

/** One argument of a command; numbers are sent as their decimal text, buffers as raw bytes. */
export type RespArg = string | number | Buffer;

/** An error reply from the server. `message` is exactly the server's text, e.g. `NOPERM this user has no …`. */
export class RespReplyError extends Error {
  /** The command that got the reply (its name only: arguments such as AUTH passwords are never kept). */
  command?: { name: string };

  constructor(message: string) {
    super(message);
    // The name drivers use for server replies; classifyRedisError keys on it.
    this.name = 'ReplyError';
  }
}

/** Bytes that are not RESP2 (a TLS record on a plaintext connection, a stray protocol). */
export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

function argText(a: RespArg): string | undefined {
  if (typeof a === 'string') return `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  if (typeof a === 'number') {
    const s = String(a);
    return `$${s.length}\r\n${s}\r\n`;
  }
  return undefined;
}

/**
 * Encodes commands as RESP multibulk arrays, ready to write in one go: a string (utf8) when every argument is a
 * string or number, otherwise one Buffer.
 */
export function encodeCommands(commands: ReadonlyArray<ReadonlyArray<RespArg>>): string | Buffer {
  let out = '';
  for (const cmd of commands) {
    out += `*${cmd.length}\r\n`;
    for (const a of cmd) {
      const t = argText(a);
      if (t === undefined) return encodeBuffers(commands);
      out += t;
    }
  }
  return out;
}

function encodeBuffers(commands: ReadonlyArray<ReadonlyArray<RespArg>>): Buffer {
  const parts: Buffer[] = [];
  for (const cmd of commands) {
    parts.push(Buffer.from(`*${cmd.length}\r\n`));
    for (const a of cmd) {
      if (Buffer.isBuffer(a)) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
      else parts.push(Buffer.from(argText(a) as string));
    }
  }
  return Buffer.concat(parts);
}

/**
 * How much of a reply redoubt accepts, far below what Redis itself allows (512 MB per bulk string, 2^32-1
 * elements): every byte from a server is hostile until bounded. The largest replies redoubt reads legitimately are
 * CLIENT LIST on a busy server (about 300 bytes a client: 3 MB at 10,000 clients), INFO ALL and CONFIG GET *
 * (tens of KB), ACL LIST / ACL LOG with many users, SLOWLOG GET (128 entries by default), COMMAND INFO (the
 * deepest, a few levels of key specs) and the key values that `check-keys` exports. Each limit has at least 10x headroom over
 * those; the audit and harden read the same kinds of replies (the audit's largest: CLIENT LIST, ACL LOG), so every
 * connection uses this one table; the parser takes overrides for tests only.
 */
export interface RespLimits {
  /** Bytes of one bulk string. */
  bulkBytes: number;
  /** Elements of one top-level reply, every nested array's declared count added up. */
  elements: number;
  /** Arrays open inside each other. */
  depth: number;
  /** Bytes of one status, error or integer line (and of a length header): its type byte and text, without CRLF. */
  lineBytes: number;
  /**
   * Bytes of the replies to one round trip (a command, or a pipeline's commands added up): declared bulk lengths
   * and line lengths. Without it a reply within every other limit (a million bulk strings of 64 MB) is unbounded.
   * The parser checks one reply as it is declared; the connection adds up the replies of one round trip.
   */
  replyBytes: number;
}

export const RESP_LIMITS: Readonly<RespLimits> = Object.freeze({
  bulkBytes: 64 * 1024 * 1024,
  elements: 1_000_000,
  depth: 16,
  lineBytes: 64 * 1024,
  replyBytes: 128 * 1024 * 1024,
});

/** The words a user reads for each limit. */
const LIMIT_WORDS: Record<keyof RespLimits, (n: number) => string> = {
  bulkBytes: (n) => `a bulk string of ${n} bytes`,
  elements: (n) => `${n} array elements in one reply`,
  depth: (n) => `arrays nested ${n} deep`,
  lineBytes: (n) => `a reply line of more than ${n} bytes`,
  replyBytes: (n) => `${n} bytes of replies to one round trip`,
};

/** A reply larger than {@link RespLimits} allows. The parser stops: the stream is unusable afterwards. */
export class RespLimitError extends RespProtocolError {
  constructor(
    /** Which limit fired. */
    readonly limit: keyof RespLimits,
    /** What the server sent (or declared), in the limit's unit. */
    readonly value: number,
    /** The limit. */
    readonly max: number,
  ) {
    super(
      `the server sent ${LIMIT_WORDS[limit](value)}, over redoubt's limit of ${max} (${limit}); no Redis command redoubt sends needs that much, so the server is not behaving like Redis`,
    );
    this.name = 'RespLimitError';
  }
}

/** The error for a byte that starts no RESP2 reply, naming the protocol the port speaks when it is a common one. */
function notResp(data: Buffer, pos: number): RespProtocolError {
  const head = data.subarray(pos, pos + 64).toString('latin1');
  if (head.startsWith('HTTP/')) {
    const status = neutralise(head.split('\r\n', 1)[0]);
    return new RespProtocolError(
      `the port does not speak RESP: it is an HTTP server (it answered "${status}"); check the port number`,
    );
  }
  // A TLS record: handshake (0x16) or alert (0x15), version 3.x.
  if ((data[pos] === 0x15 || data[pos] === 0x16) && (data.length <= pos + 1 || data[pos + 1] === 0x03))
    return new RespProtocolError('the port answered with TLS: connect with rediss://');
  return new RespProtocolError(
    `the port does not speak RESP (unexpected reply type byte 0x${data[pos].toString(16).padStart(2, '0')}); check the port number`,
  );
}

interface Frame {
  values: unknown[];
  need: number;
}

const CR = 13;
const LF = 10;
/** 2^53: a declared length with more digits than this is refused before it loses precision. */
const MAX_DIGITS = 15;

/**
 * Turns a byte stream into replies, whatever the chunk boundaries: a partial line is kept as a list of chunks
 * (only each new chunk is searched for its end, so a line that never ends costs linear time, and it is refused
 * at lineBytes), a partial bulk string is collected without re-copying, and open arrays stay on a stack, so no
 * byte is parsed twice. `onReply` gets each complete top-level reply in order. Lengths, counts and depth are
 * checked against {@link RespLimits} when they are declared, before any memory is set aside for them.
 */
export class RespParser {
  /** The pieces of an element whose line is incomplete, and their total length. */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** Open arrays, innermost last. */
  private readonly stack: Frame[] = [];
  /** Elements declared so far in the current top-level reply. */
  private elements = 0;
  /** Bytes (bulk lengths and lines) declared so far in the current top-level reply. */
  private replyBytes = 0;
  /** Payload length (without CRLF) of a bulk string being collected, or -1. */
  private bulkLength = -1;
  private bulkParts: Buffer[] = [];
  private bulkHave = 0;
  private readonly limits: RespLimits;

  constructor(
    /** Gets each reply and its size in bytes as {@link RespLimits.replyBytes} counts them. */
    private readonly onReply: (value: unknown, bytes: number) => void,
    limits: Partial<RespLimits> = {},
    /** Bulk strings as Buffers instead of utf8 text (DUMP payloads, binary key names). */
    private readonly buffers = false,
  ) {
    this.limits = { ...RESP_LIMITS, ...limits };
  }

  /** Consumes one chunk. Throws a {@link RespProtocolError} on bytes that are not RESP2; the stream is then unusable. */
  feed(chunk: Buffer): void {
    let data = chunk;
    let pos = 0;
    if (this.bulkLength >= 0) {
      const need = this.bulkLength + 2 - this.bulkHave;
      if (chunk.length < need) {
        this.bulkParts.push(chunk);
        this.bulkHave += chunk.length;
        return;
      }
      this.bulkParts.push(chunk.subarray(0, need));
      const whole = this.bulkParts.length === 1 ? this.bulkParts[0] : Buffer.concat(this.bulkParts);
      const length = this.bulkLength;
      this.bulkLength = -1;
      this.bulkParts = [];
      this.bulkHave = 0;
      if (whole[length] !== CR || whole[length + 1] !== LF) throw new RespProtocolError('bulk string without CRLF');
      this.element(this.buffers ? Buffer.from(whole.subarray(0, length)) : whole.toString('utf8', 0, length));
      pos = need;
    } else if (this.partialLength > 0) {
      // Only the new chunk is searched: the line ends at its first LF, if it has one.
      if (chunk.indexOf(LF) < 0) {
        this.keepPartial(chunk);
        return;
      }
      this.partial.push(chunk);
      data = Buffer.concat(this.partial);
      this.partial = [];
      this.partialLength = 0;
    }
    this.parse(data, pos);
  }

  /** Drops any partial reply (after the stream it came from is gone). */
  reset(): void {
    this.partial = [];
    this.partialLength = 0;
    this.stack.length = 0;
    this.elements = 0;
    this.replyBytes = 0;
    this.bulkLength = -1;
    this.bulkParts = [];
    this.bulkHave = 0;
  }

  private keepPartial(piece: Buffer): void {
    this.partialLength += piece.length;
    // (a partial line may end with its CR)
    if (this.partialLength > this.limits.lineBytes + 1)
      throw new RespLimitError('lineBytes', this.partialLength, this.limits.lineBytes);
    this.partial.push(piece);
  }

  private parse(data: Buffer, start: number): void {
    const len = data.length;
    let pos = start;
    while (pos < len) {
      const type = data[pos];
      if (type === 0x24 || type === 0x2a) {
        // $ bulk string, * array: a signed length up to CRLF
        let i = pos + 1;
        let negative = false;
        if (data[i] === 0x2d) {
          negative = true;
          i++;
        }
        let n = 0;
        let digits = 0;
        while (i < len) {
          const c = data[i];
          if (c === CR) break;
          if (c < 0x30 || c > 0x39 || digits === MAX_DIGITS)
            throw new RespProtocolError(`invalid length in a ${String.fromCharCode(type)} header`);
          n = n * 10 + (c - 0x30);
          digits++;
          i++;
        }
        if (i + 1 >= len) {
          this.keepPartial(data.subarray(pos));
          return;
        }
        if (data[i + 1] !== LF || digits === 0) throw new RespProtocolError('malformed header line');
        pos = i + 2;
        if (negative) {
          // $-1 and *-1: nil
          this.element(null);
          continue;
        }
        if (type === 0x2a) {
          this.openArray(n);
          continue;
        }
        if (n > this.limits.bulkBytes) throw new RespLimitError('bulkBytes', n, this.limits.bulkBytes);
        this.countBytes(n);
        const end = pos + n;
        if (end + 2 > len) {
          this.bulkLength = n;
          this.bulkParts = [data.subarray(pos)];
          this.bulkHave = len - pos;
          return;
        }
        if (data[end] !== CR || data[end + 1] !== LF) throw new RespProtocolError('bulk string without CRLF');
        const value = this.buffers ? Buffer.from(data.subarray(pos, end)) : data.toString('utf8', pos, end);
        pos = end + 2;
        this.element(value);
        continue;
      }
      if (type !== 0x2b && type !== 0x2d && type !== 0x3a) throw notResp(data, pos);
      // + status, - error, : integer: one line
      const eol = data.indexOf(CR, pos + 1);
      if (eol < 0 || eol + 1 >= len) {
        this.keepPartial(data.subarray(pos));
        return;
      }
      if (eol - pos > this.limits.lineBytes) throw new RespLimitError('lineBytes', eol - pos, this.limits.lineBytes);
      if (data[eol + 1] !== LF) throw new RespProtocolError('CR without LF');
      this.countBytes(eol - pos);
      const text = data.toString('utf8', pos + 1, eol);
      pos = eol + 2;
      if (type === 0x2b) this.element(text);
      else if (type === 0x2d) this.element(new RespReplyError(text));
      else {
        const n = Number(text);
        if (text === '' || !Number.isFinite(n)) throw new RespProtocolError('invalid integer reply');
        this.element(n);
      }
    }
  }

  /** Adds n bytes to the current reply, checked before they are read. */
  private countBytes(n: number): void {
    this.replyBytes += n;
    if (this.replyBytes > this.limits.replyBytes)
      throw new RespLimitError('replyBytes', this.replyBytes, this.limits.replyBytes);
  }

  /** An array header: checked against the limits before anything is allocated for it. */
  private openArray(n: number): void {
    this.elements += n;
    if (this.elements > this.limits.elements) throw new RespLimitError('elements', this.elements, this.limits.elements);
    if (n === 0) {
      this.element([]);
      return;
    }
    if (this.stack.length + 1 > this.limits.depth)
      throw new RespLimitError('depth', this.stack.length + 1, this.limits.depth);
    // Grown as elements arrive rather than sized by the declared count: the count is the server's word.
    this.stack.push({ values: [], need: n });
  }

  /** Places a complete element into the innermost open array, completing arrays (and a reply) as they fill. */
  private element(value: unknown): void {
    let v = value;
    const stack = this.stack;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      top.values.push(v);
      if (top.values.length < top.need) return;
      stack.pop();
      v = top.values;
    }
    const bytes = this.replyBytes;
    this.elements = 0;
    this.replyBytes = 0;
    this.onReply(v, bytes);
  }
}
