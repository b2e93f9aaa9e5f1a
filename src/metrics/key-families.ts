import type { Snapshot } from '../redis/snapshot.ts';
import type { FamilyBuilder } from './family.ts';

/**
 * Key and stream families, named, typed and labelled exactly like oliver006/redis_exporter (exporter/keys.go,
 * exporter/streams.go, HELP texts from exporter.go's metricDescriptions at HEAD). Pure: snapshot in, samples out.
 */

export interface KeyFamilyOptions {
  /**
   * A checked key that does not exist: 'zero' emits `key_size 0` (redis_exporter ≤ 1.6x, e.g. Debian's 1.45 — a
   * drained queue list reads 0 instead of vanishing); 'omit' emits nothing (redis_exporter since #1009).
   * Default 'zero'.
   */
  missingKeys?: 'zero' | 'omit';
  /** --disable-exporting-key-values: no key_value / key_value_as_string. */
  disableKeyValues?: boolean;
  /** --streams-exclude-consumer-metrics: no per-consumer series. */
  excludeConsumerMetrics?: boolean;
}

const HELP: Record<string, string> = {
  key_memory_usage_bytes: 'The memory usage of "key" in bytes',
  key_size: 'The length or size of "key"',
  key_value: 'The value of "key"',
  key_value_as_string: 'The value of "key" as a string',
  keys_count: 'Count of keys',
  stream_length: 'The number of elements of the stream',
  stream_radix_tree_keys: 'Radix tree keys count"', // sic, upstream's text
  stream_radix_tree_nodes: 'Radix tree nodes count',
  stream_last_generated_id: 'The epoch timestamp (ms) of the latest message on the stream',
  stream_groups: 'Groups count of stream',
  stream_max_deleted_entry_id: 'The epoch timestamp (ms) of last message was deleted from the stream',
  stream_first_entry_id: 'The epoch timestamp (ms) of the first message in the stream',
  stream_last_entry_id: 'The epoch timestamp (ms) of the last message in the stream',
  stream_entries_added_total: 'The count of all entries added to the stream during its lifetime',
  stream_group_consumers: 'Consumers count of stream group',
  stream_group_messages_pending: 'Pending number of messages in that stream group',
  stream_group_last_delivered_id: 'The epoch timestamp (ms) of the last delivered message',
  stream_group_entries_read: 'Total number of entries read from the stream group',
  stream_group_lag: "The number of messages waiting to be delivered to the stream group's consumers",
  stream_group_consumer_messages_pending: 'Pending number of messages for this specific consumer',
  stream_group_consumer_idle_seconds: 'Consumer idle time in seconds',
};

/** A stream id `1526919030474-55` as upstream exports it: the millisecond part; 0 when empty or unparsable. */
export function streamIdMillis(id: string | undefined): number {
  if (id === undefined || id.trim() === '') return 0;
  const ms = Number(id.split('-')[0]);
  return Number.isFinite(ms) ? ms : 0;
}

export function addKeyFamilies(
  b: FamilyBuilder,
  snapshot: Pick<Snapshot, 'keys' | 'keyCounts' | 'streams'>,
  options: KeyFamilyOptions = {},
): void {
  const gauge = (name: string, value: number, labels: Record<string, string>) =>
    b.gauge(name, value, labels, HELP[name]);
  const missing = options.missingKeys ?? 'zero';

  for (const k of snapshot.keys ?? []) {
    const labels = { db: k.db, key: k.key };
    if (k.memoryBytes !== undefined) gauge('key_memory_usage_bytes', k.memoryBytes, labels);
    if (k.type === 'none') {
      if (missing === 'zero') gauge('key_size', 0, labels);
      continue;
    }
    if (k.size !== undefined) gauge('key_size', k.size, labels);
    if (options.disableKeyValues || k.type !== 'string' || k.hyperLogLog) continue;
    if (k.value !== undefined) gauge('key_value', k.value, labels);
    else if (k.valueString !== undefined && k.valueString !== '')
      gauge('key_value_as_string', 1, { db: k.db, key: k.key, val: k.valueString });
  }

  for (const c of snapshot.keyCounts ?? []) gauge('keys_count', c.count, { db: c.db, key: c.pattern });

  for (const s of snapshot.streams ?? []) {
    const labels = { db: s.db, stream: s.stream };
    gauge('stream_length', s.length, labels);
    gauge('stream_radix_tree_keys', s.radixTreeKeys, labels);
    gauge('stream_radix_tree_nodes', s.radixTreeNodes, labels);
    gauge('stream_last_generated_id', streamIdMillis(s.lastGeneratedId), labels);
    gauge('stream_groups', s.groups, labels);
    gauge('stream_max_deleted_entry_id', streamIdMillis(s.maxDeletedEntryId), labels);
    gauge('stream_first_entry_id', streamIdMillis(s.firstEntryId), labels);
    gauge('stream_last_entry_id', streamIdMillis(s.lastEntryId), labels);
    b.counter('stream_entries_added_total', s.entriesAdded ?? 0, labels, HELP.stream_entries_added_total);
    for (const g of s.groupDetails) {
      const gl = { db: s.db, stream: s.stream, group: g.name };
      gauge('stream_group_consumers', g.consumers, gl);
      gauge('stream_group_messages_pending', g.pending, gl);
      gauge('stream_group_last_delivered_id', streamIdMillis(g.lastDeliveredId), gl);
      // nil entries-read / lag (unknown to the server) read as 0, as upstream's ScanStruct leaves them
      gauge('stream_group_entries_read', g.entriesRead ?? 0, gl);
      gauge('stream_group_lag', g.lag ?? 0, gl);
      if (options.excludeConsumerMetrics) continue;
      for (const c of g.consumerDetails) {
        const cl = { db: s.db, stream: s.stream, group: g.name, consumer: c.name };
        gauge('stream_group_consumer_messages_pending', c.pending, cl);
        gauge('stream_group_consumer_idle_seconds', c.idleMs / 1e3, cl);
      }
    }
  }
}
