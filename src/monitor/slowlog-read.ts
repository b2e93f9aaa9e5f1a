/**
 * Reads a target's newest slowlog entries (SLOWLOG GET n) over the monitor's connection, after a scrape whose
 * snapshot showed a new newest id; when that newest entry is the only new one, it is taken from the snapshot. The reply comes from the server: every count, length and number is bounded
 * here, an entry that does not have Redis's shape is skipped, and passwords an old server logged are hidden.
 */
import type { RedisConnection } from '../redis/connection.ts';
import { infoField } from '../redis/info-field.ts';
import type { Snapshot } from '../redis/snapshot.ts';
import { neutralise } from '../text/terminal.ts';
import { type KeptSlowlogEntry, MAX_SLOWLOG_READ, type SlowlogHistory } from './slowlog-history.ts';
import { redactSlowlogCommand } from './slowlog-redact.ts';

/** Redis keeps at most 32 arguments of a command (the last says how many more) and 128 bytes of each. */
const MAX_ARGS = 33;
const MAX_ARG = 256;
const MAX_CLIENT = 256;

function bounded(v: unknown, max: number): string {
  const s = Buffer.isBuffer(v)
    ? v.toString('utf8')
    : typeof v === 'string'
      ? v
      : typeof v === 'number'
        ? String(v)
        : '';
  return neutralise(s.length > max ? `${s.slice(0, max)}…` : s);
}

function whole(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' || Buffer.isBuffer(v) ? Number(String(v)) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** One entry of SLOWLOG GET: [id, unix seconds, µs, [args…], client addr, client name] (the last two since 4.0). */
export function parseSlowlogEntry(v: unknown): KeptSlowlogEntry | undefined {
  if (!Array.isArray(v) || v.length < 4) return undefined;
  const id = whole(v[0]);
  const seconds = whole(v[1]);
  const micros = whole(v[2]);
  if (id === undefined || seconds === undefined || micros === undefined || !Array.isArray(v[3])) return undefined;
  return {
    id,
    at: seconds * 1000,
    durationMicros: micros,
    command: redactSlowlogCommand((v[3] as unknown[]).slice(0, MAX_ARGS).map((a) => bounded(a, MAX_ARG))),
    client: bounded(v[4], MAX_CLIENT),
    clientName: bounded(v[5], MAX_CLIENT),
  };
}

export function parseSlowlogGetAll(value: unknown, max = MAX_SLOWLOG_READ): KeptSlowlogEntry[] {
  if (!Array.isArray(value)) return [];
  const out: KeptSlowlogEntry[] = [];
  for (const v of value.slice(0, max)) {
    const e = parseSlowlogEntry(v);
    if (e) out.push(e);
  }
  return out;
}

/**
 * After a scrape: reads the entries newer than those kept, when the snapshot says there are any. Never throws: a
 * failed read is tried again after the next scrape (the ids are still there unless the server dropped them).
 */
export async function followSlowlog(
  conn: RedisConnection,
  snapshot: Snapshot,
  history: SlowlogHistory,
  now: number,
): Promise<void> {
  const newest = snapshot.slowlogLast?.id;
  const count = history.toRead(newest, snapshot.slowlogLength, infoField(snapshot.info, 'run_id'));
  if (count === 0 || newest === undefined) return;
  if (history.onlyNewestIsNew(newest, snapshot.slowlogLength)) {
    // The snapshot's SLOWLOG GET 1 holds it already: no second round trip.
    const entry = parseSlowlogEntry(snapshot.slowlogLast?.raw);
    if (entry?.id === newest) return history.record([entry], newest, now);
  }
  try {
    const [reply] = await conn.pipeline([['SLOWLOG', 'GET', count]]);
    if (!reply.ok) return;
    history.record(parseSlowlogGetAll(reply.value, count), newest, now);
  } catch {
    // the scrape reports the connection's trouble; the entries are read next time
  }
}
