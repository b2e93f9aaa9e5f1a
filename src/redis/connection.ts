import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import {
  classifyRedisError,
  type RedisError,
  RedisTimeoutError,
  RedisTlsError,
  RedisUnreachableError,
} from './errors.ts';
import type { RedisTarget } from './target.ts';

export type CommandArg = string | number | Buffer;
export type Command = [name: string, ...args: CommandArg[]];
export type Reply = { ok: true; value: unknown } | { ok: false; error: Error };

export interface TlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  skipVerify?: boolean;
}

export interface ConnectionOptions {
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  tls?: TlsOptions;
  /** CLIENT SETNAME sent once per connection (redis_exporter sends it every scrape). */
  clientName?: string;
}

/**
 * The small interface every consumer talks to (RedisInsight's shape): one persistent connection to one
 * server, commands sent raw, pipelines in one round trip. ioredis lives only behind it.
 */
export interface RedisConnection {
  readonly target: RedisTarget;
  /** Resolves when the connection is usable, connecting or waiting for a reconnect as needed. */
  ready(deadlineMs?: number): Promise<{ connectSeconds: number }>;
  call(name: string, ...args: CommandArg[]): Promise<unknown>;
  /**
   * Sends the commands in one round trip. Per-command error replies (NOPERM, unknown command, WRONGTYPE …) come
   * back as `{ ok: false }`; a failure of the connection itself (closed, timed out, NOAUTH, DENIED) rejects with
   * a typed RedisError instead.
   */
  pipeline(commands: Command[]): Promise<Reply[]>;
  isReady(): boolean;
  /** Increments every time a new underlying connection becomes ready; per-connection state keys on it. */
  readonly generation: number;
  /** Drops the current connection (e.g. after a timed-out pipeline whose replies may still arrive) and reconnects. */
  reset(): void;
  close(): Promise<void>;
}

/** Reconnect delays: 100 ms doubling to a 5 s cap. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.max(0, attempt - 1), 5000);
}

function tlsOptions(target: RedisTarget, tls: TlsOptions | undefined): RedisOptions['tls'] {
  if (target.scheme !== 'rediss') return undefined;
  const o: NonNullable<RedisOptions['tls']> = {};
  if (tls?.caFile) o.ca = readFileSync(tls.caFile);
  if (tls?.certFile) o.cert = readFileSync(tls.certFile);
  if (tls?.keyFile) o.key = readFileSync(tls.keyFile);
  if (tls?.skipVerify) o.rejectUnauthorized = false;
  // SNI must be a DNS name (RFC 6066; node warns with DEP0123 for an IP). Without one, node verifies the
  // certificate against the dialled host, which covers IP SANs.
  const sni = tls?.serverName || (isIP(target.host) ? undefined : target.host);
  if (sni && !isIP(sni)) o.servername = sni;
  if (tls?.serverName) {
    const name = tls.serverName;
    o.checkServerIdentity = (_host, cert) => (tls.skipVerify ? undefined : checkName(name, cert));
  }
  return o;
}

function checkName(name: string, cert: PeerCertificate): Error | undefined {
  // Verify against the configured server name rather than the address we dialled.
  return checkServerIdentity(name, cert);
}

/** Kinds that mean the connection (not one command) failed: a pipeline rejects with them. */
const CONNECTION_KINDS = new Set([
  'protected_mode',
  'auth_required',
  'wrong_password',
  'tls',
  'timeout',
  'unreachable',
]);
const KIND_PRIORITY = ['protected_mode', 'auth_required', 'wrong_password', 'tls', 'timeout', 'unreachable'];

export class IoRedisConnection implements RedisConnection {
  private client: Redis;
  private lastError: unknown;
  /** A -DENIED greeting seen on the current socket (protected mode); ioredis would otherwise swallow it. */
  private denied: Error | undefined;
  /** Whether the current socket has received any bytes (a reset before that suggests a TLS/plaintext mix-up). */
  private answered = false;
  private readonly secrets: string[];
  private nameSet = false;
  private closed = false;
  generation = 0;

