import { readFileSync } from 'node:fs';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { classifyRedisError, type RedisError, RedisTimeoutError } from './errors.ts';
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
  o.servername = tls?.serverName || target.host;
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

export class IoRedisConnection implements RedisConnection {
  private client: Redis;
  private lastError: unknown;
  private readonly secrets: string[];
  private nameSet = false;
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
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      connectTimeout: options.connectTimeoutMs ?? 15000,
      commandTimeout: options.commandTimeoutMs ?? options.connectTimeoutMs ?? 15000,
      retryStrategy: (times) => reconnectDelayMs(times),
    });
    this.client.on('error', (err) => {
      this.lastError = err;
    });
    this.client.on('ready', () => {
      this.generation++;
    });
    this.client.on('end', () => {
      this.nameSet = false;
    });
    this.client.on('close', () => {
      this.nameSet = false;
    });
  }

  isReady(): boolean {
    return this.client.status === 'ready';
  }

  async ready(deadlineMs?: number): Promise<{ connectSeconds: number }> {
    if (this.client.status === 'ready') {
      await this.setName();
      return { connectSeconds: 0 };
    }
    const started = performance.now();
    const timeoutMs = Math.max(1, (deadlineMs ?? Date.now() + (this.options.connectTimeoutMs ?? 15000)) - Date.now());
    const c = this.client;
    this.lastError = undefined;
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        c.off('ready', onReady);
        c.off('error', onError);
      };
      const onReady = () => {
        cleanup();
        resolve();
      };
      const onError = (err: unknown) => {
        cleanup();
        reject(this.classify(err));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          this.lastError
            ? this.classify(this.lastError)
            : new RedisTimeoutError(this.target.display, 'the connection', timeoutMs / 1000),
        );
      }, timeoutMs);
      c.once('ready', onReady);
      c.once('error', onError);
      if (c.status === 'wait' || c.status === 'end') {
        c.connect().catch(() => {
          // reported through the 'error' event
        });
      }
    });
    await this.setName();
    return { connectSeconds: (performance.now() - started) / 1000 };
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
    if (e.kind === 'timeout')
      return new RedisTimeoutError(this.target.display, 'in time', (this.options.connectTimeoutMs ?? 15000) / 1000);
    return e;
  }

  async call(name: string, ...args: CommandArg[]): Promise<unknown> {
    try {
      return await this.client.call(name, ...args);
    } catch (err) {
      throw this.classify(err);
    }
  }

  async pipeline(commands: Command[]): Promise<Reply[]> {
    if (commands.length === 0) return [];
    const p = this.client.pipeline(commands.map(([n, ...a]) => ['call', n, ...a]) as unknown as string[][]);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await p.exec();
    } catch (err) {
      throw this.classify(err);
    }
    if (!results) throw this.classify(this.lastError ?? new Error('Connection is closed.'));
    return results.map(([err, value]) => (err ? { ok: false, error: err } : { ok: true, value }));
  }

  reset(): void {
    this.nameSet = false;
    this.client.disconnect(true);
  }

  async close(): Promise<void> {
    this.client.disconnect(false);
  }
}
