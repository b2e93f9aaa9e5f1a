import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { neutralise } from '../text/terminal.ts';
import {
  CONNECTION_KINDS,
  type Command,
  type CommandArg,
  type ConnectionOptions,
  connectionKindRank,
  type RedisConnection,
  type Reply,
  reconnectDelayMs,
  tlsConnectOptions,
} from './connection.ts';
import {
  classifyRedisError,
  type RedisError,
  RedisProtocolError,
  RedisTimeoutError,
  RedisTlsError,
  RedisUnreachableError,
} from './errors.ts';
import { encodeCommands, RESP_LIMITS, RespLimitError, RespParser, RespProtocolError, RespReplyError } from './resp.ts';
import { makeTarget, type RedisTarget } from './target.ts';

/**
 * idle: no socket and none coming (new, or stopped after wrong credentials / protected mode); ready() dials.
 * connecting: TCP (and TLS) handshake. handshake: AUTH / SELECT / CLIENT SETNAME in flight. reconnecting: waiting
 * out the backoff after a lost socket. closed: close() was called.
 */
type State = 'idle' | 'connecting' | 'handshake' | 'ready' | 'reconnecting' | 'closed';

/** A connection ready for this long before it closed was a good one: the reconnect backoff starts over. */
const STABLE_MS = 5000;

/** What the commands in flight get when their socket closes before answering. */
const CLOSED_MESSAGE = 'Connection is closed.';

/** Commands written in one go, waiting for their replies (FIFO: replies arrive in the order commands were sent). */
interface InFlight {
  replies: unknown[];
  /** Bytes of the replies so far, as RESP_LIMITS.replyBytes counts them. */
  bytes: number;
  commands: ReadonlyArray<ReadonlyArray<CommandArg>>;
  /** Set once the caller has been answered (a command timeout answers early; the replies are still consumed). */
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (replies: unknown[]) => void;
  reject: (err: Error) => void;
}

interface Waiter {
  ready(): void;
  error(err: unknown): void;
  end(): void;
}

/**
 * Our own RESP2 client: one persistent socket (TCP, TLS or unix), pipelined commands matched to replies in order,
 * reconnecting with {@link reconnectDelayMs} backoff. Stops (until the next ready()) instead of redialling when
 * the server rejects the credentials or is in protected mode: each attempt would be an ACL LOG entry.
 */
export class RespConnection implements RedisConnection {
  private state: State = 'idle';
  private socket: Socket | undefined;
  private queue: InFlight[] = [];
  private readonly waiters = new Set<Waiter>();
  private lastError: unknown;
  /** A -DENIED greeting seen on the current socket (protected mode). */
  private denied: Error | undefined;
  /** Whether the current socket has received any bytes (a reset before that suggests a TLS/plaintext mix-up). */
  private answered = false;
  /** Do not redial when the current socket closes (wrong credentials, protected mode, manual stop). */
  private stopAfterClose = false;
  private attempts = 0;
  /** When the current socket became ready (0: it has not). */
  private readySince = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly tls: ReturnType<typeof tlsConnectOptions>;
  /** Why the current socket is being closed by us (a limit, a timeout): what the commands in flight get. */
  private closeReason: RedisError | undefined;
  private closed = false;
  generation = 0;
  /** The last frozen command list encoded, and its bytes (see encode). */
  private encodedFor: ReadonlyArray<ReadonlyArray<CommandArg>> | undefined;
  private encoded: Buffer = Buffer.alloc(0);

  constructor(
    private current: RedisTarget,
    private readonly options: ConnectionOptions = {},
  ) {
    // Read the certificate files now: a missing file is a usage error, reported when the connection is made.
    this.tls = tlsConnectOptions(current, options.tls);
  }

  /** The target with the credentials of the next login. */
  get target(): RedisTarget {
    return this.current;
  }

  /**
   * Credentials for the next login (the AUTH of the next handshake), e.g. after `redoubt rotate` changed the
   * password file: the connection up now stays as it is, as a client's does across a rotation. A connection stopped
   * by a wrong password tries the new ones at its next ready().
   */
  useCredentials(username: string | undefined, password: string | undefined): void {
    const t = this.current;
    this.current = makeTarget(t.scheme, t.host, t.port, t.path, t.db, username || undefined, password || undefined);
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 15000;
  }

