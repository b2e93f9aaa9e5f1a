import { join } from 'node:path';
import type { Appendable, Queryable } from '../promql/types.ts';
import { openStore, type StoreStats } from './store/store.ts';

/** Where `redoubt up` keeps its series: the store's read and write sides, and its life cycle. */
export interface History extends Queryable, Appendable {
  /** Whether samples survive a restart. */
  readonly durable: boolean;
  /** Where the files are. */
  readonly dir: string;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): StoreStats | undefined;
}

export interface HistoryOptions {
  retentionMs: number;
  /** Told about damaged files set aside and failed flushes (never fatal). */
  warn(message: string): void;
}

/** The history directory inside the data directory (the data directory also holds the lock). */
export const HISTORY_DIR = 'history';

/**
 * Opens the history in `<dataDir>/history`: the on-disk store (src/monitor/store), which sets a damaged file aside
 * and starts anyway, and loses at most one flush interval to a `kill -9`.
 */
export async function openHistory(dataDir: string, options: HistoryOptions): Promise<History> {
  const store = await openStore(join(dataDir, HISTORY_DIR), {
    retention: { raw: options.retentionMs },
    logger: {
      warn: (msg, fields) =>
        options.warn(
          `${msg}${
            fields
              ? ` (${Object.entries(fields)
                  .map(([k, v]) => `${k}: ${String(v)}`)
                  .join(', ')})`
              : ''
          }`,
        ),
    },
  });
  return {
    durable: true,
    dir: store.dir,
    append: (labels, t, v) => store.append(labels, t, v),
    select: (matchers, hints) => store.select(matchers, hints),
    labelNames: (matchers, start, end) => store.labelNames(matchers, start, end),
    labelValues: (name, matchers, start, end) => store.labelValues(name, matchers, start, end),
    flush: () => store.flush(),
    close: () => store.close(),
    stats: () => store.stats(),
  };
}
