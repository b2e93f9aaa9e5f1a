/**
 * A simulated 24 h of history, side by side: the same recorded samples ingested at full speed with advancing
 * timestamps into `redoubt up`'s store and into Debian's Prometheus 2.42 (remote-write receiver), then a 24 h
 * `query_range` of every dashboard panel on both. Not a test (nothing asserts on time).
 *
 *   node --import tsx bench/history.ts [--targets 20] [--hours 24] [--interval 10] [--snapshots 60]
 *                                      [--repeats 3] [--rounds 2] [--step 60] [--out FILE]
 *
 * 1. N small redis-servers (kept a little busy); `redoubt up` scrapes them at 1 s for `snapshots` seconds and
 *    its store is read back (bench/history-record.ts).
 * 2. redoubt: a child process appends the replayed samples to a fresh store in scrape order (flush every 30 s of
 *    simulated time) and reports its CPU and RSS; then `redoubt up` opens that data directory (its only target an
 *    unreachable port, so nothing else is scraped).
 * 3. Prometheus: started with --web.enable-remote-write-receiver and no scrape job; the same samples arrive as
 *    remote-write requests (one per target per 5 simulated minutes: 30 samples of each of its series), two in
 *    flight. Its CPU is that of its own threads (schedstat), the encoding in this process is not counted.
 * 4. Both stay up and answer every panel's 24 h query_range (`repeats` times each) in `rounds` rounds that
 *    alternate which side goes first, so the load of the shared machine falls on both alike.
 * For each: ingest CPU per sample, RSS after ingest and after the queries, bytes on disk per sample (after a
 * clean stop), the median over rounds of the CPU of a round, and each panel's median wall time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allPanels } from '../src/catalog/panels.ts';
import { httpGet } from '../test/support/http.ts';
import { startPrometheus } from '../test/support/prom-stack.ts';
import { substituteGrafana } from '../test/support/promql-expressions.ts';
import { type RedisServer, startRedis } from '../test/support/redis-server.ts';
import { startUp } from '../test/support/redoubt-up.ts';
import { recordSnapshots } from './history-record.ts';
import { type Recording, replaySeries, type Timeline, timelineEnding, valueAt } from './history-samples.ts';
import { processMemory } from './proc-stats.ts';
import { encodeWriteRequest, snappyLiteral, type WriteSeries } from './remote-write.ts';
import { readThreads, type ThreadCpu } from './schedstat.ts';
import { shebang } from './shebang.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '20' },
    hours: { type: 'string', default: '24' },
    interval: { type: 'string', default: '10' },
    snapshots: { type: 'string', default: '60' },
    repeats: { type: 'string', default: '3' },
    /** Rounds of every panel query on each side, alternating which goes first. */
    rounds: { type: 'string', default: '2' },
    step: { type: 'string', default: '60' },
    only: { type: 'string' },
    /** Replay this recording (a file --save-recording wrote) instead of recording anew. */
    recording: { type: 'string' },
    'save-recording': { type: 'string' },
    out: { type: 'string' },
  },
});
const TARGETS = Number(values.targets);
const HOURS = Number(values.hours);
const INTERVAL_MS = Number(values.interval) * 1000;
const REPEATS = Number(values.repeats);
const ROUNDS = Math.max(1, Number(values.rounds));
const STEP_S = Number(values.step);
const BATCH_STEPS = 30;
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

function panelQueries(): Array<{ panel: string; expr: string }> {
  return allPanels().flatMap(({ panel }) =>
    panel.targets.map((t, i) => ({
      panel: `${panel.title}${panel.targets.length > 1 ? ` #${i + 1}` : ''}`,
      expr: substituteGrafana(t.expr),
    })),
  );
}