  private get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs ?? this.options.connectTimeoutMs ?? 15000;
  }

  /** Ready and the socket still writable (the state lags behind a socket the server just closed). */
  isReady(): boolean {
    return this.state === 'ready' && this.socket?.writable === true && !this.denied;
  }

  async ready(deadlineMs?: number): Promise<{ connectSeconds: number }> {
    if (this.closed) throw new RedisUnreachableError(this.target.display, 'the connection was closed');
    if (this.isReady()) return { connectSeconds: 0 };
    const started = performance.now();
    const timeoutMs = Math.max(1, (deadlineMs ?? Date.now() + this.connectTimeoutMs) - Date.now());
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        ready: () => {
          done();
          if (this.denied) reject(this.classify(this.denied));
          else resolve();
        },
        error: (err) => {
          done();
          reject(this.classify(err));
        },
        end: () => {
          done();
          reject(
            this.closed
              ? new RedisUnreachableError(this.target.display, 'the connection was closed')
              : this.classify(this.lastError ?? new Error(CLOSED_MESSAGE)),
          );
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(
          this.lastError
            ? this.classify(this.lastError)
            : deadlineMs === undefined
              ? new RedisTimeoutError(this.target.display, this.pendingStep(), timeoutMs / 1000)
              : new RedisTimeoutError(this.target.display, this.pendingStep(), timeoutMs / 1000, undefined, 'deadline'),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
      if (this.state === 'idle') this.connect();
    });
    return { connectSeconds: (performance.now() - started) / 1000 };
  }

  async call(name: string, ...args: CommandArg[]): Promise<unknown> {
    if (!this.isReady()) throw this.notUsable();
    let value: unknown;
    try {
      [value] = await this.send([[name, ...args]]);
    } catch (err) {
      throw this.classify(this.denied ?? err);
    }
    if (value instanceof Error) throw this.classify(this.denied ?? value);
    return value;
  }

  async pipeline(commands: Command[]): Promise<Reply[]> {
    if (commands.length === 0) return [];
    if (!this.isReady()) throw this.notUsable();
    const values = await this.send(commands);
    // A reply that is really a connection failure (closed, NOAUTH, DENIED) fails the whole pipeline.
    let worst: RedisError | undefined;
    const replies: Reply[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v instanceof Error)) {
        replies[i] = { ok: true, value: v };
        continue;
      }
      replies[i] = { ok: false, error: v };
      const e = this.classify(v);
      if (!CONNECTION_KINDS.has(e.kind)) continue;
      if (!worst || connectionKindRank(e.kind) < connectionKindRank(worst.kind)) worst = e;
    }
    if (this.denied) throw this.classify(this.denied);
    if (worst) {
      // "Connection is closed" says less than the socket error that closed it.
      if (worst.kind === 'unreachable' && this.lastError) throw this.classify(this.lastError);
      throw worst;
    }
    return replies;
  }

  reset(): void {
    // Commands in flight fail; the close handler redials after the backoff.
    this.socket?.destroy();
  }

  /** Closes the socket and stops reconnecting; the connection cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    if (!socket || socket.closed) {
      this.state = 'closed';
      this.notify('end');
      return;
    }
    const gone = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    socket.destroy();
    await gone;
  }

  /**
   * The RESP bytes of commands. A frozen list (its commands frozen too) is the same every time it comes back, as
   * a scrape's does: the last one's bytes are kept.
   */
  private encode(commands: ReadonlyArray<ReadonlyArray<CommandArg>>): string | Buffer {
    if (commands === this.encodedFor) return this.encoded;
    const bytes = encodeCommands(commands);
    // (a string: no Buffer arguments, whose bytes could change under a frozen list)
    if (typeof bytes === 'string' && Object.isFrozen(commands) && commands.every((c) => Object.isFrozen(c))) {
      this.encodedFor = commands;
      this.encoded = Buffer.from(bytes);
      return this.encoded;
    }
    return bytes;
  }

  /** Writes commands in one go; resolves with one value per command (error replies as Error values). */
  private send(commands: ReadonlyArray<ReadonlyArray<CommandArg>>): Promise<unknown[]> {
    const socket = this.socket as Socket;
    return new Promise((resolve, reject) => {
      const entry: InFlight = {
        replies: [],
        bytes: 0,
        commands,
        settled: false,
        timer: undefined,
        resolve,
        reject,
      };
      entry.timer = setTimeout(() => {
        // A server that does not answer in time may be streaming a reply that never ends: stop reading it. The
        // commands behind this one fail with the same error; the next ready() dials a fresh socket.
        const err = new RedisTimeoutError(this.target.display, 'the command', this.commandTimeoutMs / 1000);
        entry.settled = true;
        reject(err);
        this.abandon(socket, err);
      }, this.commandTimeoutMs);
      this.queue.push(entry);
      socket.write(this.encode(commands));
    });
  }

  private connect(): void {
    this.state = 'connecting';
    this.denied = undefined;
    this.answered = false;
    this.stopAfterClose = false;
    this.closeReason = undefined;
    let socket: Socket;
    try {
      socket = this.dial();
    } catch (err) {
      // e.g. a TLS key that does not parse: nothing to retry
      this.state = 'idle';
      this.fail(err);
      return;
    }
    this.socket = socket;
    let firstReply = true;
    const parser = new RespParser(
      (value, bytes) => {
        if (this.socket !== socket) return;
        if (firstReply) {
          firstReply = false;
          // Protected mode answers a new connection with -DENIED and closes it before reading anything.
          if (value instanceof RespReplyError && value.message.startsWith('DENIED')) {
            this.denied = value;
            this.lastError = value;
            // The server closes the socket; do not redial it every few seconds, the next ready() will.
            this.stopAfterClose = true;
            setImmediate(() => socket.destroy());
          }
        }
        this.onReply(value, bytes);
      },
      {},
      this.options.buffers === true,
    );
    this.connectTimer = setTimeout(() => {
      const step = this.pendingStep();
      this.fail(new RedisTimeoutError(this.target.display, step, this.connectTimeoutMs / 1000));
      socket.destroy();
    }, this.connectTimeoutMs);
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(this.connectTimer);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30000);
      this.handshake(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      this.answered = true;
      try {
        parser.feed(chunk);
      } catch (err) {
        if (this.socket !== socket) return void socket.destroy();
        const e =
          err instanceof RespProtocolError
            ? new RedisProtocolError(
                this.target.display,
                err.message,
                err instanceof RespLimitError ? err.limit : undefined,
              )
            : err;
        this.fail(e);
        // A server that sends a reply over a limit or another protocol will do it again: wait for the next ready().
        this.stopAfterClose = true;
        this.abandon(socket, e);
      }
    });
    socket.on('error', (err) => {
      if (this.socket === socket) this.fail(err);
    });
    socket.on('close', () => this.onClose(socket));
  }

  /** Stops reading a socket now; the commands in flight on it fail with `reason`. */
  private abandon(socket: Socket, reason: unknown): void {
    if (this.socket === socket && !this.closeReason) this.closeReason = this.classify(reason);
    socket.destroy();
  }

  private dial(): Socket {
    const t = this.target;
    if (t.scheme === 'unix') return netConnect({ path: t.path });
    if (this.tls) return tlsConnect({ host: t.host, port: t.port, ...this.tls });
    return netConnect({ host: t.host, port: t.port });
  }

  /** AUTH, SELECT and CLIENT SETNAME in one round trip; the connection is ready when they are answered. */
  private handshake(socket: Socket): void {
    if (this.socket !== socket) return;
    this.state = 'handshake';
    const { username, password, db } = this.target;
    const commands: CommandArg[][] = [];
    if (username) commands.push(['AUTH', username, password ?? '']);
    else if (password) commands.push(['AUTH', password]);
    if (db) commands.push(['SELECT', db]);
    if (this.options.clientName) commands.push(['CLIENT', 'SETNAME', this.options.clientName]);
    if (commands.length === 0) {
      this.becomeReady();
      return;
    }
    this.send(commands).then(
      (replies) => {
        // (a socket that closed first answered with CLOSED_MESSAGE: onClose has already moved on from it)
        if (this.socket !== socket || this.state !== 'handshake') return;
        for (const [i, reply] of replies.entries()) {
          if (!(reply instanceof Error)) continue;
          const name = commands[i][0];
          if (name === 'CLIENT') continue; // not permitted is fine: the name is a courtesy for CLIENT LIST readers
          if (name === 'AUTH' && authErrorIsHarmless(reply.message)) continue;
          this.fail(reply);
          // A failed AUTH redials unless fail() stopped it (wrong credentials); a database that cannot be
          // selected will not appear by retrying.
          if (name === 'SELECT') this.stopAfterClose = true;
          socket.destroy();
          return;
        }
        this.becomeReady();
      },
      (err) => {
        // The handshake timed out: start over on a new socket.
        if (this.socket !== socket) return;
        this.fail(err);
        socket.destroy();
      },
    );
  }

  private becomeReady(): void {
    this.state = 'ready';
    this.readySince = Date.now();
    this.generation++;
    // lastError explains why the connection is not ready; once it is, older errors are history.
    if (!this.denied) this.lastError = undefined;
    this.notify('ready');
  }

  /** Throws a RespLimitError when the replies to one round trip add up to more than RESP_LIMITS allows. */
  private onReply(value: unknown, bytes: number): void {
    const entry = this.queue[0];
    if (!entry) {
      // An error nothing asked for is a greeting before the server closes (DENIED, max clients reached). Anything
      // else is a server speaking out of turn, which Redis never does over RESP2 (redoubt subscribes to nothing):
      // reading it would let a server keep the connection busy for ever.
      if (value instanceof Error) return void this.fail(value);
      throw new RespProtocolError('the server sent a reply to no command (Redis never does)');
    }
    // Each reply is within the parser's limits; a pipeline of them must be too (a GET per key, each 64 MB).
    entry.bytes += bytes;
    if (entry.bytes > RESP_LIMITS.replyBytes)
      throw new RespLimitError('replyBytes', entry.bytes, RESP_LIMITS.replyBytes);
    const replies = entry.replies;
    if (value instanceof RespReplyError) value.command = { name: String(entry.commands[replies.length][0]) };
    replies.push(value);
    if (replies.length < entry.commands.length) return;
    this.queue.shift();
    clearTimeout(entry.timer);
    if (!entry.settled) {
      entry.settled = true;
      entry.resolve(entry.replies);
    }
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    clearTimeout(this.connectTimer);
    const queue = this.queue;
    this.queue = [];
    for (const entry of queue) {
      clearTimeout(entry.timer);
      if (entry.settled) continue;
      entry.settled = true;
      const reason = this.closeReason ?? new Error(CLOSED_MESSAGE);
      while (entry.replies.length < entry.commands.length) entry.replies.push(reason);
      entry.resolve(entry.replies);
    }
    if (this.closed) {
      this.state = 'closed';
      this.notify('end');
      return;
    }
    if (this.stopAfterClose) {
      this.state = 'idle';
      this.notify('end');
      return;
    }
    // The backoff starts over only after a connection that lasted: a server that accepts, answers the handshake
    // and hangs up at once would otherwise be redialled every 100 ms for ever.
    if (this.readySince && Date.now() - this.readySince >= STABLE_MS) this.attempts = 0;
    this.readySince = 0;
    this.state = 'reconnecting';
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = undefined;
        if (!this.closed && this.state === 'reconnecting') this.connect();
      },
      reconnectDelayMs(++this.attempts),
    );
  }

  /** Records a connection-level failure and tells whoever waits in ready(). */
  private fail(err: unknown): void {
    this.lastError = err;
    // Wrong credentials or protected mode do not heal by retrying every few seconds (each attempt is an ACL LOG
    // entry on the server): stop here; the next ready() tries again.
    const kind = classifyRedisError(err, this.target.display, this.target.username).kind;
    if (kind === 'wrong_password' || kind === 'protected_mode') this.stopAfterClose = true;
    this.notify('error', err);
  }

  private notify(event: 'ready' | 'end'): void;
  private notify(event: 'error', err: unknown): void;
  private notify(event: keyof Waiter, err?: unknown): void {
    for (const w of [...this.waiters]) {
      if (event === 'error') w.error(err);
      else w[event]();
    }
  }

  /** What a connection that has not become ready is waiting for, for the timeout message. */
  private pendingStep(): string {
    if (this.state === 'connecting') {
      if (this.target.scheme === 'rediss' && this.socket && !this.socket.connecting)
        return 'the TLS handshake (is the port serving TLS?)';
      return 'the connection attempt';
    }
    if (this.state === 'handshake') return this.target.password ? 'AUTH' : 'the connection setup';
    return 'a reconnect';
  }

  private classify(err: unknown): RedisError {
    const e = classifyRedisError(err, this.target.display, this.target.username);
    const code = (err as { code?: string } | null)?.code;
    if (e.kind === 'unreachable' && this.target.scheme === 'unix') {
      const socketError = unixSocketError(this.target.display, this.target.path ?? '', code, err);
      if (socketError) return socketError;
    }
    if (e.kind === 'timeout' && !(err instanceof RedisTimeoutError)) {
      return code === 'ETIMEDOUT'
        ? new RedisTimeoutError(this.target.display, 'the connection attempt', this.connectTimeoutMs / 1000)
        : new RedisTimeoutError(this.target.display, 'the command', this.commandTimeoutMs / 1000);
    }
    // A plaintext client on a TLS port: the server resets the connection at the first command, before any reply.
    if (e.kind === 'unreachable' && this.target.scheme === 'redis' && code === 'ECONNRESET' && !this.answered)
      return new RedisUnreachableError(
        this.target.display,
        'ECONNRESET before any reply (if the server only serves TLS, use rediss://)',
        { cause: err },
      );
    // A server with tls-auth-clients yes accepts the TLS 1.3 handshake, then resets the connection when the
    // client sent no certificate: say so instead of "unreachable".
    if (
      e.kind === 'unreachable' &&
      this.target.scheme === 'rediss' &&
      !this.options.tls?.certFile &&
      code === 'ECONNRESET'
    )
      return new RedisTlsError(
        this.target.display,
        'the server reset the connection after the handshake; it probably requires a client certificate (tls-auth-clients yes): pass --tls-client-cert-file and --tls-client-key-file',
        { cause: err },
      );
    return e;
  }

  /** The typed error for a connection that is not usable right now. */
  private notUsable(): RedisError {
    if (this.closed) return new RedisUnreachableError(this.target.display, 'the connection was closed');
    return this.classify(this.denied ?? this.lastError ?? new Error(CLOSED_MESSAGE));
  }
}

