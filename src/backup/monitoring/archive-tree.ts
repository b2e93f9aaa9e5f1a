import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { tarEnd, tarHeader, tarPadding } from './tar-format.ts';

/** A file of the tree that changed or vanished while it was archived: the copy would not be consistent. */
export class TreeChangedError extends Error {
  constructor(readonly path: string) {
    super(`${path} changed or vanished while it was archived`);
    this.name = 'TreeChangedError';
  }
}

export interface TreeListing {
  /** Relative paths (forward slashes), directories before their content, sorted. */
  entries: Array<{ path: string; type: 'file' | 'directory' }>;
  /** Symbolic links and special files left out (never followed). */
  skipped: string[];
}

const MAX_ENTRIES = 1_000_000;

/** Every regular file and directory under `root`, without following links. */
export function listTree(root: string, keep: (path: string) => boolean = () => true): TreeListing {
  const out: TreeListing = { entries: [], skipped: [] };
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (!keep(path)) continue;
      const st = lstatSync(join(root, path), { throwIfNoEntry: false });
      if (!st) continue;
      if (out.entries.length >= MAX_ENTRIES) throw new Error(`${root} holds more than ${MAX_ENTRIES} files`);
      if (st.isDirectory()) {
        out.entries.push({ path, type: 'directory' });
        walk(path);
      } else if (st.isFile()) out.entries.push({ path, type: 'file' });
      else out.skipped.push(path);
    }
  };
  walk('');
  return out;
}

const CHUNK = 1024 * 1024;

/**
 * The listed tree as a tar stream. Each file is opened without following links and read to the size it had when
 * opened; a file that vanished, or grew or shrank while read, throws TreeChangedError (the caller retries).
 */
export async function* tarTree(root: string, listing: TreeListing, prefix: string): AsyncGenerator<Buffer> {
  for (const e of listing.entries) {
    const full = join(root, e.path);
    const path = `${prefix}/${e.path}`;
    if (e.type === 'directory') {
      yield tarHeader({ path, type: 'directory', size: 0, mode: 0o700, mtimeSeconds: Date.now() / 1000 });
      continue;
    }
    let fd: number;
    try {
      fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TreeChangedError(e.path);
      throw err;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new TreeChangedError(e.path);
      yield tarHeader({ path, type: 'file', size: st.size, mode: st.mode, mtimeSeconds: st.mtimeMs / 1000 });
      let done = 0;
      while (done < st.size) {
        const buf = Buffer.alloc(Math.min(CHUNK, st.size - done));
        const n = readSync(fd, buf, 0, buf.length, done);
        if (n === 0) throw new TreeChangedError(e.path);
        done += n;
        yield n === buf.length ? buf : buf.subarray(0, n);
      }
      if (fstatSync(fd).size !== st.size) throw new TreeChangedError(e.path);
      yield tarPadding(st.size);
    } finally {
      closeSync(fd);
    }
  }
  yield tarEnd();
}
