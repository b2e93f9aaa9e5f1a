/**
 * What one scrape learned from one server, as plain data. Produced by `collectSnapshot` (I/O) and read by
 * every consumer (exporter, audit, monitor) through pure functions.
 */
export interface SlowlogEntry {
  id: number;
  timestamp: number; // unix seconds
  durationMicros: number;
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
  db: string;
  key: string;
  type: string; // 'none' when the key does not exist
  size?: number; // length/cardinality
  value?: number; // numeric string value
  valueString?: string; // non-numeric string value
  memoryBytes?: number;
}

export interface KeyCount {
  db: string;
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

export interface StreamInfo {
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
