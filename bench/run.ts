/**
 * redoubt exporter benchmark (not a test: nothing here asserts on time). `npm run bench`.
 * Compares redoubt's exporter, Debian's prometheus-redis-exporter and the raw-RESP floor against one populated
 * redis-server, then /scrape?target= throughput over a fleet of small servers. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../test/support/binaries.ts';
import { type RedisServer, startRedis } from '../test/support/redis-server.ts';
import { buildRedoubt, type ExporterName, killAllExporters, REPO_ROOT } from './exporters.ts';
import { populate } from './load.ts';
import { RedisProbe } from './redis-probe.ts';
import {
  evaluateTargets,
  formatReport,
  type Results,
  scrapeRatios,
  summarizePhases,
  summarizeThroughput,
  toJson,
} from './report.ts';
import { measureCommandCosts, measureExporter, measureFloor, type Subject } from './scrape-bench.ts';
import { ratio } from './stats.ts';
import { measureThroughput, startFleet, type TargetFleet } from './throughput.ts';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

const settings = {
  scrapes: Math.max(1, envInt('BENCH_SCRAPES', 500)),
  warmup: Math.max(1, envInt('BENCH_WARMUP', 50)),
  rounds: Math.max(1, envInt('BENCH_ROUNDS', 3)),
  keys: envInt('BENCH_KEYS', 50000),
  idleClients: envInt('BENCH_IDLE_CLIENTS', 50),
  throughputServers: Math.max(1, envInt('BENCH_TP_SERVERS', 20)),
  throughputConcurrency: Math.max(1, envInt('BENCH_TP_CONCURRENCY', 20)),
  /** Seconds of /scrape load per exporter, split over throughputRounds interleaved runs. */
  throughputSeconds: envInt('BENCH_TP_SECONDS', 10),
  throughputRounds: Math.max(1, envInt('BENCH_TP_ROUNDS', 2)),
  subjects: (process.env.BENCH_SUBJECTS ?? 'redoubt,redis_exporter,floor').split(',').filter(Boolean) as Subject[],
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  resultsFile: process.env.BENCH_RESULTS ?? join(REPO_ROOT, 'bench/results.json'),
};

