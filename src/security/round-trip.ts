import type { Command, RedisConnection, Reply } from '../redis/connection.ts';
import { RedisTimeoutError } from '../redis/errors.ts';

/**
 * One pipelined round trip that gives up at `deadlineMs` (absolute, `Date.now()` ms). A pipeline abandoned in
 * flight would deliver its replies to the next one, so the connection is reset when that happens.
 */
export async function roundTrip(conn: RedisConnection, commands: Command[], deadlineMs: number): Promise<Reply[]> {
  if (commands.length === 0) return [];
  const left = deadlineMs - Date.now();
  if (left <= 0) throw new RedisTimeoutError(conn.target.display, 'the audit', 0);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      conn.reset();
      reject(new RedisTimeoutError(conn.target.display, 'the audit', Math.round(left) / 1000));
    }, left);
  });
  try {
    return await Promise.race([conn.pipeline(commands), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
