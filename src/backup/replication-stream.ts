import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type TlsOptions, tlsConnectOptions } from '../redis/connection.ts';
import { classifyRedisError, RedisError, RedisProtocolError, RedisTimeoutError } from '../redis/errors.ts';
import { encodeCommands } from '../redis/resp.ts';
import type { RedisTarget } from '../redis/target.ts';
import { neutralise } from '../text/terminal.ts';
import { EofMarkScanner } from './eof-mark.ts';

/** The server will not replicate to us (NOPERM, unknown command on a managed service): the logical fallback applies. */
export class PsyncRefusedError extends Error {
  constructor(
    readonly target: string,
    readonly reply: string,
  ) {
    super(`${target} refused replication (${reply})`);
    this.name = 'PsyncRefusedError';
  }
}

/** The socket closed while a reply line was awaited. */
class ConnectionClosedError extends RedisProtocolError {}

/** The server closed the connection in the middle of the RDB payload. */
export class TransferCutError extends Error {
  constructor(
    readonly target: string,
    readonly received: number,
  ) {
    super(`${target} closed the connection after ${received} bytes of the RDB`);
    this.name = 'TransferCutError';
  }
}

export interface ReplicationOptions {
  tls?: TlsOptions;
  /** Longest wait for any byte (handshake, keepalive newline or payload) before giving up. */
  idleTimeoutMs: number;
  /** Largest RDB accepted from `$<len>` or in total (a sanity bound on what the server declares). */
  maxBytes: number;
}

export interface TransferStart {
  replid: string;
  offset: number;
  /** Bytes the server declared (`$<len>`), or undefined for diskless `$EOF:<mark>` transfers. */
  declaredBytes?: number;
  /** Whether the server accepted REPLCONF rdb-only (Redis 7+): it keeps no replication buffer for us. */
  rdbOnly: boolean;
}

const MAX_LINE = 1024;
/** Largest piece handed down the pipeline at once (verify, hash, encrypt, write). */
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Reads bytes from a socket with bounded lines and an idle deadline: every wait for data is a race against the
 * timer, and the timer restarts whenever a byte arrives (a keepalive newline counts as progress).
 */
class SocketReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private closed = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly target: string,
    private readonly idleTimeoutMs: number,
  ) {
    socket.on('data', (d: Buffer) => {
      this.buffered.push(d);
      this.size += d.length;
      if (this.size > 8 * 1024 * 1024) socket.pause();
      this.wake?.();
    });
    socket.on('end', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.wake?.();
    });
  }

  /** Waits until something is buffered; false when the socket closed with nothing left. */
  async fill(what: string): Promise<boolean> {
    while (this.size === 0) {
      if (this.error) throw this.error;
      if (this.closed) return false;
      this.socket.resume();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.wake = undefined;
          reject(new RedisTimeoutError(this.target, what, this.idleTimeoutMs / 1000, '--timeout'));
        }, this.idleTimeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    return true;
  }

  /** Takes whatever is buffered (at most `max` bytes). */
  takeSome(max: number): Buffer {
    const first = this.buffered[0];
    const part = first.length <= max ? first : first.subarray(0, max);
    if (part === first) this.buffered.shift();
    else this.buffered[0] = first.subarray(max);
    this.size -= part.length;
    if (this.size < 1024 * 1024) this.socket.resume();
    return part;
  }

  /** Takes everything buffered, up to `max` bytes, as one Buffer: fewer, larger steps down the pipeline. */
  takeBatch(max: number): Buffer {
    if (this.buffered.length === 1 || this.buffered[0].length >= max) return this.takeSome(max);
    const parts: Buffer[] = [];
    let n = 0;
    while (this.buffered.length > 0 && n < max) {
      const part = this.takeSome(max - n);
      parts.push(part);
      n += part.length;
    }
    return Buffer.concat(parts, n);
  }

  unshift(data: Buffer): void {
    if (data.length === 0) return;
    this.buffered.unshift(data);
    this.size += data.length;
  }

  /** One line without its CRLF (or LF: keepalives are a bare newline), refusing lines over MAX_LINE. */
  async line(what: string): Promise<string> {
    let acc = Buffer.alloc(0);
    for (;;) {
      if (!(await this.fill(what)))
        throw new RedisProtocolError(this.target, `the connection closed while waiting for ${what}`);
      const chunk = this.takeSome(MAX_LINE + 2);
      const nl = chunk.indexOf(0x0a);
      if (nl >= 0) {
        this.unshift(chunk.subarray(nl + 1));
        acc = Buffer.concat([acc, chunk.subarray(0, nl)]);
        return acc.toString('latin1').replace(/\r$/, '');
      }
      acc = Buffer.concat([acc, chunk]);
      if (acc.length > MAX_LINE)
        throw new RedisProtocolError(this.target, `a reply line of more than ${MAX_LINE} bytes`);
    }
  }
}

function open(target: RedisTarget, tls: TlsOptions | undefined): Socket {
  if (target.scheme === 'unix') return netConnect({ path: target.path });
  const options = tlsConnectOptions(target, tls);
  if (options) return tlsConnect({ host: target.host, port: target.port, ...options });
  return netConnect({ host: target.host, port: target.port });
}

async function connected(socket: Socket, target: RedisTarget, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RedisTimeoutError(target.display, 'the connection', timeoutMs / 1000, '--timeout')),
      timeoutMs,
    );
    socket.once(target.scheme === 'rediss' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(classifyRedisError(e, target.display, target.username));
    });
  });
}

async function command(socket: Socket, reader: SocketReader, args: string[], what: string): Promise<string> {
  socket.write(encodeCommands([args]));
  return reader.line(what);
}

