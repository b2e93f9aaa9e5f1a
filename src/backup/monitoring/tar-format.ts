/**
 * POSIX ustar headers for the archives of monitoring data (up's data directory, a Prometheus snapshot): regular
 * files and directories only, names up to 255 bytes (prefix + name), sizes below 8 GiB. Pure; what GNU tar,
 * bsdtar and Python's tarfile read.
 */
export class TarNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarNameError';
  }
}

const BLOCK = 512;
const MAX_SIZE = 8 * 1024 ** 3 - 1;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** name (≤100 bytes) and prefix (≤155 bytes) split at a slash, as ustar stores long paths. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { name, prefix };
  }
  throw new TarNameError(`${path}: too long a path for a tar archive (ustar)`);
}

export interface TarEntry {
  /** Relative path with forward slashes; directories end without a slash. */
  path: string;
  type: 'file' | 'directory';
  size: number;
  mode: number;
  mtimeSeconds: number;
}

export function tarHeader(e: TarEntry): Buffer {
  if (e.path.startsWith('/') || e.path.split('/').includes('..') || /[\0]/.test(e.path))
    throw new TarNameError(`${e.path}: not a relative path inside the archive`);
  if (e.size > MAX_SIZE) throw new TarNameError(`${e.path}: larger than a ustar entry can be (8 GiB)`);
  const { name, prefix } = splitName(e.type === 'directory' ? `${e.path}/` : e.path);
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(e.type === 'file' ? e.size : 0, 12), 124, 'ascii');
  h.write(octal(Math.max(0, Math.floor(e.mtimeSeconds)), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(e.type === 'file' ? '0' : '5', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** Zero bytes that bring a file's content to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

/** The two zero blocks that end an archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(BLOCK * 2, 0);
}
