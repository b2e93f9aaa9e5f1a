import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { describeFsError, FileWriteError } from './atomic-write.ts';

/**
 * The content of `path` if it is a regular file, undefined if there is nothing there. A symbolic link is an error,
 * never followed (O_NOFOLLOW): redoubt compares what it is about to replace, and a link there is not its file.
 */
export function readRegularFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new FileWriteError(
        `${path} is a symbolic link; redoubt never writes through one: remove the link or choose another path`,
      );
    throw describeFsError(`read ${path}`, err);
  }
  try {
    if (!fstatSync(fd).isFile())
      throw new FileWriteError(`${path} exists and is not a regular file; choose another path`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
