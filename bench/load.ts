import type { Socket } from 'node:net';
import { encodeCommands, type RespCommand, RespConnection } from './resp-floor.ts';

export interface LoadOptions {
  /** Keys in total, spread over db0 (80 %), db1 (15 %) and db2 (5 %). */
  keys: number;
  /** Idle client connections to leave open (each named with CLIENT SETNAME). */
  idleClients: number;
}

export interface LoadSummary {
  keys: number;
  dbsize: Record<string, number>;
  commandsInCommandstats: number;
  slowlogLen: number;
  latencyEvents: string[];
  idleClients: number;
  seconds: number;
}

const BATCH = 2000;

async function sendBatched(conn: RespConnection, commands: RespCommand[]): Promise<void> {
  for (let i = 0; i < commands.length; i += BATCH) {
    const batch = commands.slice(i, i + BATCH);
    const r = await conn.send(encodeCommands(batch), batch.length);
    if (r.errors > 0) throw new Error(`${r.errors} error replies while loading data`);
  }
}

/** Commands that create key `i` of a mixed-type data set (strings, hashes, lists, sets, sorted sets, streams, TTLs). */
function keyCommands(i: number): RespCommand[] {
  const k = `bench:${i % 10}:${i}`;
  const kind = i % 20;
  if (kind < 8) return [['SET', `${k}:s`, `value-${i}-${'x'.repeat(i % 64)}`]];
  if (kind < 9) return [['SET', `${k}:t`, `${i}`, 'EX', 3600 + (i % 600)]];
  if (kind < 12) return [['HSET', `${k}:h`, 'a', i, 'b', 'bee', 'c', 'sea', 'd', `${i * 2}`, 'e', 'e'.repeat(i % 32)]];
  if (kind < 15) return [['RPUSH', `${k}:l`, 'one', 'two', 'three', `${i}`, 'five']];
  if (kind < 17) return [['SADD', `${k}:set`, 'a', 'b', 'c', `${i}`]];
  if (kind < 19) return [['ZADD', `${k}:z`, 1, 'a', 2, 'b', 3, `${i}`]];
  return [['XADD', `${k}:x`, '*', 'f', `${i}`, 'g', 'h']];
}

/** ~40 different commands so commandstats and LATENCY HISTOGRAM have many rows, plus a few error replies. */
function workloadCommands(): RespCommand[] {
  const out: RespCommand[] = [];
  const k = (i: number) => `bench:${i % 10}:${i}`;
  for (let r = 0; r < 20; r++) {
    const s = `${k(r * 20)}:s`;
    const h = `${k(r * 20 + 9)}:h`;
    const l = `${k(r * 20 + 12)}:l`;
    const st = `${k(r * 20 + 15)}:set`;
    const z = `${k(r * 20 + 17)}:z`;
    const x = `${k(r * 20 + 19)}:x`;
    out.push(
      ['GET', s],
      ['MGET', s, `${k(r * 20 + 1)}:s`],
      ['MSET', `bench:w:${r}`, r, `bench:w2:${r}`, r],
      ['INCR', `bench:counter:${r}`],
      ['INCRBY', `bench:counter:${r}`, 5],
      ['DECR', `bench:counter:${r}`],
      ['APPEND', `bench:w:${r}`, 'tail'],
      ['STRLEN', s],
      ['GETRANGE', s, 0, 4],
      ['SETNX', `bench:nx:${r}`, 1],
      ['HGET', h, 'a'],
      ['HGETALL', h],
      ['HMGET', h, 'a', 'b'],
      ['HINCRBY', h, 'a', 1],
      ['HLEN', h],
      ['LRANGE', l, 0, -1],
      ['LLEN', l],
      ['LPUSH', l, 'zero'],
      ['LPOP', l],
      ['SMEMBERS', st],
      ['SISMEMBER', st, 'a'],
      ['SCARD', st],
      ['ZRANGE', z, 0, -1, 'WITHSCORES'],
      ['ZSCORE', z, 'a'],
      ['ZCARD', z],
      ['XLEN', x],
      ['XRANGE', x, '-', '+', 'COUNT', 2],
      ['TTL', `${k(r * 20 + 8)}:t`],
      ['EXISTS', s],
      ['TYPE', h],
      ['EXPIRE', `bench:w2:${r}`, 7200],
      ['DEL', `bench:nx:${r}`],
      ['PING'],
      ['ECHO', 'hello'],
      ['SCAN', r * 10, 'COUNT', 10],
      ['DBSIZE'],
    );
  }
  return out;
}