  constructor(
    readonly target: RedisTarget,
    private readonly options: ConnectionOptions = {},
  ) {
    this.secrets = target.password ? [target.password] : [];
    this.client = new Redis({
      host: target.scheme === 'unix' ? undefined : target.host,
      port: target.scheme === 'unix' ? undefined : target.port,
      path: target.scheme === 'unix' ? target.path : undefined,
      username: target.username,
      password: target.password,
      db: target.db,
      tls: tlsOptions(target, options.tls),
      protocol: 2,
      lazyConnect: true,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      // ioredis would send CLIENT SETINFO on every connect: unknown before Redis 7.2, so each connect added two
      // errors to the monitored server's errorstats, and a reply it swallowed could hide a DENIED greeting.
      disableClientInfo: true,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      connectTimeout: this.connectTimeoutMs,
      commandTimeout: this.commandTimeoutMs,
      retryStrategy: (times) => reconnectDelayMs(times),
      // close() ends the socket and destroys it after this long; ioredis arms the timer even for a socket that is
      // already gone, and its 2 s default kept the process alive after close().
      disconnectTimeout: 200,
    });
    this.client.on('error', (err) => {
      this.lastError = err;
      // Wrong credentials or protected mode do not heal by retrying every few seconds (each attempt is an ACL LOG
      // entry on the server): stop here; the next ready() tries again.
      const kind = classifyRedisError(err, target.display, target.username).kind;
      if (kind === 'wrong_password' || kind === 'protected_mode') this.client.disconnect(false);
    });
    this.client.on('connect', () => {
      // Protected mode answers a new connection with -DENIED and closes it before reading anything. Look at the
      // first bytes before ioredis parses them (it treats the text as "no password is set" for AUTH).
      this.denied = undefined;
      this.answered = false;
      const stream = this.client.stream;
      stream?.prependOnceListener('data', (chunk: Buffer | string) => {
        this.answered = true;
        const text = typeof chunk === 'string' ? chunk : chunk.subarray(0, 512).toString('latin1');
        if (text.startsWith('-DENIED')) {
          const end = text.indexOf('\r');
          this.denied = new Error(text.slice(1, end < 0 ? undefined : end));
          this.lastError = this.denied;
          // The server closes the socket; do not redial it every few seconds, the next ready() will.
          setImmediate(() => this.client.disconnect(false));
        }
      });
    });
    this.client.on('ready', () => {
      this.generation++;
      // lastError explains why the connection is not ready; once it is, older errors are history.
      if (!this.denied) this.lastError = undefined;
    });
    this.client.on('end', () => {
      this.nameSet = false;
    });
    this.client.on('close', () => {
      this.nameSet = false;
    });
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 15000;
  }

