import { lstatSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';

export type TcpOutcome =
  | 'connected'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'no-socket-file'
  | 'not-a-socket'
  | 'no-permission'
  | 'error';

export interface TcpFacts {
  /** host:port or the socket path, as dialled. */
  address: string;
  outcome: TcpOutcome;
  code?: string;
  timeoutMs: number;
  /** What the path is when it is not a socket (a FIFO, a regular file …). */
  kind?: string;
}

/** What a unix socket path holds, when it is not a socket (connecting to it is refused): undefined for a socket. */
function notASocket(path: string): string | undefined {
  try {
    const st = lstatSync(path);
    if (st.isSocket()) return undefined;
    if (st.isFIFO()) return 'a FIFO (named pipe)';
    if (st.isFile()) return 'a regular file';
    if (st.isDirectory()) return 'a directory';
    if (st.isSymbolicLink()) return undefined;
    return 'a device';
  } catch {
    return undefined;
  }
}

const OUTCOMES: Record<string, TcpOutcome> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENOENT: 'no-socket-file',
  EACCES: 'no-permission',
};

/** Opens a TCP (or unix socket) connection within `ms` and closes it again. */
export function probeTcp(where: { host: string; port: number } | { path: string }, ms: number): Promise<TcpFacts> {
  const address =
    'path' in where ? where.path : `${where.host.includes(':') ? `[${where.host}]` : where.host}:${where.port}`;
  return new Promise((resolve) => {
    const socket: Socket =
      'path' in where ? connect({ path: where.path }) : connect({ host: where.host, port: where.port });
    const done = (outcome: TcpOutcome, code?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code ? { address, outcome, code, timeoutMs: ms } : { address, outcome, timeoutMs: ms });
    };
    const timer = setTimeout(() => done('timeout'), ms);
    socket.once('connect', () => done('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const kind = 'path' in where && err.code === 'ECONNREFUSED' ? notASocket(where.path) : undefined;
      if (kind) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ address, outcome: 'not-a-socket', code: err.code, timeoutMs: ms, kind });
      } else done(OUTCOMES[err.code ?? ''] ?? 'error', err.code ?? 'error');
    });
  });
}

/** Refused, dropped (timeout) or rejected (unreachable): each has its own fix. */
export function diagnoseTcp(subject: string, facts: TcpFacts, unix: boolean): Finding {
  const a = neutralise(facts.address);
  const s = facts.timeoutMs / 1000;
  switch (facts.outcome) {
    case 'connected':
      return finding(subject, 'tcp', 'ok', `${unix ? 'the socket' : 'TCP'} ${a} accepts connections`);
    case 'refused':
      return unix
        ? finding(
            subject,
            'tcp',
            'fail',
            `nothing listens on the socket file ${a} (refused)`,
            'the file is left over from a redis-server that stopped: start redis-server',
          )
        : finding(
            subject,
            'tcp',
            'fail',
            `connection refused by ${a}: the host is up but nothing listens on that port`,
            'start redis-server, or check its port (the "port" line of redis.conf) and bind address ("bind 127.0.0.1" accepts local connections only); in Docker, publish the port (ports: "6379:6379")',
          );
    case 'timeout':
      return finding(
        subject,
        'tcp',
        'fail',
        `no answer from ${a} within ${s}s: the connection attempt was dropped (filtered by a firewall or security group, or the host is down)`,
        `allow this machine's address to reach port ${a.split(':').pop()} in the firewall (iptables/nftables, cloud security group), and check the host is up`,
      );
    case 'unreachable':
      return finding(
        subject,
        'tcp',
        'fail',
        `${a} is unreachable (${neutralise(facts.code ?? '')}): no route to it, or a firewall rejects the connection`,
        'check the address and this machine\'s routes; a firewall rule with "reject" answers like this',
      );
    case 'not-a-socket':
      return finding(
        subject,
        'tcp',
        'fail',
        `${a} is ${facts.kind ?? 'another kind of file'}, not a socket: no redis-server listens there`,
        'check the path against the "unixsocket" line of redis.conf; redis-server creates the socket itself when it starts (remove what is at that path first)',
      );
    case 'no-socket-file':
      return finding(
        subject,
        'tcp',
        'fail',
        `the socket file ${a} does not exist`,
        'check the path against the "unixsocket" line of redis.conf, and that redis-server is running',
      );
    case 'no-permission':
      return finding(
        subject,
        'tcp',
        'fail',
        `no permission to open the socket file ${a}`,
        'check the socket\'s mode ("unixsocketperm" in redis.conf) and add this user to its group',
      );
    default:
      return finding(
        subject,
        'tcp',
        'fail',
        `cannot connect to ${a} (${neutralise(facts.code ?? 'error')})`,
        'check the address and the network',
      );
  }
}