async function timeRange(url: string, expr: string, start: number, end: number) {
  const q = `${url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${STEP_S}`;
  const times: number[] = [];
  let series = 0;
  let points = 0;
  let status = '';
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const r = await httpGet(q, { timeoutMs: 600_000 });
    times.push(performance.now() - t0);
    const body = JSON.parse(r.body) as {
      status?: string;
      error?: string;
      data?: { result?: Array<{ values?: unknown[] }> };
    };
    status = body.status === 'success' ? 'success' : `${r.status} ${body.error ?? ''}`.slice(0, 200);
    series = body.data?.result?.length ?? 0;
    points = (body.data?.result ?? []).reduce((a, s) => a + (s.values?.length ?? 0), 0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN, series, points, status };
}

async function queryAll(url: string, tl: Timeline) {
  const start = Math.ceil(tl.start / 1000);
  const end = Math.floor((tl.start + (tl.steps - 1) * tl.intervalMs) / 1000);
  const out = [];
  for (const { panel, expr } of panelQueries()) out.push({ panel, expr, ...(await timeRange(url, expr, start, end)) });
  return out;
}

function cpuNs(before: ThreadCpu[], after: ThreadCpu[]): number {
  const start = new Map(before.map((t) => [t.tid, t.ns]));
  let sum = 0;
  for (const t of after) sum += t.ns - (start.get(t.tid) ?? 0);
  return sum;
}

function duBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** Bytes of the files directly in `dir` whose names match `re`. */
function bytesMatching(dir: string, re: RegExp): number {
  let n = 0;
  for (const f of readdirSync(dir)) if (re.test(f)) n += statSync(join(dir, f)).size;
  return n;
}

/**
 * The ingest child bundled by esbuild and run by plain node, as `up` runs (dist/cli.js): under `--import tsx` the
 * TypeScript loader's own thread and caches added ~35 MB of RSS that `up` does not have.
 */