const cleanups: Array<() => Promise<void> | void> = [];
async function cleanup(): Promise<void> {
  killAllExporters();
  while (cleanups.length) {
    try {
      await cleanups.pop()?.();
    } catch {
      // keep cleaning
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: stopping everything the bench started\n`);
    void cleanup().finally(() => process.exit(130));
  });

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function rotate<T>(xs: T[], by: number): T[] {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

function machine(redisVersion: string): Record<string, string | number> {
  const exporterVersion =
    /Redis Metrics Exporter (\S+)/.exec(
      (({ stdout, stderr }) => `${stdout}${stderr}`)(
        spawnSync(requireBinary('prometheus-redis-exporter'), ['--version'], { encoding: 'utf8' }),
      ),
    )?.[1] ?? 'unknown';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    redisVersion,
    redisExporterVersion: exporterVersion,
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const wantsRedoubt = settings.subjects.includes('redoubt');
  if (wantsRedoubt && !settings.skipBuild) {
    log('building dist/ (npm run build)');
    buildRedoubt();
  }
  const exporters = settings.subjects.filter((s): s is ExporterName => s !== 'floor');

  const results: Results = {
    generatedAt: new Date().toISOString(),
    machine: {},
    settings: { ...settings, subjects: settings.subjects.join(',') },
    raw: { scrape: [], rss: [], throughput: [] },
  };

  // ---- part 1: /metrics against one populated server ----
  const redis: RedisServer = await startRedis({
    config: ['enable-debug-command local', 'slowlog-max-len 128', 'maxclients 10000'],
  });
  cleanups.push(() => redis.stop());
  log(`redis-server on ${redis.port}; loading ${settings.keys} keys`);
  const { summary, idle } = await populate(redis.port, { keys: settings.keys, idleClients: settings.idleClients });
  cleanups.push(() => {
    for (const s of idle) s.destroy();
  });
  results.dataset = summary;
  log(`loaded in ${summary.seconds.toFixed(1)} s: ${toJson(summary.dbsize)}`);
  const probe = await RedisProbe.open(redis.port);
  cleanups.push(() => probe.close());
  results.machine = machine((await probe.info('server')).get('redis_version') ?? 'unknown');

  // What Redis burns with nobody scraping (serverCron, idle clients), to put the per-scrape numbers in context.
  const idleA = await probe.sample();
  await new Promise((r) => setTimeout(r, 2000));
  const idleB = await probe.sample();
  const idleRate = (idleB.cpuMs - idleA.cpuMs) / ((idleB.atMs - idleA.atMs) / 1000);
  results.redisIdleCpuMsPerSec = idleRate;

  const phaseOptions = { scrapes: settings.scrapes, warmup: settings.warmup, redisIdleCpuMsPerSec: idleRate };
  for (let round = 0; round < settings.rounds; round++) {
    for (const subject of rotate(settings.subjects, round)) {
      log(`round ${round + 1}/${settings.rounds}: ${subject}`);
      if (subject === 'floor') {
        results.raw.scrape.push(await measureFloor(redis.port, probe, { ...phaseOptions, round }));
      } else {
        const r = await measureExporter(subject, redis.url, probe, { ...phaseOptions, round });
        results.raw.scrape.push(...r.phases);
        results.raw.rss.push({ subject, round, peakRssMb: r.peakRssMb, rssMb: r.rssMb });
      }
    }
  }
  if (settings.subjects.includes('floor')) {
    log('Redis cost of each command alone');
    results.commandCosts = await measureCommandCosts(redis.port, probe, settings.scrapes);
  }
  results.scrape = summarizePhases(results.raw.scrape, results.raw.rss);
  results.scrapeRatios = {
    identity: scrapeRatios(results.scrape?.identity?.redoubt, results.scrape?.identity?.redis_exporter),
    gzip: scrapeRatios(results.scrape?.gzip?.redoubt, results.scrape?.gzip?.redis_exporter),
  };
  // Free the machine for part 2.
  await cleanup();

  // ---- part 2: /scrape?target= throughput over a fleet ----
  if (settings.throughputSeconds > 0 && exporters.length > 0) {
    log(`starting ${settings.throughputServers} redis-servers for /scrape`);
    const fleet: TargetFleet = await startFleet(settings.throughputServers);
    cleanups.push(() => fleet.stop());
    const seconds = settings.throughputSeconds / settings.throughputRounds;
    for (let round = 0; round < settings.throughputRounds; round++)
      for (const name of rotate(exporters, round)) {
        log(`/scrape round ${round + 1}/${settings.throughputRounds}: ${name} for ${seconds} s`);
        results.raw.throughput.push(
          await measureThroughput(name, fleet, { seconds, concurrency: settings.throughputConcurrency, round }),
        );
      }
    await cleanup();
    const a = summarizeThroughput(results.raw.throughput.filter((r) => r.subject === 'redoubt'));
    const b = summarizeThroughput(results.raw.throughput.filter((r) => r.subject === 'redis_exporter'));
    results.throughput = {
      servers: settings.throughputServers,
      concurrency: settings.throughputConcurrency,
      redoubt: a,
      redis_exporter: b,
      ratios:
        a && b
          ? {
              scrapesPerSec: ratio(a.scrapesPerSec, b.scrapesPerSec),
              cpuMsPerScrape: ratio(a.cpuMsPerScrape, b.cpuMsPerScrape),
              redisCpuMsPerScrape: ratio(a.redisCpuMsPerScrape, b.redisCpuMsPerScrape),
              redisCallsPerScrape: ratio(a.redisCallsPerScrape, b.redisCallsPerScrape),
              p50Ms: ratio(a.p50Ms, b.p50Ms),
              p99Ms: ratio(a.p99Ms, b.p99Ms),
              peakRssMb: ratio(a.peakRssMb, b.peakRssMb),
            }
          : undefined,
    };
  }

  const maxRss: Record<string, number> = {};
  for (const name of exporters) {
    const all = [
      ...results.raw.rss.filter((r) => r.subject === name).map((r) => r.peakRssMb),
      ...results.raw.throughput.filter((r) => r.subject === name).map((r) => r.peakRssMb),
    ];
    if (all.length) maxRss[name] = Math.max(...all);
  }
  results.maxPeakRssMb = maxRss;
  results.targets = evaluateTargets(results);
  results.settings.totalSeconds = Math.round((performance.now() - t0) / 100) / 10;

  process.stdout.write(`${formatReport(results)}\n`);
  const { raw: _raw, ...summaryOnly } = results;
  process.stdout.write(`${toJson(summaryOnly)}\n`);
  const tmp = `${settings.resultsFile}.tmp-${process.pid}`;
  writeFileSync(tmp, `${toJson(results, 2)}\n`);
  renameSync(tmp, settings.resultsFile);
  log(`wrote ${settings.resultsFile} (${results.settings.totalSeconds} s in total)`);
}

main().then(
  () => cleanup(),
  async (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    await cleanup();
    process.exitCode = 1;
  },
);
