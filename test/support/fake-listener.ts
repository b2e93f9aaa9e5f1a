import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP listener for attacks that need a hostile or a witness server: it records every connection and every byte
 * it receives, and answers as `mode` says.
 *
 * - `silent`: answers nothing (a witness: did anything reach it?).
 * - `error`: one `-ERR nope` per RESP command received.
 * - `endless-bulk`: answers the first bytes with `$100000000000\r\n` and streams `x` for as long as the socket is
 *   open, 64 KB every 5 ms (a hostile Redis whose reply never ends; paced so that a client without a bulk limit
 *   does not take the shared test machine's memory with it).
 * - `endless-line`: the same with a simple string (`+xxxx…`) whose CR LF never comes.
 */
export type FakeMode = 'silent' | 'error' | 'endless-bulk' | 'endless-line';

export interface FakeListener {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Connections still open. */
  open(): number;
  /** Every byte received, over all connections, in arrival order. */
  received(): Buffer;
  /** Bytes sent so far (endless-bulk). */
  sent(): number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

function streamForever(socket: Socket, header: string, onSent: (n: number) => void): void {
  socket.write(header);
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) {
      clearInterval(timer);
      return;
    }
    if (socket.writableLength > CHUNK.length * 4) return; // the peer is not reading: wait
    onSent(CHUNK.length);
    socket.write(CHUNK);
  }, 5);
  socket.once('close', () => clearInterval(timer));
}

export async function startFakeListener(mode: FakeMode): Promise<FakeListener> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  let sent = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let streaming = false;
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (mode === 'error') {
        const commands = d.toString('latin1').match(/(?:^|\r\n)\*\d+\r\n/g)?.length ?? 1;
        socket.write('-ERR nope\r\n'.repeat(commands));
      } else if ((mode === 'endless-bulk' || mode === 'endless-line') && !streaming) {
        streaming = true;
        streamForever(socket, mode === 'endless-bulk' ? '$100000000000\r\n' : '+', (n) => {
          sent += n;
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => accepted,
    open: () => sockets.size,
    received: () => Buffer.concat(chunks),
    sent: () => sent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
