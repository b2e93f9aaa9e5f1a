/**
 * What one scrape learned from one server, as plain data. Produced by `collectSnapshot` (I/O) and read by
 * every consumer (exporter, audit, monitor) through pure functions.
 */
export interface SlowlogEntry {
  id: number;
  timestamp: number; // unix seconds
  durationMicros: number;
  /** The entry as the server sent it (its command, client…), unchecked: a consumer that reads it bounds it. */
  raw?: unknown;
}

export interface LatencyEvent {
  event: string;
  timestamp: number; // unix seconds of the latest spike
  latestMs: number;
  maxMs: number;
}

/** LATENCY HISTOGRAM (Redis 7+): per command, total calls and cumulative buckets keyed by upper bound in µs. */
export interface LatencyHistogram {
  command: string;
  calls: number;
  buckets: Array<[upperMicros: number, cumulativeCount: number]>;
}

export interface KeyInfo {
  /** The `db` label value as redis_exporter prints it: `db3`. */
  db: string;
  key: string;
  /** TYPE reply (string, list, set, zset, hash, stream, or a module type); 'none' when the key does not exist. */
  type: string;
  /** A string that PFCOUNT accepts: `size` is the cardinality estimate and no value is kept. */
  hyperLogLog?: boolean;
  size?: number; // length/cardinality; undefined when it could not be read
  value?: number; // string value that Go's strconv.ParseFloat accepts (may be ±Inf or NaN)
  valueString?: string; // any other non-empty string value
  memoryBytes?: number; // MEMORY USAGE
}

export interface KeyCount {
  /** `db` label value: `db3`. */
  db: string;
  /** The pattern as configured (the `key` label). */
  pattern: string;
  count: number;
}

export interface StreamGroupConsumer {
  name: string;
  pending: number;
  idleMs: number;
}

export interface StreamGroup {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  entriesRead?: number;
  lag?: number;
  consumerDetails: StreamGroupConsumer[];
}

/** XINFO STREAM / GROUPS / CONSUMERS. Ids are kept as `ms-seq` strings; optional fields are absent before Redis 7. */
export interface StreamInfo {
  /** `db` label value: `db3`. */
  db: string;
  stream: string;
  length: number;
  radixTreeKeys: number;
  radixTreeNodes: number;
  lastGeneratedId: string;
  groups: number;
  maxDeletedEntryId?: string;
  entriesAdded?: number;
  firstEntryId?: string;
  lastEntryId?: string;
  groupDetails: StreamGroup[];
}

export interface Snapshot {
  /** Raw `INFO ALL` text. */
  info: string;
  /** The CONFIG GET values that were asked for and answered; empty when CONFIG is unavailable. */
  config: Record<string, string>;
  slowlogLength?: number;
  slowlogLast?: SlowlogEntry; // undefined when the slowlog is empty or SLOWLOG is unavailable
  latencyLatest?: LatencyEvent[];
  latencyHistogram?: LatencyHistogram[];
  /** `CLUSTER INFO` text, only when INFO says cluster_enabled:1. */
  clusterInfo?: string;
  keys?: KeyInfo[];
  keyCounts?: KeyCount[];
  streams?: StreamInfo[];
  /** Wall-clock ms when the snapshot was taken (used for start_time_seconds). */
  takenAtMs: number;
  /** Time spent establishing the connection for this scrape, seconds (0 on a reused connection). */
  connectSeconds?: number;
  /** PING round trip when ping-on-connect is set, seconds. */
  pingSeconds?: number;
  /** Commands the server refused or lacks; never retried on this connection. */
  unavailable: string[];
}
