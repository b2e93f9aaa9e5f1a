import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { buildExporterConfig } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { createLogger } from '../exporter/logger.ts';
import { createExporterServer } from '../exporter/server.ts';
import { unimplementedUpstreamEnv, unimplementedUpstreamFlags } from '../exporter/upstream-env.ts';
import { formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { VERSION } from '../version.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: redoubt exporter [flags]

Prometheus exporter for Redis, a drop-in for oliver006/redis_exporter: same flags, environment variables,
metric names, /metrics and /scrape?target=. Keeps one connection per target and takes each scrape in one
pipelined round trip.`;

export async function runExporter(argv: string[], io: CliIo): Promise<number> {
  const { values, help } = parseFlags(argv, EXPORTER_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, EXPORTER_FLAGS));
    return 0;
  }
  if (values.version) {
    io.stdout.write(`redoubt exporter ${VERSION} (node ${process.version})\n`);
    return 0;
  }
  const flags = unimplementedUpstreamFlags(values);
  if (flags.length > 0)
    throw new UsageError(
      `${flags.join(', ')}: not implemented by redoubt (${flags.length === 1 ? 'a redis_exporter flag' : 'redis_exporter flags'} for a feature redoubt does not have). Remove ${flags.length === 1 ? 'it' : 'them'} (or set upstream's default); see "Migrating from redis_exporter" in the README`,
    );
  const unimplemented = unimplementedUpstreamEnv(io.env);
  if (unimplemented.length > 0)
    throw new UsageError(
      `not implemented by redoubt: what ${unimplemented.length === 1 ? 'this redis_exporter variable asks' : 'these redis_exporter variables ask'} for: ${unimplemented.join(', ')}. Unset ${unimplemented.length === 1 ? 'it' : 'them'} (or set upstream's default); see "Migrating from redis_exporter" in the README`,
    );
  const config = buildExporterConfig(values);
  // A long-running exporter: let V8 collect its old generation when it has grown by 25 % over the live heap,
  // instead of the default factor (up to 4×), which lets RSS climb far above what is live. Measured on the bench
  // (20 targets, /scrape at concurrency 20): peak RSS 114 → 81 MB for a few percent more GC time.
  setFlagsFromString('--heap-growing-percent=25');
  // No --interrupt-budget: a low budget (1000, set here until 2026-12-05) got the scrape path optimised within
  // the hot loop's first hundred scrapes, but at Prometheus's pace it kept V8's compiler threads re-optimising it:
  // measured with `npm run bench:paced` at a 1 s pace, exporter CPU 25.6 → 13.8 ms per scrape (V8 worker threads
  // 18.7 → 6.5 ms), p50 9.7 → 7.4 ms, RSS 64.0 → 61.4 MB with V8's default budget. Pass --interrupt-budget to
  // node to choose another.
  let exporter: Exporter | undefined;
  const log = createLogger(io.stderr, config.logLevel, config.logFormat, () => exporter?.secrets() ?? []);
  exporter = new Exporter(config, log);
  const server = createExporterServer(exporter);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.listenPort, config.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await exporter.close();
    const e = err as NodeJS.ErrnoException;
    const where = `${config.listenHost ?? '*'}:${config.listenPort}`;
    if (e.code === 'EADDRINUSE')
      throw new Error(`cannot listen on ${where}: the port is already in use; pick another with --web.listen-address`);
    if (e.code === 'EACCES')
      throw new Error(`cannot listen on ${where}: permission denied (ports below 1024 need root)`);
    if (e.code === 'EADDRNOTAVAIL') throw new Error(`cannot listen on ${where}: no such local address`);
    throw err;
  }
  const addr = server.address() as AddressInfo;
  log.info('redoubt exporter listening', {
    address: `${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`,
    telemetry_path: config.telemetryPath,
    redis: exporter.home?.display ?? '',
    version: VERSION,
  });
  const signal = await io.stopSignal;
  log.info('shutting down', { signal });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await exporter.close();
  return 0;
}
