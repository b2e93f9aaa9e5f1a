import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Every file redoubt writes goes through here, so that none of them can be turned against the user:
 * - a random temporary name in the destination's directory, created with O_CREAT|O_EXCL|O_NOFOLLOW (a file or a
 *   symbolic link planted at that name is never opened, let alone followed) and exactly `mode`, whatever the umask;
 * - the data fsynced, then renamed (or hard-linked, when the destination must not exist yet) over the destination,
 *   and the directory fsynced: a reader or a crash sees the old content or the new, never a part;
 * - a destination that is a symbolic link, a directory or a device is refused, and an existing file is replaced only
 *   when the caller says so (`overwrite`, which commands give only with --force or for files they own);
 * - a directory every user may write to, without the sticky bit (chmod 0777), is refused: anyone could replace what
 *   redoubt wrote there (a compose file, a config) before it is used. /tmp (1777) is fine.
 */

/** A file or directory redoubt was asked to write cannot be written; the message says why and what to do. */
export class FileWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileWriteError';
  }
}

export interface WriteOptions {
  /** Permission bits of the new file (0600 for secrets, 0644 otherwise). */
  mode: number;
  /** Replace an existing regular file; without it an existing file is an error. */
  overwrite: boolean;
}

const REASONS: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a directory',
  ELOOP: 'a part of the path is a symbolic link',
  EEXIST: 'it exists',
  ENAMETOOLONG: 'the name is too long',
};

/** One line for an errno error, naming the path and never a Node stack. */
export function describeFsError(what: string, err: unknown): FileWriteError {
  if (err instanceof FileWriteError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new FileWriteError(`cannot ${what}: ${REASONS[code] ?? (code || (err as Error).message)}`);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw describeFsError(`write ${path}`, err);
  }
}

/** Refuses a destination that is not a regular file (or absent), and an existing one unless `overwrite`. */
function checkDestination(path: string, overwrite: boolean): void {
  const st = lstatOrUndefined(path);
  if (!st) return;
  if (st.isSymbolicLink())
    throw new FileWriteError(
      `${path} is a symbolic link; redoubt never writes through one: remove the link or choose another path`,
    );
  if (!st.isFile()) throw new FileWriteError(`${path} exists and is not a regular file; choose another path`);
  if (!overwrite) throw new FileWriteError(`${path} exists; refusing to overwrite it`);
}

/**
 * Refuses a directory, or one above it (as the links resolve), that every user may write to and that lacks the
 * sticky bit: in /shared (0777), another user could rename /shared/stack away and put their own in its place.
 */
