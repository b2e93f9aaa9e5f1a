import { existsSync, lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockKind } from './block-format.ts';

/** What the store logs through (the exporter's Logger fits). */
export interface StoreLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export type DataFile =
  | { readonly type: 'block'; readonly name: string; readonly kind: BlockKind; readonly start: number }
  | { readonly type: 'segment'; readonly name: string; readonly seq: number };

const BLOCK_NAME = /^(raw|5m|1h)-(\d{1,16})\.block$/;
const SEGMENT_NAME = /^head-(\d{1,12})\.seg$/;
/** Left by src/fs/atomic-write.ts when a crash interrupts a write: never complete, safe to remove. */
const LEFTOVER_TEMP = /^\.(?:(?:raw|5m|1h)-\d{1,16}\.block|head-\d{1,12}\.seg)\.[0-9a-f]{18}\.tmp$/;

export function blockName(kind: BlockKind, start: number): string {
  return `${kind}-${start}.block`;
}

export function segmentName(seq: number): string {
  return `head-${String(seq).padStart(12, '0')}.seg`;
}

/** The store's files in `dir`: interrupted temporaries removed, links and strangers left alone. */
export function listDataFiles(dir: string, logger: StoreLogger): DataFile[] {
  const files: DataFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (entry.isSymbolicLink()) {
      if (BLOCK_NAME.test(name) || SEGMENT_NAME.test(name))
        logger.warn('history store: ignoring a symbolic link where a data file belongs', { file: join(dir, name) });
      continue;
    }
    if (!entry.isFile()) continue;
    if (LEFTOVER_TEMP.test(name)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    const block = BLOCK_NAME.exec(name);
    if (block) files.push({ type: 'block', name, kind: block[1] as BlockKind, start: Number(block[2]) });
    const segment = SEGMENT_NAME.exec(name);
    if (segment) files.push({ type: 'segment', name, seq: Number(segment[1]) });
  }
  return files;
}

/** Renames a damaged file to `<name>.corrupt` (never over another file) and says so; never throws. */
export function setAside(dir: string, name: string, reason: string, logger: StoreLogger): void {
  const from = join(dir, name);
  let to = `${from}.corrupt`;
  for (let i = 1; existsSync(to); i++) to = `${from}.${i}.corrupt`;
  try {
    renameSync(from, to);
    logger.warn('history store: set aside a damaged data file; the rest of the history is kept', {
      file: from,
      movedTo: to,
      reason,
    });
  } catch (err) {
    logger.warn('history store: a damaged data file could not be set aside; ignoring it', {
      file: from,
      reason,
      error: (err as Error).message,
    });
  }
}

export function fileSize(dir: string, name: string): number {
  try {
    return lstatSync(join(dir, name)).size;
  } catch {
    return 0;
  }
}
