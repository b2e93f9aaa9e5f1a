import type { Command, RedisConnection, Reply } from '../redis/connection.ts';
import { RedisError } from '../redis/errors.ts';
import { checkDumpPayload } from './logical-format.ts';

/** Keys asked per SCAN and DUMPed per pipelined round trip: bounded memory whatever the keyspace. */
const SCAN_COUNT = 500;
/** MEMORY USAGE one DUMP round trip may add up to (the connection refuses 128 MB of replies per round trip). */
const BATCH_MEMORY = 32 * 1024 * 1024;

export interface DumpedKey {
  db: number;
  key: Buffer;
  expireMs?: number;
  payload: Buffer;
}

/** The databases that hold keys, from INFO keyspace (`db3:keys=…`). */
export function databasesWithKeys(infoKeyspace: string): number[] {
  const dbs: number[] = [];
  for (const m of infoKeyspace.matchAll(/^db(\d+):keys=(\d+)/gm)) if (Number(m[2]) > 0) dbs.push(Number(m[1]));
  return dbs;
}

function replyValue(r: Reply): unknown {
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * Splits the keys of one SCAN page into DUMP batches whose MEMORY USAGE adds up to at most `budget` bytes (a key
 * over it goes alone): the replies of one round trip stay under the connection's reply limit. Without sizes
 * (MEMORY USAGE not permitted) batches are small. Pure.
 */
export function planBatches(sizes: Array<number | undefined>, budget: number, blindBatch = 16): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let sum = 0;
  sizes.forEach((size, i) => {
    const cost = size ?? budget / blindBatch;
    if (current.length > 0 && sum + cost > budget) {
      batches.push(current);
      current = [];
      sum = 0;
    }
    current.push(i);
    sum += cost;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/** MEMORY USAGE of each key (undefined where it is not permitted or the key is gone). */
async function memoryUsage(
  conn: RedisConnection,
  db: number,
  keys: Array<Buffer | string>,
): Promise<Array<number | undefined>> {
  const replies = await conn.pipeline([
    ['SELECT', db],
    ...keys.map((k): Command => ['MEMORY', 'USAGE', k, 'SAMPLES', '0']),
  ]);
  replyValue(replies[0]);
  return replies.slice(1).map((r) => (r.ok && typeof r.value === 'number' ? r.value : undefined));
}

async function* dumpBatch(conn: RedisConnection, db: number, keys: Array<Buffer | string>): AsyncGenerator<DumpedKey> {
  const commands: Command[] = [['SELECT', db]];
  for (const k of keys) commands.push(['DUMP', k], ['PTTL', k]);
  const replies = await conn.pipeline(commands);
  replyValue(replies[0]);
  const now = Date.now();
  for (let i = 0; i < keys.length; i++) {
    const payload = replyValue(replies[1 + 2 * i]);
    const pttl = Number(replyValue(replies[2 + 2 * i]));
    if (payload === null || payload === undefined || pttl === -2) continue;
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload), 'latin1');
    const key = Buffer.isBuffer(keys[i]) ? (keys[i] as Buffer) : Buffer.from(String(keys[i]), 'latin1');
    checkDumpPayload(bytes, `key #${i} of a batch in db ${db}`);
    yield { db, key, expireMs: pttl >= 0 ? now + pttl : undefined, payload: bytes };
  }
}

/**
 * SCAN + DUMP + PTTL over every database with keys, in bounded batches, each batch one pipelined round trip
 * sized by MEMORY USAGE. A key that disappears between SCAN and DUMP is skipped (DUMP answers nil). TTLs become
 * absolute times so a restore later gives each key the same moment of expiry. Keys arrive as raw bytes.
 */
export async function* dumpKeys(conn: RedisConnection): AsyncGenerator<DumpedKey, void, void> {
  const info = String(await conn.call('INFO', 'keyspace'));
  for (const db of databasesWithKeys(info)) {
    let cursor = '0';
    do {
      const [sel, scan] = await conn.pipeline([
        ['SELECT', db],
        ['SCAN', cursor, 'COUNT', SCAN_COUNT],
      ]);
      replyValue(sel);
      const [next, keys] = replyValue(scan) as [Buffer | string, Array<Buffer | string>];
      cursor = String(next);
      if (keys.length === 0) continue;
      const sizes = await memoryUsage(conn, db, keys);
      for (const batch of planBatches(sizes, BATCH_MEMORY))
        yield* dumpBatch(
          conn,
          db,
          batch.map((i) => keys[i]),
        );
    } while (cursor !== '0');
  }
}

export function isRefusal(err: unknown): boolean {
  return err instanceof RedisError && (err.kind === 'not_permitted' || err.kind === 'command');
}
