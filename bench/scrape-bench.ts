import { type ExporterName, startExporter } from './exporters.ts';
import { ScrapeClient } from './http-scrape.ts';
import { processCpuMs, processMemory, selfCpuMs } from './proc-stats.ts';
import { type RedisProbe, redisDelta } from './redis-probe.ts';
import { encodeCommands, type RespCommand, RespConnection, SCRAPE_COMMANDS } from './resp-floor.ts';
import { percentile } from './stats.ts';

export type Subject = ExporterName | 'floor';
export type Encoding = 'identity' | 'gzip';

/** One measured phase: N sequential scrapes (or floor round trips) after warm-up. */
export interface PhaseResult {
  subject: Subject;
  encoding: Encoding;
  round: number;
  scrapes: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** CPU of the exporter process (the bench process itself for the floor) per scrape. */
  cpuMsPerScrape: number;
  /** CPU of the bench's HTTP client per scrape (exporter phases only; informational). */
  clientCpuMsPerScrape?: number;
  /** used_cpu_sys + used_cpu_user delta of Redis per scrape, as measured. */
  redisCpuMsPerScrape: number;
  /** The same, minus the idle Redis CPU rate × the phase's duration. */
  redisCpuMsPerScrapeNet: number;
  /** Commands Redis executed per scrape (commandstats delta). */
  redisCallsPerScrape: number;
  redisCommandsPerScrape: Record<string, number>;
  /** New Redis connections per scrape (total_connections_received delta). */
  redisConnectionsPerScrape: number;
  /** Median response body (compressed when gzip) or RESP reply bytes per scrape. */
  bodyBytes: number;
}

export interface ExporterRoundResult {
  phases: PhaseResult[];
  peakRssMb: number;
  rssMb: number;
}

export interface PhaseOptions {
  scrapes: number;
  warmup: number;
  round: number;
  /** Redis CPU ms per second while nothing scrapes. */
  redisIdleCpuMsPerSec: number;
}

function perScrape(calls: Record<string, number>, n: number): { total: number; byCommand: Record<string, number> } {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(calls)) {
    byCommand[k] = Math.round((v / n) * 1000) / 1000;
    total += v / n;
  }
  return { total, byCommand };
}

function finishPhase(
  base: Pick<PhaseResult, 'subject' | 'encoding' | 'round'>,
  latencies: number[],
  bytes: number[],
  cpuMs: number,
  clientCpuMs: number | undefined,
  redis: ReturnType<typeof redisDelta>,
  idleRate: number,
): PhaseResult {
  const n = latencies.length;
  const calls = perScrape(redis.calls, n);
  return {
    ...base,
    scrapes: n,
    seconds: redis.seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / n,
    cpuMsPerScrape: cpuMs / n,
    clientCpuMsPerScrape: clientCpuMs === undefined ? undefined : clientCpuMs / n,
    redisCpuMsPerScrape: redis.cpuMs / n,
    redisCpuMsPerScrapeNet: (redis.cpuMs - idleRate * redis.seconds) / n,
    redisCallsPerScrape: calls.total,
    redisCommandsPerScrape: calls.byCommand,
    redisConnectionsPerScrape: redis.connections / n,
    bodyBytes: percentile(bytes, 50),
  };
}

