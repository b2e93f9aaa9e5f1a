import { parseGoFloat } from '../text/go-format.ts';
import type { Command, RedisConnection, Reply } from './connection.ts';
import { dbLabel, isGlobPattern, type KeyPattern, parseKeyPatterns } from './key-patterns.ts';
import type { KeyCount, KeyInfo, StreamGroup, StreamGroupConsumer, StreamInfo } from './snapshot.ts';

/**
 * redis_exporter's check-keys / check-single-keys / count-keys / check-streams / check-single-streams, done with
 * SCAN (never KEYS) and pipelines, bounded per scrape by a key budget and a deadline.
 *
 * Every round trip is one pipeline `SELECT a, …, SELECT b, …, SELECT <own db>`: commands for all databases go
 * together and the connection is back on its own database when the pipeline ends, whatever happened in it.
 * Rounds:
 *   1..n  SCAN MATCH for every glob pattern still running (check-keys, check-streams), while the budget and the
 *         deadline allow;
 *   n+1   TYPE + MEMORY USAGE for every key, XINFO STREAM + XINFO GROUPS for every stream;
 *   n+2   STRLEN + GET for strings, LLEN/SCARD/ZCARD/HLEN/XLEN/ARCOUNT for the others, XINFO CONSUMERS per group;
 *   n+3   PFCOUNT, only for strings whose value starts with the HyperLogLog magic "HYLL" (upstream sends PFCOUNT
 *         for every string and gets a WRONGTYPE error reply for each ordinary one);
 *   then  the count-keys SCANs, which also ride along in every round above, run until done or the deadline.
 * A failure on one key (NOPERM, WRONGTYPE, an out-of-range db) is recorded in `errors` and the rest continues.
 */

export type KeyPatternInput = string | readonly KeyPattern[] | undefined;

export interface KeyCheckOptions {
  checkKeys?: KeyPatternInput;
  checkSingleKeys?: KeyPatternInput;
  countKeys?: KeyPatternInput;
  checkStreams?: KeyPatternInput;
  checkSingleStreams?: KeyPatternInput;
  /** SCAN COUNT hint (check-keys-batch-size); default 1000. */
  batchSize?: number;
  /**
   * Absolute wall-clock deadline (`Date.now()` ms). A round trip starts only when twice the slowest one so far
   * still fits before it, and one in flight is abandoned `DEADLINE_GUARD_MS` before it: the function returns
   * before the deadline with what it has (a count-keys count that did not finish is left out).
   */
  deadlineMs: number;
  /** Most keys checked per scrape, single keys first, then SCAN matches; streams have a budget of their own. Default 1000. */
  maxKeys?: number;
}

export interface KeyCheckError {
  db: string; // label form, db3
  key: string; // key, stream or pattern
  command: string;
  message: string;
}

export interface KeyChecksResult {
  keys: KeyInfo[];
  keyCounts: KeyCount[];
  streams: StreamInfo[];
  /** The first `MAX_RECORDED_ERRORS` problems; `errorCount` has the total. */
  errors: KeyCheckError[];
  errorCount: number;
  /** What was cut short: key or stream budget reached, or the deadline passed. */
  truncated: { keys: boolean; streams: boolean; deadline: boolean };
  /** Pipelines sent. */
  roundTrips: number;
}

export const DEFAULT_MAX_KEYS = 1000;
export const DEFAULT_BATCH_SIZE = 1000;
export const MAX_RECORDED_ERRORS = 100;
/** collectKeyChecks returns at least this long before the deadline, so the caller's own deadline timer never fires first. */
export const DEADLINE_GUARD_MS = 5;

/** A reply error caused by the SELECT in front of a batch, not by the command itself. */
class SelectError extends Error {
  constructor(db: number, cause: Error) {
    super(`SELECT ${db} failed: ${cause.message}`);
    this.name = 'SelectError';
  }
}

interface Item {
  db: number;
  command: Command;
  handle: (reply: Reply) => void;
}

/** Sends rounds of commands as single pipelines, grouped by database, returning to `ownDb` at the end. */
class Rounds {
  roundTrips = 0;
  deadlineHit = false;
  broken = false;
  private slowestMs = 0;

  constructor(
    private readonly conn: RedisConnection,
    private readonly ownDb: number,
    private readonly deadlineMs: number,
    private readonly onError: (db: number, key: string, command: string, err: unknown) => void,
  ) {}