export function checkDirectory(dir: string): void {
  // (a directory that cannot be looked at is reported by the write itself, naming the file)
  let current: string;
  try {
    current = realpathSync(dir);
  } catch {
    return;
  }
  for (;;) {
    const st = statOrUndefined(current);
    if (st?.isDirectory() && st.mode & 0o002 && !(st.mode & 0o1000))
      throw new FileWriteError(
        `${current === resolve(dir) ? dir : `${current}, above ${dir},`} may be written by every user (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): another user could replace what redoubt writes there; run chmod o-w ${current}, or choose another directory`,
      );
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Creates a fresh temporary file next to `path`; a name that is taken (planted) is skipped, never opened. */
function createTemp(path: string, mode: number): { tmp: string; fd: number } {
  for (let attempt = 0; attempt < 8; attempt++) {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(9).toString('hex')}.tmp`);
    try {
      return { tmp, fd: openSync(tmp, CREATE_FLAGS, mode) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ELOOP') throw describeFsError(`write ${path}`, err);
    }
  }
  throw new FileWriteError(`cannot write ${path}: no free temporary name in ${dirname(path)}`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions): void {
  checkDirectory(dirname(path));
  checkDestination(path, options.overwrite);
  const { tmp, fd } = createTemp(path, options.mode);
  try {
    try {
      fchmodSync(fd, options.mode);
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw describeFsError(`write ${path}`, err);
  }
  install(tmp, path, options.overwrite);
}

/** Puts a complete, fsynced temporary file in place of `path` (see the rules above); removes it on failure. */
function install(tmp: string, path: string, overwrite: boolean): void {
  try {
    if (overwrite) {
      checkDestination(path, true);
      // rename replaces a link planted since the check by the new file; it never writes through it.
      renameSync(tmp, path);
    } else {
      // link fails with EEXIST if anything appeared at `path` since the check: never a silent overwrite.
      linkSync(tmp, path);
      unlinkSync(tmp);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new FileWriteError(`${path} appeared while redoubt was writing it; refusing to overwrite it`);
    throw describeFsError(`write ${path}`, err);
  }
  fsyncDirectory(dirname(path));
}

/**
 * writeFileAtomic for a file too large to build in memory first: the same temporary file, checks, fsync and
 * rename, the content written piece by piece through a small buffer. Nothing is at `path` until `commit`; `abort`
 * removes the temporary file; a crash leaves it (a hidden `.NAME.RANDOM.tmp`) for the owner's clean-up.
 */
const WRITE_BUFFER_BYTES = 256 * 1024;
const spareBuffers: Buffer[] = [];

export class AtomicFileWriter {
  private readonly buf: Buffer;
  private used = 0;
  private written = 0;
  private done = false;
  private installed = false;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly fd: number,
    private readonly overwrite: boolean,
  ) {
    this.buf = spareBuffers.pop() ?? Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  }

  static open(path: string, options: WriteOptions): AtomicFileWriter {
    checkDirectory(dirname(path));
    checkDestination(path, options.overwrite);
    const { tmp, fd } = createTemp(path, options.mode);
    try {
      fchmodSync(fd, options.mode);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw describeFsError(`write ${path}`, err);
    }
    return new AtomicFileWriter(path, tmp, fd, options.overwrite);
  }

  /** Whether `commit` put the file in place. */
  get committed(): boolean {
    return this.installed;
  }

  /** Bytes written so far (the offset the next write lands at). */
  get length(): number {
    return this.written + this.used;
  }

  write(data: Uint8Array): void {
    if (this.done) throw new Error(`${this.path}: write after commit or abort`);
    if (this.used + data.length > this.buf.length) this.drain();
    if (data.length >= this.buf.length) this.writeOut(data);
    else {
      this.buf.set(data, this.used);
      this.used += data.length;
    }
  }

  /** Writes what is buffered, fsyncs, closes and puts the file in place. */
  commit(): void {
    if (this.done) throw new Error(`${this.path}: committed or aborted already`);
    try {
      this.drain();
      fsyncSync(this.fd);
    } catch (err) {
      this.abort();
      throw describeFsError(`write ${this.path}`, err);
    }
    this.done = true;
    this.release();
    closeSync(this.fd);
    install(this.tmp, this.path, this.overwrite);
    this.installed = true;
  }

  /** Forgets the file: closes and removes the temporary one. Safe to call more than once. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.release();
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.tmp, { force: true });
    }
  }

  /** Hands the buffer back for the next file (a store writes one every flush: no new 256 KiB each time). */
  private release(): void {
    if (spareBuffers.length < 4) spareBuffers.push(this.buf);
  }

  private drain(): void {
    if (this.used === 0) return;
    this.writeOut(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeOut(data: Uint8Array): void {
    try {
      for (let at = 0; at < data.length; ) at += writeSync(this.fd, data, at, data.length - at);
    } catch (err) {
      this.abort();
      throw describeFsError(`write ${this.path}`, err);
    }
    this.written += data.length;
  }
}

export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the file itself is already on disk.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `mkdir -p`, one component at a time. Node's own recursive mkdir loops forever where mkdir answers ENOENT for a
 * path whose parent exists (/proc/foo), so it is not used. Directories at or above `root` may be links (the user
 * chose the path); below it, a component that is a symbolic link is refused, so a planted link never redirects a
 * write.
 */
export function makeDirectory(path: string, mode: number, root = path): void {
  const target = resolve(path);
  const top = resolve(root);
  const parts = target.split(sep).filter(Boolean);
  let current: string = sep;
  for (const part of parts) {
    current = join(current, part);
    const below = relative(top, current) !== '' && !relative(top, current).startsWith('..');
    const st = lstatOrUndefined(current);
    if (st?.isSymbolicLink() && below)
      throw new FileWriteError(
        `${current} is a symbolic link; redoubt never writes through one: remove the link or choose another directory`,
      );
    if (st) {
      if (st.isDirectory() || (st.isSymbolicLink() && !below && isDirectoryThroughLink(current))) continue;
      throw new FileWriteError(`cannot create ${target}: ${current} exists and is not a directory`);
    }
    try {
      mkdirSync(current, { mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && lstatOrUndefined(current)?.isDirectory()) continue;
      if (code === 'ENOENT')
        throw new FileWriteError(`cannot create the directory ${current}: its file system does not allow it`);
      throw describeFsError(`create the directory ${current}`, err);
    }
  }
}

function isDirectoryThroughLink(path: string): boolean {
  try {
    return lstatSync(`${path}/.`).isDirectory();
  } catch {
    return false;
  }
}