/** A unix socket that cannot be opened: the file is missing, not ours to open, or nobody listens on it. */
function unixSocketError(
  target: string,
  path: string,
  code: string | undefined,
  cause: unknown,
): RedisError | undefined {
  const file = neutralise(path);
  if (code === 'ENOENT')
    return new RedisUnreachableError(target, `the socket file ${file} does not exist (ENOENT)`, {
      cause,
      hint: "Check the path against redis-server's unixsocket setting, and that redis-server is running.",
    });
  if (code === 'EACCES')
    return new RedisUnreachableError(target, `no permission to open the socket file ${file} (EACCES)`, {
      cause,
      hint: "Check the socket's mode (redis-server's unixsocketperm) and that this user may open it (its group).",
    });
  if (code === 'ECONNREFUSED')
    return new RedisUnreachableError(target, `nothing listens on the socket file ${file} (ECONNREFUSED)`, {
      cause,
      hint: 'The file is left over from a redis-server that is no longer running: start redis-server.',
    });
  return undefined;
}

/**
 * AUTH replies that do not stop the connection (as with ioredis before): a password the server does not need, and
 * AUTH user pass on Redis 5 (which then answers NOAUTH to the commands that need it).
 */
function authErrorIsHarmless(message: string): boolean {
  return (
    message.includes('no password is set') ||
    message.includes('without any password configured for the default user') ||
    message.includes("wrong number of arguments for 'auth' command")
  );
}