  private get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs ?? this.options.connectTimeoutMs ?? 15000;
  }

  /** Ready and the socket still writable (status lags behind a socket the server just closed). */
  isReady(): boolean {
    return this.client.status === 'ready' && this.client.stream?.writable === true && !this.denied;
  }

  async ready(deadlineMs?: number): Promise<{ connectSeconds: number }> {
    if (this.closed) throw new RedisUnreachableError(this.target.display, 'the connection was closed');
    if (this.isReady()) {
      await this.setName();
      return { connectSeconds: 0 };
    }
    const started = performance.now();
    const timeoutMs = Math.max(1, (deadlineMs ?? Date.now() + this.connectTimeoutMs) - Date.now());
    const c = this.client;
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        c.off('ready', onReady);
        c.off('error', onError);
        c.off('end', onEnd);
      };
      const onReady = () => {
        cleanup();
        if (this.denied) reject(this.classify(this.denied));
        else resolve();
      };
      const onError = (err: unknown) => {
        cleanup();
        reject(this.classify(err));
      };
      const onEnd = () => {
        cleanup();
        reject(this.classify(this.lastError ?? new Error('Connection is closed.')));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          this.lastError
            ? this.classify(this.lastError)
            : new RedisTimeoutError(this.target.display, this.pendingStep(), timeoutMs / 1000),
        );
      }, timeoutMs);
      c.once('ready', onReady);
      c.once('error', onError);
      c.once('end', onEnd);
      if (c.status === 'wait' || c.status === 'end') {
        c.connect().catch(() => {
          // reported through the 'error' / 'end' events
        });
      }
    });
    await this.setName();
    return { connectSeconds: (performance.now() - started) / 1000 };
  }

  /** What a connection that has not become ready is waiting for, for the timeout message. */
  private pendingStep(): string {
    const stream = this.client.stream as (typeof this.client.stream & { connecting?: boolean }) | undefined;
    if (this.client.status === 'connecting') {
      if (this.target.scheme === 'rediss' && stream && !stream.connecting)
        return 'the TLS handshake (is the port serving TLS?)';
      return 'the connection attempt';
    }
    if (this.client.status === 'connect') return this.target.password ? 'AUTH' : 'the connection setup';
    return 'a reconnect';
  }

  private async setName(): Promise<void> {
    if (this.nameSet || !this.options.clientName) return;
    this.nameSet = true;
    try {
      await this.client.call('CLIENT', 'SETNAME', this.options.clientName);
    } catch {
      // not permitted is fine: the name is a courtesy for CLIENT LIST readers
    }
  }

  private classify(err: unknown): RedisError {
    const e = classifyRedisError(err, this.target.display, this.target.username, this.secrets);
    if (e.kind === 'timeout') {
      return (err as { code?: string } | null)?.code === 'ETIMEDOUT'
        ? new RedisTimeoutError(this.target.display, 'the connection attempt', this.connectTimeoutMs / 1000)
        : new RedisTimeoutError(this.target.display, 'the command', this.commandTimeoutMs / 1000);
    }
    const code = (err as { code?: string } | null)?.code;
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
    return this.classify(this.denied ?? this.lastError ?? new Error('Connection is closed.'));
  }

  async call(name: string, ...args: CommandArg[]): Promise<unknown> {
    if (!this.isReady()) throw this.notUsable();
    try {
      return await this.client.call(name, ...args);
    } catch (err) {
      throw this.classify(this.denied ?? err);
    }
  }

  async pipeline(commands: Command[]): Promise<Reply[]> {
    if (commands.length === 0) return [];
    if (!this.isReady()) throw this.notUsable();
    const p = this.client.pipeline(commands.map(([n, ...a]) => ['call', n, ...a]) as unknown as string[][]);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await p.exec();
    } catch (err) {
      throw this.classify(err);
    }
    if (!results) throw this.notUsable();
    // A reply that is really a connection failure (closed, timed out, NOAUTH, DENIED) fails the whole pipeline.
    let worst: RedisError | undefined;
    for (const [err] of results) {
      if (!err) continue;
      const e = this.classify(err);
      if (!CONNECTION_KINDS.has(e.kind)) continue;
      if (!worst || KIND_PRIORITY.indexOf(e.kind) < KIND_PRIORITY.indexOf(worst.kind)) worst = e;
    }
    if (this.denied) throw this.classify(this.denied);
    if (worst) {
      // "Connection is closed" says less than the socket error that closed it.
      if (worst.kind === 'unreachable' && this.lastError) throw this.classify(this.lastError);
      throw worst;
    }
    return results.map(([err, value]) => (err ? { ok: false, error: err } : { ok: true, value }));
  }

  reset(): void {
    this.nameSet = false;
    this.client.disconnect(true);
  }

  /** Closes the socket and stops reconnecting; the connection cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const status = this.client.status;
    if (status === 'end') return;
    if (status === 'reconnecting' || status === 'close' || status === 'wait') {
      // No live socket: disconnect() only cancels the pending reconnect timer (and emits no 'end').
      this.client.disconnect(false);
      return;
    }
    const ended = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      this.client.once('end', () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.client.disconnect(false);
    await ended;
  }
}
