import { randomBytes } from 'node:crypto';
import { constants, linkSync, lstatSync, renameSync, type Stats, unlinkSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkDirectory, describeFsError, FileWriteError, fsyncDirectory } from '../fs/atomic-write.ts';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * A file written as a stream and published only when sealed: a random hidden temporary name beside the
 * destination (exclusive create, no symlink followed, explicit mode), fsynced, then hard-linked to the final name
 * (which must not exist: never an overwrite) and the temporary unlinked. Until seal() nothing exists under the
 * final name, so a crash or a kill -9 mid-write leaves at most a `.name.<random>.tmp`.
 */
export class SealedFile {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly overwrite: boolean,
  ) {}

  /** `overwrite`: replace an existing regular file at seal() (never a link or anything else). */
  static async create(path: string, mode: number, overwrite = false): Promise<SealedFile> {
    checkDirectory(dirname(path));
    const st = lstatOrUndefined(path);
    if (st && (!overwrite || !st.isFile()))
      throw new FileWriteError(
        st.isFile()
          ? `${path} exists; refusing to overwrite it (--force replaces it)`
          : `${path} exists and is not a regular file`,
      );
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(9).toString('hex')}.tmp`);
    try {
      const handle = await open(tmp, CREATE_FLAGS, mode);
      await handle.chmod(mode);
      return new SealedFile(path, tmp, handle, overwrite);
    } catch (err) {
      throw describeFsError(`write ${path}`, err);
    }
  }

  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.handle.write(data, off, data.length - off);
      off += bytesWritten;
    }
  }

  async seal(): Promise<void> {
    try {
      await this.handle.sync();
      await this.handle.close();
      if (this.overwrite) {
        const st = lstatOrUndefined(this.path);
        if (st && !st.isFile()) throw new FileWriteError(`${this.path} is no longer a regular file`);
        renameSync(this.tempPath, this.path);
      } else {
        linkSync(this.tempPath, this.path);
        unlinkSync(this.tempPath);
      }
    } catch (err) {
      await this.discard();
      if (err instanceof FileWriteError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new FileWriteError(`${this.path} appeared while redoubt was writing it; refusing to overwrite it`);
      throw describeFsError(`write ${this.path}`, err);
    }
    fsyncDirectory(dirname(this.path));
  }

  /** Closes and removes the temporary file; nothing is left behind. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => {});
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