async function bundleIngestChild(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'history-ingest-redoubt.mjs');
  await build({
    entryPoints: ['bench/history-ingest-redoubt.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

function runChild(
  args: string[],
  loader: string[] = ['--import', 'tsx'],
  env: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}`))));
  });
}

async function startedRedoubt(recordingPath: string, tl: Timeline, samples: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'redoubt-history-up-'));
  const bundleDir = mkdtempSync(join(tmpdir(), 'redoubt-history-child-'));
  try {
    log('redoubt: ingesting');
    const childArgs = [String(tl.start), String(tl.intervalMs), String(tl.steps)];
    const extra = process.env.HISTORY_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    // As up ingests when users run it: the shebang's environment and node flags (bench/shebang.ts).
    const asUsers = shebang(process.cwd());
    const ingest = JSON.parse(
      await runChild(
        [...asUsers.nodeArgs, ...extra, await bundleIngestChild(bundleDir), recordingPath, dataDir, ...childArgs],
        [],
        asUsers.env,
      ),
    ) as { cpuMs: number; wallMs: number; rssMb: number; peakRssMb: number; samples: number; stats: unknown };
    log(`redoubt: ingested in ${(ingest.wallMs / 1000).toFixed(0)} s; starting up on it`);
    const up = await startUp(
      ['--redis', 'redis://127.0.0.1:1', '--data-dir', dataDir],
      asUsers.env,
      120_000,
      '127.0.0.1',
      asUsers.nodeArgs,
    );
    const pid = up.process.pid ?? 0;
    const rssAtStartMb = processMemory(pid).rssMb;
    return {
      name: 'redoubt up',
      url: up.url,
      pid,
      /** Stops up and reports what it kept on disk. */
      async stop() {
        const mem = processMemory(pid);
        await up.stop();
        const hist = join(dataDir, 'history');
        const bytes = duBytes(hist);
        const bytesByKind = {
          raw: bytesMatching(hist, /^raw-/),
          rollups: bytesMatching(hist, /^(5m|1h)-/),
          head: bytesMatching(hist, /^head-/),
        };
        rmSync(dataDir, { recursive: true, force: true });
        return {
          ingestCpuS: ingest.cpuMs / 1000,
          ingestWallS: ingest.wallMs / 1000,
          ingestUsPerSample: (ingest.cpuMs * 1000) / samples,
          rssAfterIngestMb: ingest.rssMb,
          peakRssIngestMb: ingest.peakRssMb,
          rssUpStartMb: rssAtStartMb,
          rssAfterQueriesMb: mem.rssMb,
          peakRssUpMb: mem.peakRssMb,
          bytesOnDisk: bytes,
          bytesPerSample: bytes / samples,
          bytesByKind,
          ingestStats: ingest.stats,
        };
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

function post(url: URL, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          'Content-Length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () =>
          res.statusCode && res.statusCode < 300
            ? resolve()
            : reject(new Error(`remote write: ${res.statusCode} ${text.slice(0, 300)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every sample as remote-write requests: per batch of 30 steps, one request per target, two in flight. */
async function remoteWriteAll(url: string, rec: Recording, tl: Timeline): Promise<void> {
  const series = replaySeries(rec);
  const byTarget = new Map<string, typeof series>();
  for (const s of series) {
    const k = s.labels.instance ?? '';
    byTarget.set(k, [...(byTarget.get(k) ?? []), s]);
  }
  const target = new URL('/api/v1/write', url);
  const inFlight = new Set<Promise<void>>();
  for (let from = 0; from < tl.steps; from += BATCH_STEPS) {
    const to = Math.min(tl.steps, from + BATCH_STEPS);
    const t = Float64Array.from({ length: to - from }, (_, i) => tl.start + (from + i) * tl.intervalMs);
    for (const group of byTarget.values()) {
      const ws: WriteSeries[] = group.map((s) => ({
        labels: s.labels,
        t,
        v: Float64Array.from({ length: to - from }, (_, i) => valueAt(s, from + i)),
      }));
      const p = post(target, snappyLiteral(encodeWriteRequest(ws))).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
    if (from % (BATCH_STEPS * 120) === 0) log(`prometheus: ${((from / tl.steps) * 100).toFixed(0)} %`);
  }
  await Promise.all(inFlight);
}

async function startedPrometheus(rec: Recording, tl: Timeline, samples: number) {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-history-prom-'));
  try {
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 10s\n');
    const dataDir = join(dir, 'data');
    const prom = await startPrometheus([
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      '--web.enable-remote-write-receiver',
    ]);
    const pid = prom.pid ?? 0;
    log('prometheus: ingesting');
    const before = readThreads(pid);
    const w0 = performance.now();
    await remoteWriteAll(prom.url, rec, tl);
    const ingestWallS = (performance.now() - w0) / 1000;
    const ingestCpuS = cpuNs(before, readThreads(pid)) / 1e9;
    const afterIngest = processMemory(pid);
    log(`prometheus: ingested in ${ingestWallS.toFixed(0)} s`);
    return {
      name: 'prometheus',
      url: prom.url,
      pid,
      async stop() {
        const mem = processMemory(pid);
        await prom.stop();
        const bytes = duBytes(dataDir);
        const wal = duBytes(join(dataDir, 'wal'));
        const head = duBytes(join(dataDir, 'chunks_head'));
        rmSync(dir, { recursive: true, force: true });
        return {
          ingestCpuS,
          ingestWallS,
          ingestUsPerSample: (ingestCpuS * 1e6) / samples,
          rssAfterIngestMb: afterIngest.rssMb,
          peakRssIngestMb: afterIngest.peakRssMb,
          rssAfterQueriesMb: mem.rssMb,
          peakRssMb: mem.peakRssMb,
          bytesOnDisk: bytes,
          bytesPerSample: bytes / samples,
          bytesByKind: { blocks: bytes - wal - head, wal, chunksHead: head },
        };
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface Side {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
}

type Queries = Awaited<ReturnType<typeof queryAll>>;

/**
 * The panel queries, in rounds that alternate which side goes first (both processes up throughout), so a busy
 * moment on the shared machine falls on both: per side, its CPU over each round and every query's median wall
 * time over all rounds.
 */
async function queryRounds(sides: readonly Side[], tl: Timeline) {
  const out = new Map(sides.map((s) => [s.name, { cpuS: [] as number[], rounds: [] as Queries[] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      log(`${side.name}: querying (round ${round + 1} of ${ROUNDS})`);
      const before = readThreads(side.pid);
      const queries = await queryAll(side.url, tl);
      out.get(side.name)!.cpuS.push(cpuNs(before, readThreads(side.pid)) / 1e9);
      out.get(side.name)!.rounds.push(queries);
    }
  }
  return new Map(
    [...out].map(([name, r]) => {
      const queries = r.rounds[0]!.map((q, i) => {
        const ms = r.rounds.map((round) => round[i]!.medianMs).sort((a, b) => a - b);
        return { ...q, medianMs: ms[Math.floor(ms.length / 2)]! };
      });
      const cpu = [...r.cpuS].sort((a, b) => a - b);
      return [
        name,
        {
          queryCpuS: cpu[Math.floor(cpu.length / 2)]!,
          queryCpuSByRound: r.cpuS,
          queries,
          queryMsTotal: queries.reduce((a, q) => a + q.medianMs, 0),
        },
      ];
    }),
  );
}

async function main(): Promise<void> {
  const servers: RedisServer[] = [];
  const work = mkdtempSync(join(tmpdir(), 'redoubt-history-bench-'));
  try {
    let rec: Recording;
    if (values.recording) rec = JSON.parse(readFileSync(values.recording, 'utf8')) as Recording;
    else {
      for (let i = 0; i < TARGETS; i++) servers.push(await startRedis());
      log(`${TARGETS} redis-servers up; recording ${values.snapshots} snapshots at 1 s`);
      rec = await recordSnapshots(servers, Number(values.snapshots));
      for (const s of servers.splice(0)) await s.stop();
    }
    const recordingPath = join(work, 'recording.json');
    writeFileSync(recordingPath, JSON.stringify(rec));
    if (values['save-recording']) writeFileSync(values['save-recording'], JSON.stringify(rec));
    const tl = timelineEnding(Date.now(), HOURS, INTERVAL_MS);
    const samples = tl.steps * rec.series.length;
    log(`${rec.series.length} series × ${tl.steps} steps = ${(samples / 1e6).toFixed(1)} M samples`);
    const upSide = values.only === 'prometheus' ? undefined : await startedRedoubt(recordingPath, tl, samples);
    const promSide = values.only === 'redoubt' ? undefined : await startedPrometheus(rec, tl, samples);
    const sides = [upSide, promSide].filter((x) => x !== undefined);
    const rounds = await queryRounds(sides, tl);
    const up = upSide && { name: upSide.name, ...(await upSide.stop()), ...rounds.get(upSide.name)! };
    const prom = promSide && { name: promSide.name, ...(await promSide.stop()), ...rounds.get(promSide.name)! };
    const ratio = (f: (x: NonNullable<typeof up> | NonNullable<typeof prom>) => number) =>
      up && prom ? f(up) / f(prom) : undefined;
    const result = {
      targets: TARGETS,
      hours: HOURS,
      intervalS: INTERVAL_MS / 1000,
      snapshots: rec.snapshots,
      series: rec.series.length,
      samples,
      stepS: STEP_S,
      repeats: REPEATS,
      rounds: ROUNDS,
      at: new Date().toISOString(),
      node: process.version,
      loadavg: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
      up,
      prometheus: prom,
      ratios: {
        ingestCpuPerSample: ratio((x) => x.ingestUsPerSample),
        rssAfterIngest: ratio((x) => x.rssAfterIngestMb),
        rssAfterQueries: ratio((x) => x.rssAfterQueriesMb),
        bytesPerSample: ratio((x) => x.bytesPerSample),
        queryMsTotal: ratio((x) => x.queryMsTotal),
        queryCpu: ratio((x) => x.queryCpuS),
      },
      seriesMismatches:
        up && prom
          ? up.queries
              .map((q, i) => ({ panel: q.panel, up: q.series, prometheus: prom.queries[i]?.series }))
              .filter((m) => m.up !== m.prometheus)
          : [],
    };
    const json = JSON.stringify(result, null, 2);
    if (values.out) writeFileSync(values.out, `${json}\n`);
    process.stdout.write(`${json}\n`);
  } finally {
    for (const s of servers) await s.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