/** Fills the server: keys of mixed types, ~40 commands in commandstats, a full slowlog, latency events, idle clients. */
export async function populate(port: number, options: LoadOptions): Promise<{ summary: LoadSummary; idle: Socket[] }> {
  const started = performance.now();
  const conn = await RespConnection.open(port);
  try {
    const dbs: Array<[db: number, share: number]> = [
      [0, 0.8],
      [1, 0.15],
      [2, 0.05],
    ];
    let next = 0;
    for (const [db, share] of dbs) {
      const n = db === 2 ? options.keys - next : Math.round(options.keys * share);
      const cmds: RespCommand[] = [['SELECT', db]];
      for (let i = next; i < next + n; i++) cmds.push(...keyCommands(i));
      next += n;
      await sendBatched(conn, cmds);
    }
    await conn.call([['SELECT', 0]]);
    await sendBatched(conn, workloadCommands());
    // A few WRONGTYPE errors for errorstats (sent raw: error replies are expected here).
    await conn.send(
      encodeCommands([
        ['GET', 'bench:0:10:h'],
        ['LPOP', 'bench:0:0:s'],
      ]),
      2,
    );

    // Full slowlog: log everything for a moment, then back to the default threshold so scrapes are not logged.
    await conn.call([['CONFIG', 'SET', 'slowlog-log-slower-than', 0]]);
    const slow: RespCommand[] = [];
    for (let i = 0; i < 200; i++) slow.push(['HGETALL', `bench:${i % 10}:${i * 20 + 9}:h`]);
    await sendBatched(conn, slow);
    await conn.call([['CONFIG', 'SET', 'slowlog-log-slower-than', 10000]]);

    // Latency events: one `command` sample per second (LATENCY records at most one per event per second).
    await conn.call([['CONFIG', 'SET', 'latency-monitor-threshold', 1]]);
    for (let i = 0; i < 3; i++) {
      await conn.call([['DEBUG', 'SLEEP', '0.005']]);
      if (i < 2) await new Promise((r) => setTimeout(r, 1010));
    }
    await conn.call([['KEYS', 'bench:1:*']]);
    await conn.call([['CONFIG', 'SET', 'latency-monitor-threshold', 100]]);

    const idle: Socket[] = [];
    for (let i = 0; i < options.idleClients; i++) {
      const c = await RespConnection.open(port);
      await c.call([['CLIENT', 'SETNAME', `bench-idle-${i}`]]);
      idle.push(c.socket);
    }

    const [info, slowlogLen, latest] = await conn.call([
      ['INFO', 'keyspace', 'commandstats'],
      ['SLOWLOG', 'LEN'],
      ['LATENCY', 'LATEST'],
    ]);
    const text = info.toString('utf8');
    const dbsize: Record<string, number> = {};
    for (const m of text.matchAll(/^(db\d+):keys=(\d+)/gm)) dbsize[m[1]] = Number(m[2]);
    const latencyEvents = [...latest.toString('utf8').matchAll(/\$\d+\r\n([a-z-]+)\r\n/g)].map((m) => m[1]);
    return {
      idle,
      summary: {
        keys: options.keys,
        dbsize,
        commandsInCommandstats: (text.match(/^cmdstat_/gm) ?? []).length,
        slowlogLen: Number(/^:(\d+)/.exec(slowlogLen.toString('latin1'))?.[1]),
        latencyEvents,
        idleClients: idle.length,
        seconds: (performance.now() - started) / 1000,
      },
    };
  } finally {
    conn.close();
  }
}

/** A handful of keys for the small servers of the /scrape throughput part. */
export async function populateSmall(port: number, keys = 100): Promise<void> {
  const conn = await RespConnection.open(port);
  try {
    const cmds: RespCommand[] = [];
    for (let i = 0; i < keys; i++) cmds.push(...keyCommands(i));
    await sendBatched(conn, cmds);
  } finally {
    conn.close();
  }
}
