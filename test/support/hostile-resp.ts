import { createServer, type Server, type Socket } from 'node:net';

/**
 * A hostile "Redis" for attack tests: a plain TCP server that answers the first command it gets with `attack`,
 * which writes whatever it likes for as long as the socket stays open. It records when each client socket
 * closes, so a test can prove that redoubt stopped reading (closing its side).
 */
export interface HostileServer {
  port: number;
  /** Sockets accepted so far. */
  accepted: number;
  /** Client sockets that have closed. */
  closed: number;
  /** Bytes written to clients. */
  written: number;
  close(): Promise<void>;
}

export type Attack = (socket: Socket, server: HostileServer) => void;

/** `when`: 'data' attacks at the first command; 'connect' as soon as the client connects (before it asks anything). */
export async function startHostileServer(attack: Attack, when: 'data' | 'connect' = 'data'): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let srv: Server;
  const state: HostileServer = {
    port: 0,
    accepted: 0,
    closed: 0,
    written: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
  srv = createServer((s) => {
    sockets.add(s);
    state.accepted++;
    s.on('error', () => {});
    s.on('close', () => {
      sockets.delete(s);
      state.closed++;
    });
    if (when === 'connect') attack(s, state);
    else s.once('data', () => attack(s, state));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const addr = srv.address();
  state.port = typeof addr === 'object' && addr ? addr.port : 0;
  return state;
}

/**
 * Writes `header`, then `piece` again and again (waiting for drain), until the socket closes, or until `maxBytes`
 * are written (then the server closes it: a client without limits would otherwise take the machine's memory).
 */
export function stream(header: string, piece: Buffer | string, maxBytes = Number.POSITIVE_INFINITY): Attack {
  const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
  return (s, server) => {
    s.write(header);
    const pump = () => {
      while (!s.destroyed && s.writable) {
        if (server.written >= maxBytes) return void s.end();
        server.written += bytes.length;
        if (!s.write(bytes)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };
}

/** Writes `piece` on every turn of the event loop (small chunks, as a slow attacker would). */
export function trickle(header: string, piece: string): Attack {
  return (s, server) => {
    s.write(header);
    const tick = () => {
      if (s.destroyed || !s.writable) return;
      server.written += piece.length;
      s.write(piece);
      setImmediate(tick);
    };
    tick();
  };
}

/** A bulk string of `bytes` bytes, header and CRLF included. */
function bulkOf(bytes: number): Buffer {
  return Buffer.concat([Buffer.from(`$${bytes}\r\n`), Buffer.alloc(bytes, 0x78), Buffer.from('\r\n')]);
}

const GB = 1024 * 1024 * 1024;

/** The attacks of issue 9, item 5. */
export const ATTACKS = {
  /** A bulk string of 100 GB, streamed. */
  hugeBulk: stream('$100000000000\r\n', Buffer.alloc(64 * 1024, 0x78)),
  /** An array of 2^32-1 elements, streamed. */
  hugeArray: stream('*4294967295\r\n', ':1\r\n'.repeat(4096)),
  /** Arrays nested without end. */
  deepNesting: stream('', '*1\r\n'.repeat(4096)),
  /** A status line without end, in small chunks. */
  endlessLine: trickle('+', 'aaaaaaaaaaaaaaaa'),
  /** An array of a million bulk strings of 16 MB: each string and the count within their limits (stops at 1 GB). */
  manyBulks: stream('*1000000\r\n', bulkOf(16 * 1024 * 1024), GB),
  /** A 16 MB bulk string for every command of a pipeline, and more (stops at 1 GB). */
  bulkPerCommand: stream('', bulkOf(16 * 1024 * 1024), GB),
  /** A bulk string under the limits whose bytes never finish arriving. */
  unfinishedBulk: trickle('$1000000\r\n', 'x'),
} satisfies Record<string, Attack>;

/**
 * A scripted "Redis" (use with `startHostileServer(scripted(reply), 'connect')`): each command, read as a RESP array
 * of bulk strings without CRLF inside arguments, is answered with `reply(args)`, raw RESP as the script writes it.
 */
export function scripted(reply: (args: string[]) => string): Attack {
  return (socket) => {
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        const lines = buf.split('\r\n');
        const n = Number(lines[0]?.slice(1));
        if (!lines[0]?.startsWith('*') || lines.length < 1 + 2 * n + 1) return;
        const args: string[] = [];
        for (let i = 0; i < n; i++) args.push(lines[2 + 2 * i]);
        buf = lines.slice(1 + 2 * n).join('\r\n');
        socket.write(reply(args));
      }
    });
  };
}
