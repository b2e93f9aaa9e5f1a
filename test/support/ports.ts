import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for the servers tests start. A port found by binding port 0 comes from the kernel's ephemeral range, and
 * between closing it and the server binding it the kernel may give it to any outgoing connection (every test opens
 * many): the server then fails to start, or a test talks to the wrong process. So ports are picked at random below
 * that range, where the kernel never hands one out by itself, checked free by binding, and never handed out twice
 * by one test process; a server that still loses its port to another test process is restarted on a new one
 * (`withFreePort`).
 */

const LOWEST = 10000;
const handedOut = new Set<number>();

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** The kernel's own choice (bind port 0): only when no range below the ephemeral one is left. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A free TCP port on 127.0.0.1, below the kernel's ephemeral range (see above). */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  if (high - LOWEST < 1000) return kernelPort();
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return kernelPort();
}

/** Thrown by a server's start when its port was taken between `freePort()` and its bind. */
export class PortTakenError extends Error {
  constructor(
    readonly port: number,
    detail: string,
  ) {
    super(`port ${port} was taken before the server could bind it: ${detail}`);
    this.name = 'PortTakenError';
  }
}

/** True when a server's output says its bind failed because the address is in use. */
export function saysAddressInUse(output: string): boolean {
  return /address already in use|EADDRINUSE|bind\(\) to .* failed \(98/i.test(output);
}

/**
 * Starts a server on `port` when one is given; otherwise on a free port, and again on another one (a few times)
 * when the start throws `PortTakenError`.
 */
export async function withFreePort<T>(port: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (port !== undefined) return start(port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (e) {
      if (!(e instanceof PortTakenError) || attempt >= 5) throw e;
    }
  }
}
