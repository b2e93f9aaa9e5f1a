import type { RedisConnection, Reply } from '../redis/connection.ts';
import { RedisError } from '../redis/errors.ts';
import { checkDumpPayload } from './logical-format.ts';

/** Keys asked per SCAN and DUMPed per pipelined round trip: bounded memory whatever the keyspace. */
const SCAN_COUNT = 500;

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
 * SCAN + DUMP + PTTL over every database with keys, in bounded batches, each batch one pipelined round trip.
 * A key that disappears between SCAN and DUMP is skipped (DUMP answers nil). TTLs become absolute times so a
 * restore later gives each key the same moment of expiry. Keys arrive as raw bytes (names need not be UTF-8).
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
      const commands: Array<[string, ...Array<string | number | Buffer>]> = [['SELECT', db]];
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
    } while (cursor !== '0');
  }
}

export function isRefusal(err: unknown): boolean {
  return err instanceof RedisError && (err.kind === 'not_permitted' || err.kind === 'command');
}
