/**
 * A small JSON state file in a directory redoubt owns (the notifier's outbox, notification log and silences):
 * written whole and atomically (src/fs/atomic-write.ts), so a crash leaves the old state or the new. A file that
 * cannot be read back (truncated, not JSON, wrong shape) is set aside as `NAME.corrupt-TIME` with a warning, and
 * the state starts empty: a bad file never blocks start-up.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../fs/atomic-write.ts';
import { readRegularFile } from '../../../fs/read-file.ts';

/** Where durable state goes; the JSON file below, or a test's in-memory one. */
export interface DurableSink<T> {
  load(): T | undefined;
  save(state: T): void;
}

export class JsonStateFile<T> implements DurableSink<T> {
  readonly path: string;

  constructor(
    dir: string,
    name: string,
    private readonly isValid: (v: unknown) => v is T,
    private readonly warn: (message: string) => void,
  ) {
    this.path = join(dir, name);
  }

  load(): T | undefined {
    let raw: Buffer | undefined;
    try {
      raw = readRegularFile(this.path);
    } catch (e) {
      this.warn(`cannot read ${this.path}: ${(e as Error).message}; starting without it`);
      return undefined;
    }
    if (raw === undefined) return undefined;
    try {
      const v: unknown = JSON.parse(raw.toString('utf8'));
      if (this.isValid(v)) return v;
    } catch {
      // fall through: set aside
    }
    const aside = `${this.path}.corrupt-${Date.now()}`;
    try {
      renameSync(this.path, aside);
      this.warn(`${this.path} is not valid state; moved it to ${aside} and started without it`);
    } catch (e) {
      this.warn(`${this.path} is not valid state and cannot be moved aside (${(e as Error).message}); ignoring it`);
    }
    return undefined;
  }

  save(state: T): void {
    writeFileAtomic(this.path, JSON.stringify(state), { mode: 0o600, overwrite: true });
  }
}

/** A sink in memory (tests; a process that must not write). */
export class MemorySink<T> implements DurableSink<T> {
  state: T | undefined;
  saves = 0;
  load(): T | undefined {
    return this.state === undefined ? undefined : structuredClone(this.state);
  }
  save(state: T): void {
    this.state = structuredClone(state);
    this.saves++;
  }
}