  async run(items: Item[]): Promise<boolean> {
    if (items.length === 0) return true;
    if (this.broken || this.deadlineHit) return false;
    const remaining = this.deadlineMs - Date.now();
    // Start only a round trip that should finish in time: twice the slowest so far must fit.
    if (remaining <= Math.max(DEADLINE_GUARD_MS, 2 * this.slowestMs)) {
      this.deadlineHit = true;
      return false;
    }
    const groups = new Map<number, Item[]>();
    for (const it of items) {
      let g = groups.get(it.db);
      if (!g) {
        g = [];
        groups.set(it.db, g);
      }
      g.push(it);
    }
    const commands: Command[] = [];
    const layout: Array<{ db: number; select: number; items: Item[] }> = [];
    let current: number | undefined;
    for (const [db, list] of groups) {
      layout.push({ db, select: commands.length, items: list });
      commands.push(['SELECT', db]);
      current = db;
      for (const it of list) commands.push(it.command);
    }
    if (current !== this.ownDb) commands.push(['SELECT', this.ownDb]);

    this.roundTrips++;
    const started = performance.now();
    const pending = this.conn.pipeline(commands);
    pending.catch(() => {
      // reported below, or abandoned after the deadline
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), remaining - DEADLINE_GUARD_MS);
    });
    let replies: Reply[] | undefined;
    try {
      replies = await Promise.race([pending, expired]);
    } catch (err) {
      this.broken = true;
      this.onError(this.ownDb, '', 'pipeline', err);
      return false;
    } finally {
      clearTimeout(timer);
    }
    if (!replies) {
      // Abandoned: the server still runs the whole pipeline (ending on the own db) and the replies are consumed
      // in order by the driver, so the connection stays usable.
      this.deadlineHit = true;
      return false;
    }
    this.slowestMs = Math.max(this.slowestMs, performance.now() - started);
    for (const g of layout) {
      const sel = replies[g.select];
      const selectError = sel && !sel.ok ? new SelectError(g.db, sel.error) : undefined;
      g.items.forEach((it, i) => {
        const reply: Reply = selectError
          ? { ok: false, error: selectError }
          : (replies[g.select + 1 + i] ?? { ok: false, error: new Error('no reply') });
        try {
          it.handle(reply);
        } catch (err) {
          this.onError(it.db, String(it.command[1] ?? ''), it.command[0], err);
        }
      });
    }
    return true;
  }
}

/** An ordered, de-duplicated set of (db, key) with a size limit. */
class KeySet {
  readonly entries = new Map<string, { db: number; key: string }>();
  truncated = false;

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.entries.size >= this.limit;
  }

  add(db: number, key: string): void {
    const id = `${db}\u0000${key}`;
    if (this.entries.has(id)) return;
    if (this.full) {
      this.truncated = true;
      return;
    }
    this.entries.set(id, { db, key });
  }
}

interface Scanner {
  db: number;
  pattern: string;
  cursor: string;
  done: boolean;
  /** SCAN failed: a count-keys count is then not reported. */
  failed?: boolean;
  /** `SCAN … TYPE stream` (Redis 6+); dropped on a server that does not know it. */
  typeFilter?: string;
  onKeys: (keys: string[]) => void;
}

interface KeyState {
  db: number;
  key: string;
  failed?: boolean;
  info?: KeyInfo;
  getValue?: string;
}

interface StreamState {
  db: number;
  key: string;
  failed?: boolean;
  info?: StreamInfo;
}

function toPatterns(input: KeyPatternInput, flag: string): readonly KeyPattern[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return parseKeyPatterns(input, { flag });
  return input;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** A flat `field, value, …` reply as a map. */
function fields(v: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (!Array.isArray(v)) return m;
  for (let i = 0; i + 1 < v.length; i += 2) m.set(String(v[i]), v[i + 1]);
  return m;
}

function entryId(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length < 1) return undefined;
  return asString(v[0]);
}

/** Size command per TYPE, as upstream. */
const SIZE_COMMANDS: Record<string, string> = {
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  hash: 'HLEN',
  stream: 'XLEN',
  array: 'ARCOUNT', // Redis 8.8 arrays
};

