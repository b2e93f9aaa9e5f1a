/**
 * RESP2 wire format, pure code (no sockets): the command encoder and an incremental reply parser.
 *
 * Replies come out the way callers have always seen them: bulk and status strings as utf8 JS strings, integers
 * as numbers, arrays as arrays, nil as null, and error replies as {@link RespReplyError} (top level or nested).
 */

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

interface Frame {
  values: unknown[];
  filled: number;
}

const CR = 13;
const LF = 10;

/**
 * Turns a byte stream into replies, whatever the chunk boundaries: a partial header line is kept until its CRLF
 * arrives, a partial bulk string is collected without re-copying, and open arrays stay on a stack, so no byte is
 * parsed twice. `onReply` gets each complete top-level reply in order.
 */
export class RespParser {
  /** The start of an element whose header line is incomplete. */
  private partial: Buffer | null = null;
  /** Open arrays, innermost last. */
  private readonly stack: Frame[] = [];
  /** Payload length (without CRLF) of a bulk string being collected, or -1. */
  private bulkLength = -1;
  private bulkParts: Buffer[] = [];
  private bulkHave = 0;

  constructor(private readonly onReply: (value: unknown) => void) {}

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
      this.element(whole.toString('utf8', 0, length));
      pos = need;
    } else if (this.partial) {
      data = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    this.parse(data, pos);
  }

  /** Drops any partial reply (after the stream it came from is gone). */
  reset(): void {
    this.partial = null;
    this.stack.length = 0;
    this.bulkLength = -1;
    this.bulkParts = [];
    this.bulkHave = 0;
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
          if (c < 0x30 || c > 0x39)
            throw new RespProtocolError(`invalid length in a ${String.fromCharCode(type)} header`);
          n = n * 10 + (c - 0x30);
          digits++;
          i++;
        }
        if (i + 1 >= len) {
          this.partial = data.subarray(pos);
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
          if (n === 0) this.element([]);
          else this.stack.push({ values: new Array(n), filled: 0 });
          continue;
        }
        const end = pos + n;
        if (end + 2 > len) {
          this.bulkLength = n;
          this.bulkParts = [data.subarray(pos)];
          this.bulkHave = len - pos;
          return;
        }
        if (data[end] !== CR || data[end + 1] !== LF) throw new RespProtocolError('bulk string without CRLF');
        const value = data.toString('utf8', pos, end);
        pos = end + 2;
        this.element(value);
        continue;
      }
      if (type !== 0x2b && type !== 0x2d && type !== 0x3a)
        throw new RespProtocolError(`unexpected reply type byte 0x${type.toString(16).padStart(2, '0')}`);
      // + status, - error, : integer: one line
      const eol = data.indexOf(CR, pos + 1);
      if (eol < 0 || eol + 1 >= len) {
        this.partial = data.subarray(pos);
        return;
      }
      if (data[eol + 1] !== LF) throw new RespProtocolError('CR without LF');
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

  /** Places a complete element into the innermost open array, completing arrays (and a reply) as they fill. */
  private element(value: unknown): void {
    let v = value;
    const stack = this.stack;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      top.values[top.filled++] = v;
      if (top.filled < top.values.length) return;
      stack.pop();
      v = top.values;
    }
    this.onReply(v);
  }
}
