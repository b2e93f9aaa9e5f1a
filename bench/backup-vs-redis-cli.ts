/**
 * `redoubt backup` against `redis-cli --rdb` on the same redis-server (Debian's 7.0), one after the other, in one
 * run. Not a test (nothing asserts on time).
 *
 *   node --import tsx bench/backup-vs-redis-cli.ts [--mb 300] [--rounds 3] [--out FILE]
 *
 * Both read the RDB over the replication protocol from the same server configuration (diskless sync, as Redis 7
 * ships). redis-cli writes it as it is; redoubt verifies it (structure + CRC-64), hashes it (SHA-256) and
 * encrypts it (age, X25519) while it streams. Per run: wall time and throughput (RDB bytes / wall time), the
 * client's CPU (user + sys) and peak RSS (/usr/bin/time), the server's CPU including the fork that writes the RDB
 * (utime + stime + cutime + cstime of redis-server, after the fork is reaped) and the server's peak RSS summed
 * over the server and its fork, sampled every 20 ms.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ageKeyPair } from '../test/support/backup-data.ts';
import { startRedis } from '../test/support/redis-server.ts';
import { respCommands } from '../test/support/resp.ts';
import { CLOCK_TICKS_PER_SECOND } from './proc-stats.ts';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const TARGET_MB = Number(values.mb);
const ROUNDS = Number(values.rounds);
const BIN = new URL('../bin/redoubt.js', import.meta.url).pathname;

function serverCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Run {
  subject: string;
  wallS: number;
  rdbMb: number;
  mbPerS: number;
  clientCpuS: number;
  clientPeakRssMb: number;
  serverCpuS: number;
  serverPeakRssMb: number;
}

async function measure(subject: string, serverPid: number, cmd: string[], rdbBytes: () => number): Promise<Run> {
  const cpu0 = serverCpuMs(serverPid);
  let peak = 0;
  const sampler = setInterval(() => {
    const total = rssMb(serverPid) + childrenOf(serverPid).reduce((n, c) => n + rssMb(c), 0);
    peak = Math.max(peak, total);
  }, 20);
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const wallS = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${subject} failed: ${stderr}`);
  // The fork's CPU reaches cutime once redis-server has reaped it.
  while (childrenOf(serverPid).length > 0) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const [u, s, maxKb] = stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  const rdbMb = rdbBytes() / 1e6;
  return {
    subject,
    wallS,
    rdbMb,
    mbPerS: rdbMb / wallS,
    clientCpuS: u + s,
    clientPeakRssMb: maxKb / 1024,
    serverCpuS: (serverCpuMs(serverPid) - cpu0) / 1000,
    serverPeakRssMb: peak,
  };
}

async function fill(endpoint: Parameters<typeof respCommands>[0], mb: number): Promise<void> {
  const valueBytes = 1000;
  const keys = Math.ceil((mb * 1e6) / valueBytes);
  for (let i = 0; i < keys; i += 2000) {
    const batch: string[][] = [];
    for (let k = i; k < Math.min(keys, i + 2000); k++)
      batch.push(['SET', `key:${k}`, randomBytes(750).toString('base64')]);
    await respCommands(endpoint, batch, 60000);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-bench-backup-'));
  const server = await startRedis({ config: ['repl-diskless-sync yes', 'repl-diskless-sync-delay 0'] });
  try {
    process.stderr.write(`filling ${TARGET_MB} MB of random 1 kB values…\n`);
    await fill(server.endpoint, TARGET_MB);
    const info = String((await respCommands(server.endpoint, [['INFO', 'memory']]))[0]);
    const usedMb = Number(/used_memory:(\d+)/.exec(info)?.[1]) / 1e6;
    const { recipient } = ageKeyPair(dir);
    const pid = server.process.pid as number;
    const runs: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['redis-cli', 'redoubt'] : ['redoubt', 'redis-cli'];
      for (const subject of order) {
        const out = join(dir, `${subject}-${round}`);
        const cmd =
          subject === 'redis-cli'
            ? ['redis-cli', '-p', String(server.port), '--rdb', `${out}.rdb`]
            : [process.execPath, BIN, 'backup', '--redis', server.url, '--out', out, '--recipient', recipient];
        const rdbBytes = () => {
          if (subject === 'redis-cli') return statSync(`${out}.rdb`).size;
          const manifest = readdirSync(out).find((f) => f.endsWith('.manifest.json')) as string;
          return JSON.parse(readFileSync(join(out, manifest), 'utf8')).size_bytes as number;
        };
        const run = await measure(subject, pid, cmd, rdbBytes);
        process.stderr.write(`${JSON.stringify(run)}\n`);
        runs.push(run);
        rmSync(`${out}.rdb`, { force: true });
        rmSync(out, { recursive: true, force: true });
      }
    }
    const summary = (subject: string) => {
      const rs = runs.filter((r) => r.subject === subject);
      return {
        subject,
        wallS: median(rs.map((r) => r.wallS)),
        mbPerS: median(rs.map((r) => r.mbPerS)),
        clientCpuS: median(rs.map((r) => r.clientCpuS)),
        clientPeakRssMb: median(rs.map((r) => r.clientPeakRssMb)),
        serverCpuS: median(rs.map((r) => r.serverCpuS)),
        serverPeakRssMb: median(rs.map((r) => r.serverPeakRssMb)),
      };
    };
    const a = summary('redis-cli');
    const b = summary('redoubt');
    const conditions = {
      cpus: cpus().length,
      loadavg: loadavg(),
      usedMemoryMb: usedMb,
      rdbMb: runs[0].rdbMb,
      rounds: ROUNDS,
    };
    const f = (n: number) => n.toFixed(2);
    const lines = [
      `| | redis-cli --rdb | redoubt backup | ratio |`,
      `|---|---:|---:|---:|`,
      `| wall time, s | ${f(a.wallS)} | ${f(b.wallS)} | ${f(b.wallS / a.wallS)} |`,
      `| throughput, MB/s | ${f(a.mbPerS)} | ${f(b.mbPerS)} | ${f(b.mbPerS / a.mbPerS)} |`,
      `| client CPU, s | ${f(a.clientCpuS)} | ${f(b.clientCpuS)} | ${f(b.clientCpuS / a.clientCpuS)} |`,
      `| client peak RSS, MB | ${f(a.clientPeakRssMb)} | ${f(b.clientPeakRssMb)} | ${f(b.clientPeakRssMb / a.clientPeakRssMb)} |`,
      `| server CPU (incl. fork), s | ${f(a.serverCpuS)} | ${f(b.serverCpuS)} | ${f(b.serverCpuS / a.serverCpuS)} |`,
      `| server peak RSS (+ fork), MB | ${f(a.serverPeakRssMb)} | ${f(b.serverPeakRssMb)} | ${f(b.serverPeakRssMb / a.serverPeakRssMb)} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n\nconditions: ${JSON.stringify(conditions)}\n`);
    const result = { conditions, medians: [a, b], runs };
    const target = values.out ?? new URL('./backup-results.json', import.meta.url).pathname;
    writeFileSync(`${target}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    const { renameSync } = await import('node:fs');
    renameSync(`${target}.tmp`, target);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
