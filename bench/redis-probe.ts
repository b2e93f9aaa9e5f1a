import { commandCalls, commandUsec, commandUsecByCommand, diffCalls, parseInfo, redisCpuMs } from './proc-stats.ts';
import { bulkString, RespConnection } from './resp-floor.ts';

export interface RedisSample {
  cpuMs: number;
  /** Microseconds spent in commands (commandstats), every command. */
  commandUsec: number;
  calls: Record<string, number>;
  /** commandstats usec by command. */
  usec: Record<string, number>;
  /** total_connections_received (includes the probe's own, opened before the first sample). */
  connections: number;
  atMs: number;
}

export interface RedisDelta {
  cpuMs: number;
  /** Time Redis spent executing commands (commandstats usec), ms; includes one probe INFO. */
  commandMs: number;
  /** Connections accepted between the samples. */
  connections: number;
  /** Commands Redis executed between the samples, the probe's own INFO excluded. */
  calls: Record<string, number>;
  /**
   * Microseconds Redis spent in each command between the samples (commandstats usec); `info` includes the
   * probe's own `INFO cpu stats commandstats` (one call, tens of µs).
   */
  usec: Record<string, number>;
  seconds: number;
}

/** Reads a server's CPU time and commandstats over its own persistent connection (one INFO per sample). */
export class RedisProbe {
  private constructor(private readonly conn: RespConnection) {}

  static async open(port: number): Promise<RedisProbe> {
    return new RedisProbe(await RespConnection.open(port));
  }

  async sample(): Promise<RedisSample> {
    const [reply] = await this.conn.call([['INFO', 'cpu', 'stats', 'commandstats']]);
    const info = parseInfo(bulkString(reply));
    return {
      cpuMs: redisCpuMs(info),
      commandUsec: commandUsec(info),
      calls: commandCalls(info),
      usec: commandUsecByCommand(info),
      connections: Number(info.get('total_connections_received')),
      atMs: performance.now(),
    };
  }

  async info(section: string): Promise<Map<string, string>> {
    const [reply] = await this.conn.call([['INFO', section]]);
    return parseInfo(bulkString(reply));
  }

  close(): void {
    this.conn.close();
  }
}

/** Difference of two samples; the `info` call of the `after` sample ran after `before` and is subtracted. */
export function redisDelta(before: RedisSample, after: RedisSample): RedisDelta {
  const calls = diffCalls(before.calls, after.calls);
  if (calls.info !== undefined) {
    calls.info -= 1;
    if (calls.info <= 0) delete calls.info;
  }
  return {
    cpuMs: after.cpuMs - before.cpuMs,
    commandMs: (after.commandUsec - before.commandUsec) / 1000,
    connections: after.connections - before.connections,
    calls,
    usec: diffCalls(before.usec, after.usec),
    seconds: (after.atMs - before.atMs) / 1000,
  };
}

/** Sums deltas of several servers (the /scrape part). */
export function sumDeltas(deltas: RedisDelta[]): RedisDelta {
  const calls: Record<string, number> = {};
  let cpuMs = 0;
  let commandMs = 0;
  let connections = 0;
  let seconds = 0;
  for (const d of deltas) {
    cpuMs += d.cpuMs;
    commandMs += d.commandMs;
    connections += d.connections;
    seconds = Math.max(seconds, d.seconds);
    for (const [k, v] of Object.entries(d.calls)) calls[k] = (calls[k] ?? 0) + v;
  }
  const usec: Record<string, number> = {};
  for (const d of deltas) for (const [k, v] of Object.entries(d.usec)) usec[k] = (usec[k] ?? 0) + v;
  return { cpuMs, commandMs, connections, calls, usec, seconds };
}