export async function collectKeyChecks(conn: RedisConnection, opts: KeyCheckOptions): Promise<KeyChecksResult> {
  const ownDb = conn.target.db;
  const batchSize = Number.isFinite(opts.batchSize) ? Math.max(1, Math.floor(opts.batchSize!)) : DEFAULT_BATCH_SIZE;
  const maxKeys = Number.isFinite(opts.maxKeys) ? Math.max(0, Math.floor(opts.maxKeys!)) : DEFAULT_MAX_KEYS;
  const checkKeys = toPatterns(opts.checkKeys, 'check-keys');
  const singleKeys = toPatterns(opts.checkSingleKeys, 'check-single-keys');
  const countKeys = toPatterns(opts.countKeys, 'count-keys');
  const checkStreams = toPatterns(opts.checkStreams, 'check-streams');
  const singleStreams = toPatterns(opts.checkSingleStreams, 'check-single-streams');

  const errors: KeyCheckError[] = [];
  let errorCount = 0;
  const record = (db: number, key: string, command: string, err: unknown) => {
    errorCount++;
    if (errors.length < MAX_RECORDED_ERRORS) errors.push({ db: dbLabel(db), key, command, message: message(err) });
  };
  const rounds = new Rounds(conn, ownDb, opts.deadlineMs, record);

  // Keys and streams to check: single ones first, then the non-glob items of the pattern flags, then SCAN matches.
  const keySet = new KeySet(maxKeys);
  const streamSet = new KeySet(maxKeys);
  const expansions: Array<Scanner & { set: KeySet }> = [];
  const seenScanners = new Set<string>();
  const addTargets = (set: KeySet, single: readonly KeyPattern[], patterns: readonly KeyPattern[], kind: string) => {
    for (const p of single) set.add(p.db, p.pattern);
    for (const p of patterns) {
      if (!isGlobPattern(p.pattern)) {
        set.add(p.db, p.pattern);
        continue;
      }
      const id = `${kind}\u0000${p.db}\u0000${p.pattern}`;
      if (seenScanners.has(id)) continue;
      seenScanners.add(id);
      const scanner: Scanner & { set: KeySet } = {
        db: p.db,
        pattern: p.pattern,
        cursor: '0',
        done: false,
        typeFilter: kind === 'streams' ? 'stream' : undefined,
        set,
        onKeys: (keys) => {
          for (const k of keys) {
            if (k.includes('\uFFFD')) {
              record(p.db, k, 'SCAN', new Error('key name is not valid UTF-8; skipped'));
              continue;
            }
            set.add(p.db, k);
          }
        },
      };
      expansions.push(scanner);
    }
  };
  addTargets(keySet, singleKeys, checkKeys, 'keys');
  addTargets(streamSet, singleStreams, checkStreams, 'streams');

  // count-keys: count only, never store the keys.
  const counts: Array<Scanner & { count: number }> = [];
  const seenCounts = new Set<string>();
  for (const p of countKeys) {
    const id = `${p.db}\u0000${p.pattern}`;
    if (seenCounts.has(id)) continue;
    seenCounts.add(id);
    const c: Scanner & { count: number } = {
      db: p.db,
      pattern: p.pattern,
      cursor: '0',
      done: false,
      count: 0,
      onKeys: (keys) => {
        c.count += keys.length;
      },
    };
    counts.push(c);
  }

  const scanItem = (s: Scanner): Item => ({
    db: s.db,
    command: [
      'SCAN',
      s.cursor,
      'MATCH',
      s.pattern,
      'COUNT',
      batchSize,
      ...(s.typeFilter ? (['TYPE', s.typeFilter] as const) : []),
    ],
    handle: (reply) => {
      if (!reply.ok) {
        if (
          s.typeFilter &&
          s.cursor === '0' &&
          !(reply.error instanceof SelectError) &&
          /syntax|unknown|wrong number/i.test(reply.error.message)
        ) {
          s.typeFilter = undefined; // Redis < 6: SCAN without TYPE, XINFO sorts out the non-streams
          return;
        }
        record(s.db, s.pattern, 'SCAN', reply.error);
        s.done = true;
        s.failed = true;
        return;
      }
      const v = reply.value;
      if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[1])) {
        record(s.db, s.pattern, 'SCAN', new Error('unexpected SCAN reply'));
        s.done = true;
        s.failed = true;
        return;
      }
      s.onKeys((v[1] as unknown[]).map((k) => asString(k) ?? ''));
      s.cursor = asString(v[0]) ?? '0';
      if (s.cursor === '0') s.done = true;
    },
  });
  const countItems = (): Item[] => counts.filter((c) => !c.done).map(scanItem);

  // Rounds 1..n: expand patterns (count-keys SCANs ride along).
  for (;;) {
    for (const s of expansions) {
      if (!s.done && s.set.full) {
        s.done = true;
        s.set.truncated = true;
      }
    }
    const active = expansions.filter((s) => !s.done);
    if (active.length === 0) break;
    const ok = await rounds.run([...active.map(scanItem), ...countItems()]);
    if (!ok) break;
  }

  // Round n+1: TYPE + MEMORY USAGE per key; XINFO STREAM + GROUPS per stream.
  const keyStates: KeyState[] = [...keySet.entries.values()].map((k) => ({ db: k.db, key: k.key }));
  const streamStates: StreamState[] = [...streamSet.entries.values()].map((k) => ({ db: k.db, key: k.key }));
  const items: Item[] = [];
  for (const ks of keyStates) {
    items.push({
      db: ks.db,
      command: ['TYPE', ks.key],
      handle: (r) => {
        if (!r.ok) {
          ks.failed = true;
          return record(ks.db, ks.key, 'TYPE', r.error);
        }
        ks.info = { db: dbLabel(ks.db), key: ks.key, type: asString(r.value) ?? 'none' };
      },
    });
    items.push({
      db: ks.db,
      command: ['MEMORY', 'USAGE', ks.key],
      handle: (r) => {
        if (ks.failed) return; // the TYPE error says it already
        if (!r.ok) return record(ks.db, ks.key, 'MEMORY USAGE', r.error);
        const bytes = asNumber(r.value); // nil for a missing key
        if (bytes !== undefined && ks.info) ks.info.memoryBytes = bytes;
      },
    });
  }
  const groupsOf = new Map<StreamState, unknown>();
  for (const st of streamStates) {
    items.push({
      db: st.db,
      command: ['XINFO', 'STREAM', st.key],
      handle: (r) => {
        if (!r.ok) {
          st.failed = true;
          return record(st.db, st.key, 'XINFO STREAM', r.error);
        }
        st.info = parseStream(st.db, st.key, r.value);
      },
    });
    items.push({
      db: st.db,
      command: ['XINFO', 'GROUPS', st.key],
      handle: (r) => {
        if (st.failed) return; // missing or not a stream: XINFO STREAM's error says it already
        if (!r.ok) return record(st.db, st.key, 'XINFO GROUPS', r.error);
        groupsOf.set(st, r.value);
      },
    });
  }
  await rounds.run([...items, ...countItems()]);

  // Round n+2: sizes and string values; XINFO CONSUMERS per group.
  const round2: Item[] = [];
  for (const ks of keyStates) {
    const info = ks.info;
    if (!info || info.type === 'none') continue;
    if (info.type === 'string') {
      round2.push({
        db: ks.db,
        command: ['STRLEN', ks.key],
        handle: (r) => {
          if (!r.ok) return record(ks.db, ks.key, 'STRLEN', r.error);
          info.size = asNumber(r.value);
        },
      });
      round2.push({
        db: ks.db,
        command: ['GET', ks.key],
        handle: (r) => {
          if (!r.ok) return record(ks.db, ks.key, 'GET', r.error);
          ks.getValue = asString(r.value);
        },
      });
      continue;
    }
    const cmd = SIZE_COMMANDS[info.type];
    if (!cmd) {
      record(
        ks.db,
        ks.key,
        'TYPE',
        new Error(`unsupported key type "${info.type}"; only its memory usage is exported`),
      );
      continue;
    }
    round2.push({
      db: ks.db,
      command: [cmd, ks.key],
      handle: (r) => {
        if (!r.ok) return record(ks.db, ks.key, cmd, r.error);
        info.size = asNumber(r.value);
      },
    });
  }
  for (const st of streamStates) {
    const info = st.info;
    if (!info) continue;
    const raw = groupsOf.get(st);
    if (!Array.isArray(raw)) continue;
    for (const g of raw) {
      const group = parseGroup(g);
      if (!group) continue;
      info.groupDetails.push(group);
      round2.push({
        db: st.db,
        command: ['XINFO', 'CONSUMERS', st.key, group.name],
        handle: (r) => {
          if (!r.ok) return record(st.db, st.key, 'XINFO CONSUMERS', r.error);
          if (!Array.isArray(r.value)) return;
          for (const c of r.value) {
            const consumer = parseConsumer(c);
            if (consumer) group.consumerDetails.push(consumer);
          }
        },
      });
    }
  }
  await rounds.run([...round2, ...countItems()]);

  // Round n+3: PFCOUNT only for values that look like a HyperLogLog.
  const round3: Item[] = [];
  for (const ks of keyStates) {
    const info = ks.info;
    if (info?.type !== 'string') continue;
    if (ks.getValue?.startsWith('HYLL')) {
      round3.push({
        db: ks.db,
        command: ['PFCOUNT', ks.key],
        handle: (r) => {
          if (!r.ok) return; // not a valid HyperLogLog after all: an ordinary string
          const n = asNumber(r.value);
          if (n === undefined) return;
          info.size = n;
          info.hyperLogLog = true;
        },
      });
    }
  }
  const hllChecked = await rounds.run([...round3, ...countItems()]);
  for (const ks of keyStates) {
    const info = ks.info;
    if (info?.type !== 'string' || info.hyperLogLog) continue;
    const v = ks.getValue;
    if (v === undefined || v === '') continue;
    if (!hllChecked && v.startsWith('HYLL')) continue; // maybe a HyperLogLog: no binary value as a label
    const n = parseGoFloat(v);
    if (n !== undefined) info.value = n;
    else if (!v.includes('\uFFFD')) info.valueString = v; // upstream drops label values that are not UTF-8
  }

  // Remaining count-keys rounds, until every count is done or the deadline passes.
  for (;;) {
    const active = countItems();
    if (active.length === 0) break;
    if (!(await rounds.run(active))) break;
  }
  const keyCounts: KeyCount[] = [];
  for (const c of counts) {
    if (c.failed) continue;
    if (!c.done) {
      record(c.db, c.pattern, 'SCAN', new Error('count-keys did not finish before the deadline; no count reported'));
      continue;
    }
    keyCounts.push({ db: dbLabel(c.db), pattern: c.pattern, count: c.count });
  }

  if (rounds.deadlineHit) {
    const pending = keyStates.filter((k) => !k.info).length + streamStates.filter((s) => !s.info).length;
    if (pending > 0 || expansions.some((s) => !s.done)) {
      record(ownDb, '', 'deadline', new Error('the scrape deadline passed before all keys and streams were checked'));
    }
  }

  return {
    keys: keyStates.flatMap((k) => (k.info ? [k.info] : [])),
    keyCounts,
    streams: streamStates.flatMap((s) => (s.info ? [s.info] : [])),
    errors,
    errorCount,
    truncated: { keys: keySet.truncated, streams: streamSet.truncated, deadline: rounds.deadlineHit },
    roundTrips: rounds.roundTrips,
  };
}

