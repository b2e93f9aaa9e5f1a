import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * A deliberately tiny RESP2 client for test setup and assertions, independent of src/ (so tests of the
 * connection layer do not verify it with itself). One connection per call; no pipelining.
 */
export type RespValue = string | number | null | RespValue[];

export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

export interface RespEndpoint {
  host?: string;
  port?: number;
  /** Unix socket path; wins over host/port. */
  path?: string;
  tls?: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; servername?: string };
  username?: string;
  password?: string;
}

function encode(args: Array<string | number | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply from `buf` at `pos`; returns undefined when more bytes are needed. */
function parse(buf: Buffer, pos: number): { value: RespValue | RespError; next: number } | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      return { value: new RespError(line), next: eol + 2 };
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: eol + 2 };
      if (buf.length < eol + 2 + len + 2) return undefined;
      return { value: buf.toString('utf8', eol + 2, eol + 2 + len), next: eol + 2 + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next: eol + 2 };
      const out: RespValue[] = [];
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (!r) return undefined;
        if (r.value instanceof RespError) return { value: r.value, next: r.next };
        out.push(r.value);
        p = r.next;
      }
      return { value: out, next: p };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/**
 * Sends AUTH (when a password is given) and then each command in order on one fresh connection; resolves with
 * the replies of `commands`. An error reply to AUTH or to any command rejects with RespError.
 */
export async function respCommands(
  endpoint: RespEndpoint,
  commands: Array<Array<string | number | Buffer>>,
  timeoutMs = 5000,
): Promise<RespValue[]> {
  const all = [...commands];
  const authed = endpoint.password !== undefined;
  if (authed)
    all.unshift(endpoint.username ? ['AUTH', endpoint.username, endpoint.password!] : ['AUTH', endpoint.password!]);
  return new Promise<RespValue[]>((resolve, reject) => {
    let socket: Socket;
    const onConnect = () => socket.write(Buffer.concat(all.map(encode)));
    if (endpoint.tls) {
      socket = tlsConnect(
        endpoint.path
          ? { path: endpoint.path, ...endpoint.tls }
          : { host: endpoint.host ?? '127.0.0.1', port: endpoint.port, ...endpoint.tls },
        onConnect,
      );
    } else {
      socket = endpoint.path
        ? netConnect(endpoint.path, onConnect)
        : netConnect(endpoint.port ?? 6379, endpoint.host ?? '127.0.0.1', onConnect);
    }
    let buf = Buffer.alloc(0);
    const replies: RespValue[] = [];
    let done = false;
    const finish = (err: Error | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(authed ? replies.slice(1) : replies);
    };
    const timer = setTimeout(() => finish(new Error(`no reply within ${timeoutMs}ms`)), timeoutMs);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let pos = 0;
      for (;;) {
        const r = parse(buf, pos);
        if (!r) break;
        pos = r.next;
        if (r.value instanceof RespError) return finish(r.value);
        replies.push(r.value);
        if (replies.length === all.length) return finish(undefined);
      }
      buf = buf.subarray(pos);
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('connection closed before all replies arrived')));
  });
}

/** One command; see respCommands. */
export async function respCommand(
  endpoint: RespEndpoint,
  ...args: Array<string | number | Buffer>
): Promise<RespValue> {
  const [r] = await respCommands(endpoint, [args]);
  return r;
}
