import type { Appendable, Queryable } from '../promql/types.ts';
import { MemoryStore } from './memory-store.ts';

/** Where `redoubt up` keeps its series: the store's read and write sides, and its life cycle. */
export interface History extends Queryable, Appendable {
  /** Whether samples survive a restart. */
  readonly durable: boolean;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface HistoryOptions {
  retentionMs: number;
}

/**
 * Opens the history in `dir`. Until the on-disk store (src/monitor/store) is built in, history is kept in memory:
 * queries and alerts work, a restart starts empty.
 */
export async function openHistory(_dir: string, options: HistoryOptions): Promise<History> {
  const memory = new MemoryStore(options.retentionMs);
  return Object.assign(memory, {
    durable: false as const,
    flush: async () => {},
    close: async () => {},
  });
}
