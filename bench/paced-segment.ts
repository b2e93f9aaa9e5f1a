import { type SubjectName, startSubject } from './paced-subjects.ts';
import { processMemory } from './proc-stats.ts';
import { rawSamples, startScraper, within } from './prometheus-scraper.ts';
import { type RedisProbe, redisDelta } from './redis-probe.ts';
import { cpuByGroup, readThreads, total } from './schedstat.ts';
import { percentile } from './stats.ts';

/** One subject scraped by Prometheus at one pace for one measured window. */
export interface Segment {
  pace: number;
  round: number;
  subject: SubjectName;
  windowSeconds: number;
  /** Scrapes Prometheus started inside the window (its samples' timestamps). */
  scrapes: number;
  /** Scrapes in the window whose `up` was not 1. */
  failed: number;
  /** Prometheus's scrape_duration_seconds of the window's scrapes, ms. */
  durationsMs: number[];
  p50Ms: number;
  p99Ms: number;
  /** Subject CPU over the window per thread group (schedstat ns), and per scrape in ms. */
  cpuNsByThread: Record<string, number>;
  cpuMsPerScrape: number;
  /**
   * The same over the warm-up (from the first scrape to the window): what a freshly started process pays while V8
   * is still compiling its code, per scrape; NaN when the warm-up had no scrape.
   */
  warmupScrapes: number;
  warmupCpuMsPerScrape: number;
  warmupCpuNsByThread: Record<string, number>;
  /** Redis CPU over the window (INFO cpu), the idle rate × window, and what is left per scrape. */
  redisCpuMs: number;
  redisIdleMs: number;
  redisCpuMsPerScrape: number;
  /** Time Redis spent executing commands per scrape (commandstats usec): resolvable at any pace, unlike INFO cpu. */
  redisCommandMsPerScrape: number;
  redisCallsPerScrape: number;
  redisCalls: Record<string, number>;
  /** Redis's time in each command (commandstats usec delta over the window), µs; `info` has one probe INFO. */
  redisUsec: Record<string, number>;
  redisConnectionsPerScrape: number;
  rssMb: number;
  peakRssMb: number;
}

export interface SegmentOptions {
  pace: number;
  round: number;
  seconds: number;
  warmupScrapes: number;
  redisAddr: string;
  redisIdleCpuMsPerSec: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the subject and a Prometheus scraping only it, waits `warmupScrapes` paces, then measures a window. */
export async function measureSegment(subject: SubjectName, probe: RedisProbe, o: SegmentOptions): Promise<Segment> {
  const running = await startSubject(subject, o.redisAddr);
  try {
    const scraper = await startScraper(subject, running.hostPort, o.pace);
    try {
      // (Prometheus scrapes a new target at once, then every pace: from 0.5 pace on, the first scrape is done)
      await sleep(0.5 * o.pace * 1000);
      const tw = Date.now() / 1000;
      const threadsW = readThreads(running.pid);
      await sleep(o.warmupScrapes * o.pace * 1000);
      const t0 = Date.now() / 1000;
      const threads0 = readThreads(running.pid);
      const redis0 = await probe.sample();
      await sleep(o.seconds * 1000);
      const t1 = Date.now() / 1000;
      const threads1 = readThreads(running.pid);
      const redis1 = await probe.sample();
      const mem = processMemory(running.pid);
      // Let the scrape that started just before t1 land in the TSDB.
      await sleep(Math.min(o.pace, 10) * 1000 + 500);
      const range = t1 - t0 + (o.warmupScrapes + 2) * o.pace;
      const all = await rawSamples(scraper.daemon, 'scrape_duration_seconds', t1, range);
      const durations = within(all, t0, t1);
      const warmupScrapes = within(all, tw, t0).length;
      const warmupCpuNsByThread = cpuByGroup(running.pid, threadsW, threads0);
      const up = within(await rawSamples(scraper.daemon, 'up', t1, range), t0, t1);
      const scrapes = durations.length;
      const cpuNsByThread = cpuByGroup(running.pid, threads0, threads1);
      const delta = redisDelta(redis0, redis1);
      const redisIdleMs = o.redisIdleCpuMsPerSec * delta.seconds;
      const calls = Object.values(delta.calls).reduce((a, b) => a + b, 0);
      const durationsMs = durations.map(([, v]) => v * 1000);
      return {
        pace: o.pace,
        round: o.round,
        subject,
        windowSeconds: t1 - t0,
        scrapes,
        failed: up.filter(([, v]) => v !== 1).length,
        durationsMs,
        p50Ms: percentile(durationsMs, 50),
        p99Ms: percentile(durationsMs, 99),
        cpuNsByThread,
        cpuMsPerScrape: total(cpuNsByThread) / 1e6 / scrapes,
        warmupScrapes,
        warmupCpuMsPerScrape: total(warmupCpuNsByThread) / 1e6 / warmupScrapes,
        warmupCpuNsByThread,
        redisCpuMs: delta.cpuMs,
        redisIdleMs,
        redisCpuMsPerScrape: (delta.cpuMs - redisIdleMs) / scrapes,
        redisCommandMsPerScrape: delta.commandMs / scrapes,
        redisCallsPerScrape: calls / scrapes,
        redisCalls: delta.calls,
        redisUsec: delta.usec,
        redisConnectionsPerScrape: delta.connections / scrapes,
        rssMb: mem.rssMb,
        peakRssMb: mem.peakRssMb,
      };
    } finally {
      await scraper.stop();
    }
  } finally {
    await running.stop();
  }
}

/** Redis's CPU rate with nothing scraping it, ms of CPU per second, over `seconds`. */
export async function redisIdleRate(probe: RedisProbe, seconds: number): Promise<number> {
  const a = await probe.sample();
  await sleep(seconds * 1000);
  const b = await probe.sample();
  return (b.cpuMs - a.cpuMs) / ((b.atMs - a.atMs) / 1000);
}
