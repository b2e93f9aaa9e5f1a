import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { trackChild } from './children.ts';
import { PortTakenError, saysAddressInUse, withFreePort } from './ports.ts';
import { type RespEndpoint, type RespValue, respCommand } from './resp.ts';
import { generateTlsFiles, type TlsFiles } from './tls.ts';

export type TlsAuthClients = 'yes' | 'no' | 'optional';

export interface RedisServerTlsOptions {
  /** Certificates to use; default: the master's (with replicaOf a TLS server), else generated into the server's directory. */
  files?: TlsFiles;
  /** tls-auth-clients; default 'no' (Redis's own default is 'yes'). */
  authClients?: TlsAuthClients;
}

export interface RedisServerOptions {
  /** Extra redis.conf lines, e.g. ['maxmemory 10mb']. Appended last, so they win over generated lines. */
  config?: string[];
  /** TCP port (the TLS port when `tls` is set); a free one by default. */
  port?: number;
  /** requirepass for the default user; any characters, quoted for redis.conf by the helper. */
  password?: string;
  /**
   * ACL users, one per entry, written to an aclfile: `alice on >pw ~* +@all -config` (a leading `user ` is
   * optional). The aclfile format does not support quoting: for passwords with spaces or quotes use
   * `#${aclPasswordHash(pw)}`. With `password` set and no `default` entry, a `default` user with that password
   * and full access is added (an aclfile otherwise resets the default user to nopass).
   */
  aclUsers?: string[];
  /** Serve TLS only: `port 0` and `tls-port PORT`. `true` = generated certificates, tls-auth-clients no. */
  tls?: boolean | RedisServerTlsOptions;
  /** rename-command CONFIG to this name; '' disables CONFIG. */
  renameConfig?: string;
  /** Start as a replica of this server (replicaof + masterauth; tls-replication when it serves TLS). */
  replicaOf?: RedisServer;
  /** Also listen on a unix socket (in the server's directory unless a path is given). */
  unixSocket?: boolean | { path?: string; perm?: string };
  /** Wait for master_link_status:up when replicaOf is set; default true. */
  waitForSync?: boolean;
}

export interface RedisServer {
  host: string;
  port: number;
  /** redis://127.0.0.1:PORT (rediss:// when TLS) without credentials. */
  url: string;
  dir: string;
  process: ChildProcess;
  /** The requirepass / default user's password, when set. */
  password?: string;
  /** Certificates the server uses (client cert, CA, wrong CA …) when it serves TLS. */
  tlsFiles?: TlsFiles;
  /** Unix socket path when unixSocket is set. */
  socketPath?: string;
  /** unix://PATH when unixSocket is set. */
  socketUrl?: string;
  /** The name CONFIG was renamed to ('' when disabled); undefined when not renamed. */
  configCommand?: string;
  /** Where `command()` connects, with the default user's password and TLS client settings. */
  endpoint: RespEndpoint;
  /** One command over a fresh connection as the default user (independent of src/). Error replies reject. */
  command(...args: Array<string | number>): Promise<RespValue>;
  /** Redis log output of the current process. */
  logs(): string;
  stop(): Promise<void>;
  /** SIGKILL the server (a crash), keeping its directory and port for restart(). */
  kill(): Promise<void>;
  /** Start again on the same port with the same config. */
  restart(): Promise<void>;
}

