import { Writable } from 'node:stream';
import type { CliIo } from './io.ts';

/**
 * `io` whose stdout and stderr pass every write through `hide` (which replaces the secrets known by then: see
 * src/text/known-secrets.ts). Commands write whole lines, so a secret is never split between two writes.
 */
export function hidingIo(io: CliIo, hide: (text: string) => string): CliIo {
  const through = (to: NodeJS.WritableStream) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        to.write(hide(String(chunk)));
        done();
      },
    });
  return { ...io, stdout: through(io.stdout), stderr: through(io.stderr) };
}
