/**
 * The paced bench (`npm run bench:paced`): Debian's Prometheus scrapes one subject at a time (redoubt,
 * redis_exporter, a static Node server as the runtime's floor), alternating, at Prometheus-like paces, against one
 * populated redis-server. Not a test: nothing asserts on time. See bench/README.md ("Paced").
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type RedisServer, startRedis } from '../test/support/redis-server.ts';
import { buildRedoubt, killAllExporters, REPO_ROOT } from './exporters.ts';
import { populate } from './load.ts';
import { auditTable, commandTable, paceTable, summarizeAll, threadTable, variantTable } from './paced-report.ts';
import { measureSegment, redisIdleRate, type Segment } from './paced-segment.ts';
import { isSubjectName, type SubjectName } from './paced-subjects.ts';
import { RedisProbe } from './redis-probe.ts';
import { toJson } from './report.ts';

const USAGE = `npm run bench:paced -- [--paces=1,15] [--seconds=45,180] [--rounds=2] [--warmup-scrapes=3,2]
  [--subjects=...] [--subjects-15=...] [--idle-seconds=20] [--keys=50000] [--idle-clients=50] [--skip-build]
  [--results=bench/paced-results.json]
--seconds and --warmup-scrapes give one value per pace (or one for all). --subjects sets the subjects of every
pace; --subjects-<pace> those of one pace. Default subjects: redoubt,redis_exporter,node_static, plus
redoubt_no_audit (--security-interval=0) at paces of 15 s and more.`;

function numbers(v: string, name: string): number[] {
  const out = v.split(',').map(Number);
  if (out.some((n) => !Number.isFinite(n) || n <= 0))
    throw new Error(`--${name}: positive numbers, got ${v}\n${USAGE}`);
  return out;
}

function parseSettings() {
  const { values } = parseArgs({
    options: {
      paces: { type: 'string', default: '1,15' },
      seconds: { type: 'string', default: '45,180' },
      rounds: { type: 'string', default: '2' },
      'warmup-scrapes': { type: 'string', default: '3,2' },
      subjects: { type: 'string' },
      'subjects-1': { type: 'string' },
      'subjects-15': { type: 'string' },
      'idle-seconds': { type: 'string', default: '20' },
      keys: { type: 'string', default: '50000' },
      'idle-clients': { type: 'string', default: '50' },
      'skip-build': { type: 'boolean', default: false },
      results: { type: 'string', default: join(REPO_ROOT, 'bench/paced-results.json') },
    },
    strict: true,
  });
  const paces = numbers(values.paces, 'paces');
  const perPace = (v: string, name: string) => {
    const n = numbers(v, name);
    return paces.map((_, i) => n[Math.min(i, n.length - 1)]);
  };
  const subjectsFor = (pace: number): SubjectName[] => {
    const own = (values as unknown as Record<string, unknown>)[`subjects-${pace}`];
    const raw =
      (typeof own === 'string' ? own : undefined) ??
      values.subjects ??
      `redoubt,redis_exporter,node_static${pace >= 15 ? ',redoubt_no_audit' : ''}`;
    const list = raw.split(',').filter(Boolean);
    const bad = list.filter((s) => !isSubjectName(s));
    if (bad.length) throw new Error(`unknown subject(s) ${bad.join(', ')}\n${USAGE}`);
    return list as SubjectName[];
  };
  return {
    paces,
    seconds: perPace(values.seconds, 'seconds'),
    warmupScrapes: perPace(values['warmup-scrapes'], 'warmup-scrapes'),
    rounds: numbers(values.rounds, 'rounds')[0],
    subjects: paces.map(subjectsFor),
    idleSeconds: numbers(values['idle-seconds'], 'idle-seconds')[0],
    keys: numbers(values.keys, 'keys')[0],
    idleClients: Number(values['idle-clients']),
    skipBuild: values['skip-build'],
    results: values.results,
  };
}

function log(msg: string): void {
  process.stderr.write(`[paced ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const rotate = <T>(xs: T[], by: number): T[] => [...xs.slice(by % xs.length), ...xs.slice(0, by % xs.length)];

async function main(): Promise<void> {
  const settings = parseSettings();
  const started = new Date().toISOString();
  if (!settings.skipBuild) {
    log('building dist/');
    buildRedoubt();
  }
  const redis: RedisServer = await startRedis({
    config: ['enable-debug-command local', 'slowlog-max-len 128', 'maxclients 10000'],
  });
  let probe: RedisProbe | undefined;
  let idle: { destroy(): void }[] = [];
  try {
    log(`redis-server on ${redis.port}; loading ${settings.keys} keys`);
    const loaded = await populate(redis.port, { keys: settings.keys, idleClients: settings.idleClients });
    idle = loaded.idle;
    probe = await RedisProbe.open(redis.port);
    const redisVersion = (await probe.info('server')).get('redis_version');
    log(`Redis idle CPU over ${settings.idleSeconds} s`);
    const idleBefore = await redisIdleRate(probe, settings.idleSeconds);
    const segments: Segment[] = [];
    for (const [i, pace] of settings.paces.entries()) {
      const seconds = settings.seconds[i];
      for (let round = 0; round < settings.rounds; round++)
        for (const subject of rotate(settings.subjects[i], round)) {
          log(`pace ${pace} s, round ${round + 1}/${settings.rounds}: ${subject} for ${seconds} s`);
          const seg = await measureSegment(subject, probe, {
            pace,
            round,
            seconds,
            warmupScrapes: settings.warmupScrapes[i],
            redisAddr: redis.url,
            redisIdleCpuMsPerSec: idleBefore,
          });
          log(
            `  ${seg.scrapes} scrapes, p50 ${seg.p50Ms.toFixed(2)} ms, CPU ${seg.cpuMsPerScrape.toFixed(2)} ms/scrape`,
          );
          segments.push(seg);
        }
    }
    const idleAfter = await redisIdleRate(probe, settings.idleSeconds);
    // Subtract the mean of the two idle readings (the segments used the first one while running).
    const idleRate = (idleBefore + idleAfter) / 2;
    for (const s of segments) {
      const idleMs = idleRate * s.windowSeconds;
      s.redisCpuMsPerScrape = (s.redisCpuMs - idleMs) / s.scrapes;
      s.redisIdleMs = idleMs;
    }
    const summaries = summarizeAll(segments);
    const out: string[] = [];
    for (const pace of settings.paces) {
      const s = summaries[pace] ?? {};
      out.push(paceTable(pace, s), '', threadTable(pace, s), '');
      const commands = commandTable(pace, s);
      if (commands) out.push(commands, '');
      const v = variantTable(pace, s);
      if (v) out.push(v, '');
      const audit = auditTable(pace, s);
      if (audit) out.push(audit, '');
    }
    out.push(`Redis idle CPU: ${idleBefore.toFixed(3)} ms/s before, ${idleAfter.toFixed(3)} ms/s after`);
    process.stdout.write(`${out.join('\n')}\n`);
    const results = {
      started,
      finished: new Date().toISOString(),
      redisVersion,
      node: process.version,
      settings,
      redisIdleCpuMsPerSec: { before: idleBefore, after: idleAfter },
      dataset: loaded.summary,
      summaries,
      segments,
    };
    const tmp = `${settings.results}.tmp-${process.pid}`;
    writeFileSync(tmp, `${toJson(results, 2)}\n`);
    renameSync(tmp, settings.results);
    log(`wrote ${settings.results}`);
  } finally {
    probe?.close();
    for (const s of idle) s.destroy();
    killAllExporters();
    await redis.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`paced bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