/** Quotes a value for redis.conf (sdssplitargs): double quotes with \\, \" and non-printables as \xHH. */
export function quoteConf(value: string): string {
  let out = '"';
  for (const b of Buffer.from(value, 'utf8')) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/** SHA-256 hex of a password, for `#<hash>` in ACL rules (works for any characters, unlike `>pw` in an aclfile). */
export function aclPasswordHash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/**
 * Waits for this redis-server's own "Ready to accept connections" (a connect to the port could reach another
 * process that took it); a server that exits because its port was taken throws PortTakenError.
 */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitForReady(port: number, child: ChildProcess, logs: () => string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (saysAddressInUse(logs())) throw new PortTakenError(port, logs());
      throw new Error(`redis-server exited with ${child.exitCode ?? child.signalCode}: ${logs()}`);
    }
    if (logs().includes('Ready to accept connections')) return;
    // A config with its own `logfile` (a test applying harden's advice) says nothing here: then a connect while
    // the process is alive (the port is below the ephemeral range, so no other process holds it by chance).
    if (logs() === '' && (await accepts(port)) && child.exitCode === null && child.signalCode === null) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server was not ready on ${port} within ${timeoutMs}ms: ${logs()}`);
}

async function waitForLinkUp(server: RedisServer, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = String(await server.command('INFO', 'replication'));
      if (last.includes('master_link_status:up')) return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`replica on ${server.port} did not sync within ${timeoutMs}ms: ${last}\n${server.logs()}`);
}

function aclLine(line: string): string {
  const t = line.trim();
  return /^user\s/i.test(t) ? t : `user ${t}`;
}

/** Starts a real redis-server on a free loopback port with its own directory and config file. */
export function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  return withFreePort(options.port, (port) => startRedisOn(port, options));
}

async function startRedisOn(port: number, options: RedisServerOptions): Promise<RedisServer> {
  const bin = requireBinary('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-redis-'));
  const conf = join(dir, 'redis.conf');
  const lines: string[] = [
    'bind 127.0.0.1',
    `dir ${quoteConf(dir)}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    'logfile ""',
    // Replicas of a test server sync at once instead of after the 5 s diskless-sync delay.
    'repl-diskless-sync-delay 0',
  ];

  const tlsOpt = options.tls === true ? {} : options.tls || undefined;
  let tlsFiles: TlsFiles | undefined;
  if (tlsOpt) {
    // A TLS replica of a TLS master shares its PKI, so each side trusts the other.
    tlsFiles = tlsOpt.files ?? options.replicaOf?.tlsFiles ?? (await generateTlsFiles({ dir }));
    lines.push(
      'port 0',
      `tls-port ${port}`,
      `tls-cert-file ${quoteConf(tlsFiles.serverCert)}`,
      `tls-key-file ${quoteConf(tlsFiles.serverKey)}`,
      `tls-ca-cert-file ${quoteConf(tlsFiles.caCert)}`,
      `tls-auth-clients ${tlsOpt.authClients ?? 'no'}`,
    );
  } else {
    lines.push(`port ${port}`);
  }

  if (options.aclUsers) {
    const users = options.aclUsers.map(aclLine);
    if (options.password !== undefined && !users.some((u) => /^user\s+default(\s|$)/i.test(u)))
      users.unshift(`user default on #${aclPasswordHash(options.password)} ~* &* +@all`);
    const aclfile = join(dir, 'users.acl');
    writeFileSync(aclfile, `${users.join('\n')}\n`, { mode: 0o600 });
    lines.push(`aclfile ${quoteConf(aclfile)}`);
  } else if (options.password !== undefined) {
    lines.push(`requirepass ${quoteConf(options.password)}`);
  }

  if (options.renameConfig !== undefined) lines.push(`rename-command CONFIG ${quoteConf(options.renameConfig)}`);

  let socketPath: string | undefined;
  if (options.unixSocket) {
    const u = options.unixSocket === true ? {} : options.unixSocket;
    socketPath = u.path ?? join(dir, 'redis.sock');
    lines.push(`unixsocket ${quoteConf(socketPath)}`, `unixsocketperm ${u.perm ?? '700'}`);
  }

  const master = options.replicaOf;
  if (master) {
    lines.push(`replicaof 127.0.0.1 ${master.port}`);
    if (master.password !== undefined) lines.push(`masterauth ${quoteConf(master.password)}`);
    if (master.tlsFiles) {
      const f = master.tlsFiles;
      lines.push(
        'tls-replication yes',
        `tls-client-cert-file ${quoteConf(f.clientCert)}`,
        `tls-client-key-file ${quoteConf(f.clientKey)}`,
      );
      if (!tlsFiles) {
        // tls-cert/key-file must be set for the TLS context even when this server does not serve TLS.
        lines.push(
          `tls-cert-file ${quoteConf(f.serverCert)}`,
          `tls-key-file ${quoteConf(f.serverKey)}`,
          `tls-ca-cert-file ${quoteConf(f.caCert)}`,
        );
      }
    }
  }

  lines.push(...(options.config ?? []), '');
  writeFileSync(conf, lines.join('\n'), { mode: 0o600 });

  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn(bin, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    await waitForReady(port, child, () => output);
  };

  const endpoint: RespEndpoint = {
    host: '127.0.0.1',
    port,
    password: options.password,
    tls: tlsFiles
      ? {
          ca: readFileSync(tlsFiles.caCert),
          cert: readFileSync(tlsFiles.clientCert),
          key: readFileSync(tlsFiles.clientKey),
        }
      : undefined,
  };

  try {
    await launch();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const server: RedisServer = {
    host: '127.0.0.1',
    port,
    url: `${tlsFiles ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    get process() {
      return child;
    },
    password: options.password,
    tlsFiles,
    socketPath,
    socketUrl: socketPath ? `unix://${socketPath}` : undefined,
    configCommand: options.renameConfig,
    endpoint,
    command: (...args) => respCommand(endpoint, ...args),
    logs: () => output,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await server.kill();
      await launch();
    },
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (master && options.waitForSync !== false) {
    try {
      await waitForLinkUp(server);
    } catch (e) {
      await server.stop();
      throw e;
    }
  }
  return server;
}
