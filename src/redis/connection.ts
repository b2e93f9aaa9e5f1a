import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type ConnectionOptions as TlsConnectOptions } from 'node:tls';
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
  /** Bulk string replies as Buffers (binary-safe: DUMP payloads, key names); default utf8 strings. */
  buffers?: boolean;
}

/**
 * The small interface every consumer talks to (RedisInsight's shape): one persistent connection to one
 * server, commands sent raw, pipelines in one round trip. RespConnection (resp-connection.ts) implements it.
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

/** node:tls connect options for a rediss:// target (undefined for redis:// and unix://); reads the PEM files. */
export function tlsConnectOptions(target: RedisTarget, tls: TlsOptions | undefined): TlsConnectOptions | undefined {
  if (target.scheme !== 'rediss') return undefined;
  const o: TlsConnectOptions = {};
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

/** Connection failures, most telling first: a pipeline rejects with them, the lowest rank among several. */
const KIND_PRIORITY = [
  'protected_mode',
  'auth_required',
  'wrong_password',
  'tls',
  'protocol',
  'timeout',
  'unreachable',
];

/** Kinds that mean the connection (not one command) failed: a pipeline rejects with them. */
export const CONNECTION_KINDS: ReadonlySet<string> = new Set(KIND_PRIORITY);

/** Which of several connection failures to report: lower is more telling. */
export function connectionKindRank(kind: string): number {
  return KIND_PRIORITY.indexOf(kind);
}