/** The error a `-…` reply means, for the handshake commands (never quoting the command: AUTH carries a password). */
function replyError(target: RedisTarget, reply: string): Error {
  return classifyRedisError(new Error(reply.slice(1)), target.display, target.username);
}

async function handshake(socket: Socket, reader: SocketReader, target: RedisTarget): Promise<boolean> {
  if (target.password !== undefined) {
    const args = target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password];
    const r = await command(socket, reader, args, 'AUTH');
    if (r.startsWith('-')) throw replyError(target, r);
  }
  const capa = await command(socket, reader, ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'], 'REPLCONF capa');
  if (capa.startsWith('-')) {
    const e = replyError(target, capa);
    if (e instanceof RedisError && (e.kind === 'not_permitted' || e.kind === 'command'))
      throw new PsyncRefusedError(target.display, neutralise(capa.slice(1, 200)));
    throw e;
  }
  // Redis 7+: the server sends the RDB and keeps no replication buffer for this connection; older servers say ERR.
  const rdbOnly = await command(socket, reader, ['REPLCONF', 'rdb-only', '1'], 'REPLCONF rdb-only');
  return rdbOnly.startsWith('+');
}

/** Reads `+FULLRESYNC <replid> <offset>`, keepalive newlines, then the `$<len>` / `$EOF:<mark>` preamble. */
async function startTransfer(
  socket: Socket,
  reader: SocketReader,
  target: RedisTarget,
  maxBytes: number,
  startTimeoutMs: number,
): Promise<{ replid: string; offset: number; declared?: number; mark?: Buffer }> {
  socket.write(encodeCommands([['PSYNC', '?', '-1']]));
  // Newlines keep the link alive while the server waits to start the snapshot (repl-diskless-sync-delay, the
  // fork); they reset the idle timer, so the wait for the payload as a whole has its own bound.
  const deadline = Date.now() + startTimeoutMs;
  const keepalive = async (what: string): Promise<string> => {
    for (;;) {
      const line = await reader.line(what);
      if (line !== '') return line;
      if (Date.now() > deadline)
        throw new RedisTimeoutError(
          target.display,
          `${what} (only keepalives came)`,
          startTimeoutMs / 1000,
          '--timeout (×10)',
        );
    }
  };
  const reply = await keepalive('the PSYNC reply');
  if (reply.startsWith('-')) {
    if (/^-NOMASTERLINK/.test(reply))
      throw new RedisError(
        'command',
        `${target.display} is a replica that has lost its master: back up the master, or wait for the replica to sync`,
      );
    const e = replyError(target, reply);
    if (e instanceof RedisError && (e.kind === 'not_permitted' || e.kind === 'command'))
      throw new PsyncRefusedError(target.display, neutralise(reply.slice(1, 200)));
    throw e;
  }
  const m = /^\+FULLRESYNC ([0-9a-f]{40}) (\d{1,19})$/.exec(reply);
  if (!m) throw new RedisProtocolError(target.display, `PSYNC answered "${neutralise(reply.slice(0, 80))}"`);
  const line = await keepalive('the RDB transfer to start').catch((e) => {
    throw e instanceof ConnectionClosedError ? new TransferCutError(target.display, 0) : e;
  });
  const eof = /^\$EOF:(.{40})$/.exec(line);
  if (eof) return { replid: m[1], offset: Number(m[2]), mark: Buffer.from(eof[1], 'latin1') };
  const len = /^\$(\d{1,15})$/.exec(line);
  if (!len)
    throw new RedisProtocolError(target.display, `the RDB transfer started with "${neutralise(line.slice(0, 80))}"`);
  const declared = Number(len[1]);
  if (declared > maxBytes)
    throw new RedisProtocolError(
      target.display,
      `the server announced an RDB of ${declared} bytes, over the limit of ${maxBytes}`,
    );
  return { replid: m[1], offset: Number(m[2]), declared };
}

/**
 * Asks a server for a full RDB over the replication protocol, as a replica would (AUTH, REPLCONF capa eof capa
 * psync2, REPLCONF rdb-only 1, PSYNC ? -1), and yields the payload's bytes as they arrive, without its framing.
 * Needs no access to the server's disk. The socket is closed when the generator finishes or is abandoned.
 */
export async function* readRdbOverReplication(
  target: RedisTarget,
  options: ReplicationOptions,
  onStart: (start: TransferStart) => void,
): AsyncGenerator<Buffer, void, void> {
  const socket = open(target, options.tls);
  socket.on('error', () => {}); // reported through the reader
  try {
    await connected(socket, target, options.idleTimeoutMs);
    const reader = new SocketReader(socket, target.display, options.idleTimeoutMs);
    const rdbOnly = await handshake(socket, reader, target);
    const start = await startTransfer(socket, reader, target, options.maxBytes, options.idleTimeoutMs * 10);
    onStart({ replid: start.replid, offset: start.offset, declaredBytes: start.declared, rdbOnly });
    let received = 0;
    if (start.declared !== undefined) {
      while (received < start.declared) {
        if (!(await reader.fill('the RDB payload'))) throw new TransferCutError(target.display, received);
        const part = reader.takeBatch(Math.min(BATCH_BYTES, start.declared - received));
        received += part.length;
        yield part;
      }
      return;
    }
    // Diskless: the payload ends with the 40-byte mark.
    const scanner = new EofMarkScanner(start.mark as Buffer);
    for (;;) {
      if (!(await reader.fill('the RDB payload'))) throw new TransferCutError(target.display, received + scanner.held);
      const { out, done } = scanner.push(reader.takeBatch(BATCH_BYTES));
      for (const part of out) {
        received += part.length;
        yield part;
      }
      if (done) return;
      if (received > options.maxBytes)
        throw new RedisProtocolError(target.display, `the RDB grew past the limit of ${options.maxBytes} bytes`);
    }
  } finally {
    socket.destroy();
  }
}
