import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from '../test/support/children.ts';
import { startPrometheus } from '../test/support/prom-stack.ts';
import { BIN } from '../test/support/redoubt.ts';
import { startUp } from '../test/support/redoubt-up.ts';
import { shebang } from './shebang.ts';

/** One monitoring system under measurement: the processes whose CPU and RSS count, its API and its data. */
export interface Subject {
  name: string;
  /** Process ids by role, e.g. { up } or { prometheus, exporter }. */
  pids: Record<string, number>;
  /** Base URL of its Prometheus HTTP API. */
  url: string;
  /** Directory whose size is its history on disk. */
  dataDir: string;
  stop(): Promise<void>;
  /** Deletes its data (after stop and du). */
  remove(): void;
}

/** `du -sb`: bytes of a directory tree. */
export function duBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** `redoubt up` watching every target, its history in a fresh directory. */
export async function startRedoubtUp(targets: string[], intervalS: number): Promise<Subject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'redoubt-up-bench-'));
  const args = targets.flatMap((t) => ['--redis', t]);
  const asUsers = shebang(process.cwd());
  const up = await startUp(
    [...args, '--data-dir', dataDir, '--scrape-interval', `${intervalS}s`],
    asUsers.env,
    30_000,
    '127.0.0.1',
    asUsers.nodeArgs,
  );
  return {
    name: 'redoubt up',
    pids: { up: up.process.pid ?? 0 },
    url: up.url,
    dataDir,
    stop: async () => {
      await up.stop();
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/**
 * `redoubt exporter` as its own process (multi-target `/scrape?target=`, the targets allowed as `redoubt stack`
 * allows them), on a port the kernel picks.
 */
async function startExporterProcess(targets: string[]): Promise<{ child: ChildProcess; hostPort: string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'exporter', '--web.listen-address', '127.0.0.1:0', '--scrape.allowed-targets', targets.join(',')],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  trackChild(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = /listening.*address="[^"]*:(\d+)"/.exec(out);
    if (m) return { child, hostPort: `127.0.0.1:${m[1]}` };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`redoubt exporter did not start: ${out}`);
}

/** Prometheus's config: one job scraping every target through the exporter, as the compose stack does. */
export function multiTargetConfig(targets: string[], exporter: string, intervalS: number): string {
  return [
    'global:',
    `  scrape_interval: ${intervalS}s`,
    `  scrape_timeout: ${Math.min(intervalS, 10)}s`,
    'scrape_configs:',
    '  - job_name: redis',
    '    metrics_path: /scrape',
    '    static_configs:',
    `      - targets: ${JSON.stringify(targets)}`,
    '    relabel_configs:',
    '      - source_labels: [__address__]',
    '        target_label: __param_target',
    '      - source_labels: [__param_target]',
    '        target_label: instance',
    '      - target_label: __address__',
    `        replacement: ${JSON.stringify(exporter)}`,
    '',
  ].join('\n');
}

/** Debian's Prometheus scraping every target through one `redoubt exporter`. */
export async function startPrometheusStack(targets: string[], intervalS: number): Promise<Subject> {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-prom-bench-'));
  const exporter = await startExporterProcess(targets);
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, multiTargetConfig(targets, exporter.hostPort, intervalS));
  const dataDir = join(dir, 'data');
  const prom = await startPrometheus([`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`]);
  return {
    name: 'prometheus + exporter',
    pids: { prometheus: prom.pid ?? 0, exporter: exporter.child.pid ?? 0 },
    url: prom.url,
    dataDir,
    stop: async () => {
      await prom.stop();
      const exited = new Promise((r) => exporter.child.once('exit', r));
      exporter.child.kill('SIGTERM');
      await exited;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
