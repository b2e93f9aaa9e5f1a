/**
 * At most MAX_PER_CLIENT open connections from one client (an IPv6 client by its /64), counted as they are
 * accepted, before a byte is read: one client holding idle or half-sent requests cannot fill the listener's 512
 * and turn everyone else away. The map holds only clients with an open connection.
 */
import type { Server } from 'node:net';
import { addressKey } from '../auth/login-throttle.ts';
import { normaliseAddress } from './allowlist.ts';

export const MAX_CONNECTIONS_PER_CLIENT = 64;

export function limitConnectionsPerClient(server: Server, max = MAX_CONNECTIONS_PER_CLIENT): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: import('node:net').Socket) => {
    const key = addressKey(normaliseAddress(socket.remoteAddress));
    const n = open.get(key) ?? 0;
    if (n >= max) {
      socket.destroy();
      return;
    }
    open.set(key, n + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
