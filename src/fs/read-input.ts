import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** A file the user named cannot be read as input: missing, unreadable, not a regular file, or too large. */
export class InputFileError extends Error {
  constructor(
    readonly path: string,
    /** The errno code (ENOENT, EISDIR, …), EFBIG for too large, ENOTREG for a FIFO or device. */
    readonly code: string,
    readonly reason: string,
  ) {
    super(`cannot read ${path}: ${reason}`);
    this.name = 'InputFileError';
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
};

function tooLarge(path: string, maxBytes: number): InputFileError {
  return new InputFileError(path, 'EFBIG', `larger than ${maxBytes} bytes`);
}

/**
 * The content of a file the user named (a rule file, a config, an ACL file), read at most `maxBytes`: a FIFO, a
 * device (`/dev/zero`) or a file larger than the limit is refused instead of read without end.
 */
export function readInputFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputFileError(path, code, REASONS[code] ?? code);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(path, 'EISDIR', REASONS.EISDIR);
    if (!st.isFile()) throw new InputFileError(path, 'ENOTREG', 'not a regular file');
    if (st.size > maxBytes) throw tooLarge(path, maxBytes);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) throw tooLarge(path, maxBytes);
    }
    return buf.subarray(0, n);
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputFileError(path, code, REASONS[code] ?? code);
  } finally {
    closeSync(fd);
  }
}

/** readInputFile as UTF-8 text. */
export function readInputText(path: string, maxBytes: number): string {
  return readInputFile(path, maxBytes).toString('utf8');
}