function parseStream(db: number, stream: string, value: unknown): StreamInfo {
  const f = fields(value);
  return {
    db: dbLabel(db),
    stream,
    length: asNumber(f.get('length')) ?? 0,
    radixTreeKeys: asNumber(f.get('radix-tree-keys')) ?? 0,
    radixTreeNodes: asNumber(f.get('radix-tree-nodes')) ?? 0,
    lastGeneratedId: asString(f.get('last-generated-id')) ?? '',
    groups: asNumber(f.get('groups')) ?? 0,
    maxDeletedEntryId: asString(f.get('max-deleted-entry-id')),
    entriesAdded: asNumber(f.get('entries-added')),
    firstEntryId: entryId(f.get('first-entry')),
    lastEntryId: entryId(f.get('last-entry')),
    groupDetails: [],
  };
}

function parseGroup(value: unknown): StreamGroup | undefined {
  const f = fields(value);
  const name = asString(f.get('name'));
  if (name === undefined) return undefined;
  return {
    name,
    consumers: asNumber(f.get('consumers')) ?? 0,
    pending: asNumber(f.get('pending')) ?? 0,
    lastDeliveredId: asString(f.get('last-delivered-id')) ?? '',
    entriesRead: asNumber(f.get('entries-read')),
    lag: asNumber(f.get('lag')),
    consumerDetails: [],
  };
}

function parseConsumer(value: unknown): StreamGroupConsumer | undefined {
  const f = fields(value);
  const name = asString(f.get('name'));
  if (name === undefined) return undefined;
  return { name, pending: asNumber(f.get('pending')) ?? 0, idleMs: asNumber(f.get('idle')) ?? 0 };
}