/** Starts one exporter, measures /metrics without and with gzip, records its peak RSS, stops it. */
export async function measureExporter(
  name: ExporterName,
  redisUrl: string,
  probe: RedisProbe,
  options: PhaseOptions,
): Promise<ExporterRoundResult> {
  const exp = await startExporter(name, redisUrl);
  const client = new ScrapeClient(1);
  try {
    const phases: PhaseResult[] = [];
    for (const encoding of ['identity', 'gzip'] as const) {
      const gzip = encoding === 'gzip';
      const url = `${exp.url}/metrics`;
      for (let i = 0; i < options.warmup; i++) {
        const check = i === options.warmup - 1;
        const r = await client.get(url, { gzip, keepBody: check });
        if (r.status !== 200) throw new Error(`${name} /metrics answered ${r.status}: ${exp.logs()}`);
        if (check && !/^redis_up 1$/m.test(r.body ?? ''))
          throw new Error(`${name} /metrics has no "redis_up 1" after warm-up: ${exp.logs()}`);
        if (check && gzip && r.contentEncoding !== 'gzip') throw new Error(`${name} did not gzip /metrics`);
      }
      const latencies: number[] = [];
      const bytes: number[] = [];
      const before = { cpu: processCpuMs(exp.pid), client: selfCpuMs(), redis: await probe.sample() };
      for (let i = 0; i < options.scrapes; i++) {
        const r = await client.get(url, { gzip });
        if (r.status !== 200) throw new Error(`${name} /metrics answered ${r.status}: ${exp.logs()}`);
        latencies.push(r.ms);
        bytes.push(r.bytes);
      }
      const redisAfter = await probe.sample();
      const cpu = processCpuMs(exp.pid) - before.cpu;
      const clientCpu = selfCpuMs() - before.client;
      phases.push(
        finishPhase(
          { subject: name, encoding, round: options.round },
          latencies,
          bytes,
          cpu,
          clientCpu,
          redisDelta(before.redis, redisAfter),
          options.redisIdleCpuMsPerSec,
        ),
      );
    }
    const mem = processMemory(exp.pid);
    return { phases, peakRssMb: mem.peakRssMb, rssMb: mem.rssMb };
  } finally {
    client.close();
    await exp.stop();
  }
}

/** The floor: the same commands redoubt sends, one pipelined round trip each on a persistent socket. */
export async function measureFloor(port: number, probe: RedisProbe, options: PhaseOptions): Promise<PhaseResult> {
  const conn = await RespConnection.open(port);
  try {
    const payload = encodeCommands(SCRAPE_COMMANDS);
    const count = SCRAPE_COMMANDS.length;
    for (let i = 0; i < options.warmup; i++) {
      const r = await conn.send(payload, count);
      if (r.errors > 0) throw new Error(`the floor's pipeline got ${r.errors} error replies`);
    }
    const latencies: number[] = [];
    const bytes: number[] = [];
    const before = { cpu: selfCpuMs(), redis: await probe.sample() };
    for (let i = 0; i < options.scrapes; i++) {
      const t0 = performance.now();
      const r = await conn.send(payload, count);
      latencies.push(performance.now() - t0);
      bytes.push(r.bytes);
    }
    const redisAfter = await probe.sample();
    const cpu = selfCpuMs() - before.cpu;
    return finishPhase(
      { subject: 'floor', encoding: 'identity', round: options.round },
      latencies,
      bytes,
      cpu,
      undefined,
      redisDelta(before.redis, redisAfter),
      options.redisIdleCpuMsPerSec,
    );
  } finally {
    conn.close();
  }
}

/** Redis CPU of one command on its own (sequential single-command round trips on a persistent connection). */
export interface CommandCost {
  command: string;
  calls: number;
  redisCpuMsPerCall: number;
  replyBytes: number;
  roundTripP50Ms: number;
}

/**
 * What each command of a scrape costs Redis, to explain the per-scrape numbers: redoubt's commands, the ones
 * redis_exporter sends instead (CONFIG GET *, CLIENT SETNAME), and PING as the cost of a bare round trip.
 */
export const COST_COMMANDS: RespCommand[] = [
  ['PING'],
  ...SCRAPE_COMMANDS,
  ['INFO', 'latencystats'],
  ['INFO'],
  ['CONFIG', 'GET', '*'],
  ['CLIENT', 'SETNAME', 'redis_exporter'],
];

export async function measureCommandCosts(port: number, probe: RedisProbe, calls: number): Promise<CommandCost[]> {
  const conn = await RespConnection.open(port);
  const out: CommandCost[] = [];
  try {
    for (const cmd of COST_COMMANDS) {
      const payload = encodeCommands([cmd]);
      for (let i = 0; i < 20; i++) await conn.send(payload, 1);
      const latencies: number[] = [];
      let bytes = 0;
      const before = await probe.sample();
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const r = await conn.send(payload, 1);
        latencies.push(performance.now() - t0);
        bytes = r.bytes;
        if (r.errors > 0) throw new Error(`${cmd.join(' ')} answered an error`);
      }
      const d = redisDelta(before, await probe.sample());
      out.push({
        command: cmd.join(' '),
        calls,
        redisCpuMsPerCall: d.cpuMs / calls,
        replyBytes: bytes,
        roundTripP50Ms: percentile(latencies, 50),
      });
    }
  } finally {
    conn.close();
  }
  return out;
}
