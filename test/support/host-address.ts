import { networkInterfaces } from 'node:os';

/**
 * An IPv4 address of this machine that is not loopback: a client connecting to it arrives from it, so Redis treats
 * it as a remote client (protected mode counts 127.0.0.0/8 and ::1 as local). No root needed. A machine without
 * one cannot run the test that needs it, which then fails with this message rather than being skipped.
 */
export function nonLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const i of list ?? []) if (!i.internal && i.family === 'IPv4') return i.address;
  throw new Error('this machine has no non-loopback IPv4 address: the remote-client tests need one (any interface)');
}
