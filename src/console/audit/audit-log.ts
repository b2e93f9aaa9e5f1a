/**
 * The console's audit log: one JSON line per login, failed or throttled login, logout, user change and audited
 * action, in `<data dir>/audit.log` (mode 0600). When it passes MAX_BYTES it becomes audit.log.1 (.1 → .2 …, KEEP
 * files kept). Lines name the user, the client address, the action, its target and outcome: never a password,
 * token or session id (callers pass none, and every field is bounded and stripped of control characters).
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { neutralise } from '../../text/terminal.ts';
import type { AuditLogEntry } from '../contract.ts';

export const AUDIT_FILE = 'audit.log';
const MAX_BYTES = 10 * 1024 * 1024;
const KEEP = 3;
const MAX_FIELD = 256;

export type AuditRecord = Omit<AuditLogEntry, 'at'> & { at?: number };

function clean(s: string): string {
  return neutralise(String(s)).slice(0, MAX_FIELD);
}

export class AuditLog {
  constructor(
    private readonly dataDir: string,
    private readonly limits = { maxBytes: MAX_BYTES, keep: KEEP },
    private readonly now: () => number = Date.now,
  ) {}

  get path(): string {
    return join(this.dataDir, AUDIT_FILE);
  }

  private rotate(): void {
    for (let i = this.limits.keep; i >= 1; i--) {
      const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
      try {
        if (i === this.limits.keep) rmSync(`${this.path}.${i}`, { force: true });
        renameSync(from, `${this.path}.${i}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /** Appends one line (one write on an O_APPEND descriptor: lines of two processes never interleave). */
  write(r: AuditRecord): void {
    try {
      if (statSync(this.path).size >= this.limits.maxBytes) this.rotate();
    } catch {}
    const entry: AuditLogEntry = {
      at: r.at ?? this.now(),
      user: clean(r.user),
      clientAddress: clean(r.clientAddress),
      action: clean(r.action),
      target: clean(r.target),
      outcome: r.outcome,
      detail: clean(r.detail),
    };
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
    const fd = openSync(this.path, flags, 0o600);
    try {
      if (!fstatSync(fd).isFile()) throw new Error(`${this.path} is not a regular file`);
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } finally {
      closeSync(fd);
    }
  }

  /** Entries newest first: at most `limit`, older than `before` (ms) when given. */
  read(limit: number, before?: number): AuditLogEntry[] {
    const out: AuditLogEntry[] = [];
    for (let i = 0; i <= this.limits.keep && out.length < limit; i++) {
      const lines = this.fileLines(i === 0 ? this.path : `${this.path}.${i}`);
      for (let j = lines.length - 1; j >= 0 && out.length < limit; j--) {
        const e = parseLine(lines[j]);
        if (e && (before === undefined || e.at < before)) out.push(e);
      }
    }
    return out;
  }

  private fileLines(path: string): string[] {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return [];
    }
    try {
      if (!fstatSync(fd).isFile()) return [];
      return readFileSync(fd, 'utf8').split('\n').filter(Boolean);
    } finally {
      closeSync(fd);
    }
  }
}

function parseLine(line: string): AuditLogEntry | undefined {
  try {
    const e = JSON.parse(line) as AuditLogEntry;
    if (typeof e.at !== 'number' || typeof e.action !== 'string') return undefined;
    return e;
  } catch {
    return undefined;
  }
}
