import { type RedisServer, startRedis } from '../test/support/redis-server.ts';
import { type ExporterName, startExporter } from './exporters.ts';
import { ScrapeClient } from './http-scrape.ts';
import { populateSmall } from './load.ts';
import { processCpuMs, processMemory } from './proc-stats.ts';
import { RedisProbe, redisDelta, sumDeltas } from './redis-probe.ts';
import { percentile } from './stats.ts';

export interface ThroughputOptions {
  seconds: number;
  concurrency: number;
  round: number;
}

export interface ThroughputResult {
  subject: ExporterName;
  round: number;
  seconds: number;
  scrapes: number;
  errors: number;
  scrapesPerSec: number;
  cpuMsPerScrape: number;
  /** Summed over all target servers. */
  redisCpuMsPerScrape: number;
  redisCallsPerScrape: number;
  redisConnectionsPerScrape: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
}

export interface TargetFleet {
  servers: RedisServer[];
  probes: RedisProbe[];
  stop(): Promise<void>;
}

/** Starts `count` small redis-servers (100 keys each) with a probe connection to each. */
export async function startFleet(count: number): Promise<TargetFleet> {
  const servers: RedisServer[] = [];
  const probes: RedisProbe[] = [];
  const stop = async () => {
    for (const p of probes) p.close();
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const started = await Promise.allSettled(Array.from({ length: count }, () => startRedis()));
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await Promise.all(servers.map((s) => populateSmall(s.port)));
    for (const s of servers) probes.push(await RedisProbe.open(s.port));
  } catch (e) {
    await stop();
    throw e;
  }
  return { servers, probes, stop };
}

/** Drives concurrent /scrape?target= requests, targets round-robin, for a fixed time against a fresh exporter. */
export async function measureThroughput(
  name: ExporterName,
  fleet: TargetFleet,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const exp = await startExporter(
    name,
    '',
    fleet.servers.map((s) => s.url),
  );
  const client = new ScrapeClient(options.concurrency);
  const urls = fleet.servers.map((s) => `${exp.url}/scrape?target=${encodeURIComponent(s.url)}`);
  try {
    // Warm-up: two scrapes of every target (connections, caches, JIT), checking each answers redis_up 1.
    for (let pass = 0; pass < 2; pass++)
      await Promise.all(
        urls.map(async (u) => {
          const r = await client.get(u, { keepBody: true });
          if (r.status !== 200 || !/^redis_up 1$/m.test(r.body ?? ''))
            throw new Error(`${name} ${u} answered ${r.status} without "redis_up 1": ${exp.logs().slice(-2000)}`);
        }),
      );
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const redisBefore = await Promise.all(fleet.probes.map((p) => p.sample()));
    const cpuBefore = processCpuMs(exp.pid);
    const t0 = performance.now();
    const deadline = t0 + options.seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const u = urls[next++ % urls.length];
        try {
          const r = await client.get(u);
          if (r.status === 200) latencies.push(r.ms);
          else errors++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = processCpuMs(exp.pid) - cpuBefore;
    const redisAfter = await Promise.all(fleet.probes.map((p) => p.sample()));
    const redis = sumDeltas(redisBefore.map((b, i) => redisDelta(b, redisAfter[i])));
    const n = latencies.length;
    const calls = Object.values(redis.calls).reduce((a, b) => a + b, 0);
    return {
      subject: name,
      round: options.round,
      seconds: elapsed,
      scrapes: n,
      errors,
      scrapesPerSec: n / elapsed,
      cpuMsPerScrape: cpu / n,
      redisCpuMsPerScrape: redis.cpuMs / n,
      redisCallsPerScrape: calls / n,
      redisConnectionsPerScrape: redis.connections / n,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      peakRssMb: processMemory(exp.pid).peakRssMb,
    };
  } finally {
    client.close();
    await exp.stop();
  }
}
