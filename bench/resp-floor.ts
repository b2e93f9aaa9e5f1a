import { connect, type Socket } from 'node:net';
import { CONFIG_KEYS_IN_INFO, IMMUTABLE_CONFIG_KEYS, METRIC_CONFIG_KEYS } from '../src/redis/collect-snapshot.ts';

/** One command as its arguments, e.g. ['CONFIG', 'GET', 'maxmemory']. */
export type RespCommand = Array<string | number>;

/**
 * The commands redoubt pipelines per scrape of a Redis 7 server after a connection's first scrape
 * (src/redis/collect-snapshot.ts), with its CONFIG keys taken from there so the floor asks for exactly what
 * redoubt asks for (not the immutable ones, asked once per connection, nor those INFO reports).
 */
export const STEADY_CONFIG_KEYS = METRIC_CONFIG_KEYS.filter(
  (k) => !IMMUTABLE_CONFIG_KEYS.has(k) && !CONFIG_KEYS_IN_INFO.has(k),
);

export const SCRAPE_COMMANDS: RespCommand[] = [
  ['INFO', 'ALL'],
  ['CONFIG', 'GET', ...STEADY_CONFIG_KEYS],
  ['SLOWLOG', 'LEN'],
  ['SLOWLOG', 'GET', '1'],
  ['LATENCY', 'LATEST'],
  // LATENCY HISTOGRAM only with --include-latency-histogram-metrics (off by default).
];

/** RESP multibulk encoding of a batch of commands, ready to write in one go. */
export function encodeCommands(commands: RespCommand[]): Buffer {
  const parts: Buffer[] = [];
  for (const cmd of commands) {
    parts.push(Buffer.from(`*${cmd.length}\r\n`));
    for (const a of cmd) {
      const b = Buffer.from(String(a));
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
  }
  return Buffer.concat(parts);
}

/**
 * Finds where RESP replies end in a byte stream without building values: a stack of "elements still owed" per
 * open aggregate plus a count of bulk bytes to skip. Works across chunk boundaries; RESP2 and the RESP3 types.
 */
export class RespReplyReader {
  private readonly owed: number[] = [];
  private skip = 0;
  private partial: Buffer | null = null;
  /** Top-level replies seen so far that were errors (`-ERR ...`). */
  errors = 0;
  /** Copies of the bytes of each top-level reply, when `keep` is set (for INFO and friends). */
  kept: Buffer[] = [];
  private current: Buffer[] = [];

  constructor(private readonly keep = false) {}

  /** Consumes a chunk; returns how many top-level replies it completed. */
  feed(chunk: Buffer): number {
    let done = 0;
    let i = 0;
    let start = 0;
    const finish = (end: number) => {
      if (!this.keep) return;
      this.current.push(chunk.subarray(start, end));
      this.kept.push(Buffer.concat(this.current));
      this.current = [];
      start = end;
    };
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0 && this.completeElement()) {
          done++;
          finish(i);
        }
        continue;
      }
      const nl = chunk.indexOf(10, i);
      if (nl < 0) {
        const rest = chunk.subarray(i);
        this.partial = this.partial ? Buffer.concat([this.partial, rest]) : Buffer.from(rest);
        break;
      }
      const line = this.partial ? Buffer.concat([this.partial, chunk.subarray(i, nl + 1)]) : chunk.subarray(i, nl + 1);
      this.partial = null;
      i = nl + 1;
      const type = line[0];
      const n = Number.parseInt(line.toString('latin1', 1, line.length - 2), 10);
      let complete = false;
      switch (type) {
        case 0x24: // $ bulk string
        case 0x3d: // = verbatim string
        case 0x21: // ! bulk error
          if (n < 0) complete = true;
          else this.skip = n + 2;
          break;
        case 0x2a: // * array
        case 0x7e: // ~ set
        case 0x3e: // > push
        case 0x25: // % map (two elements per entry)
          if (n <= 0) complete = true;
          else this.owed.push(type === 0x25 ? n * 2 : n);
          break;
        case 0x2d: // - error
          if (this.owed.length === 0) this.errors++;
          complete = true;
          break;
        default: // + : _ , # ( single-line types
          complete = true;
      }
      if (complete && this.completeElement()) {
        done++;
        finish(i);
      }
    }
    if (this.keep && start < chunk.length) this.current.push(Buffer.from(chunk.subarray(start)));
    return done;
  }

  /** Marks one element complete; true when that completes a top-level reply. */
  private completeElement(): boolean {
    while (this.owed.length > 0) {
      const top = this.owed.length - 1;
      if (--this.owed[top] > 0) return false;
      this.owed.pop();
    }
    return true;
  }
}

/** The payload of a top-level bulk string reply (`$n\r\n...\r\n`); throws on an error reply. */
export function bulkString(reply: Buffer): string {
  if (reply[0] === 0x2d) throw new Error(`Redis error: ${reply.toString('utf8', 1).trim()}`);
  if (reply[0] !== 0x24 && reply[0] !== 0x3d)
    throw new Error(`expected a bulk string, got ${reply.toString('utf8', 0, 40)}`);
  const eol = reply.indexOf('\r\n');
  return reply.toString('utf8', eol + 2, reply.length - 2);
}

export interface RoundTrip {
  /** Bytes of all replies. */
  bytes: number;
  /** Error replies among them. */
  errors: number;
  /** Copies of each reply when asked for. */
  replies: Buffer[];
}

/** A persistent connection that sends a batch of commands in one write and waits for all their replies. */
export class RespConnection {
  private pending: {
    reader: RespReplyReader;
    want: number;
    got: number;
    bytes: number;
    resolve: (r: RoundTrip) => void;
    reject: (e: Error) => void;
  } | null = null;
  private closedError: Error | null = null;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    const fail = (e: Error) => {
      this.closedError = e;
      const p = this.pending;
      this.pending = null;
      p?.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RespConnection(s));
      });
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    const p = this.pending;
    if (!p) return;
    p.bytes += d.length;
    p.got += p.reader.feed(d);
    if (p.got >= p.want) {
      this.pending = null;
      p.resolve({ bytes: p.bytes, errors: p.reader.errors, replies: p.reader.kept });
    }
  }

  /** Writes `payload` (the encoding of `count` commands) and resolves when `count` replies have arrived. */
  send(payload: Buffer, count: number, keep = false): Promise<RoundTrip> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.pending) return Promise.reject(new Error('one round trip at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { reader: new RespReplyReader(keep), want: count, got: 0, bytes: 0, resolve, reject };
      this.socket.write(payload);
    });
  }

  /** Encodes and sends commands; with keep, returns each reply's bytes. Rejects if any reply is an error. */
  async call(commands: RespCommand[], keep = true): Promise<Buffer[]> {
    const r = await this.send(encodeCommands(commands), commands.length, keep);
    if (r.errors > 0) {
      const first = r.replies.find((b) => b[0] === 0x2d);
      throw new Error(`Redis error: ${first ? first.toString('utf8', 1).trim() : `${r.errors} error replies`}`);
    }
    return r.replies;
  }

  close(): void {
    this.closedError = new Error('closed');
    this.socket.destroy();
  }
}
