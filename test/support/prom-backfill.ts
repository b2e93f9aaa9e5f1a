import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { httpGet } from './http.ts';
import { type Daemon, startPrometheus } from './prom-stack.ts';

/**
 * Debian's Prometheus serving backfilled history: OpenMetrics text written to blocks with `promtool tsdb
 * create-blocks-from openmetrics`, then `prometheus` started on that TSDB with no scrape targets, so every query
 * answers from exactly the samples given.
 */

function run(bin: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(requireBinary(bin), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${bin} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** Backfills `openMetrics` into dir/data and starts Prometheus on it. */
export async function startBackfilledPrometheus(dir: string, openMetrics: string): Promise<Daemon> {
  const input = join(dir, 'series.om');
  const data = join(dir, 'data');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(input, openMetrics);
  writeFileSync(config, 'global:\n  scrape_interval: 15s\n  evaluation_interval: 1m\nscrape_configs: []\n');
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], 300_000);
  return startPrometheus([
    `--config.file=${config}`,
    `--storage.tsdb.path=${data}`,
    '--storage.tsdb.retention.time=100y',
    '--log.level=warn',
  ]);
}

export type PromApiResult =
  | { status: 'success'; data: { resultType: string; result: unknown } }
  | { status: 'error'; errorType: string; error: string };

/** GET /api/v1/<path> with the given parameters; Prometheus's JSON envelope, errors included. */
export async function promApi(prom: Daemon, path: string, params: Record<string, string>): Promise<PromApiResult> {
  const url = `${prom.url}/api/v1/${path}?${new URLSearchParams(params)}`;
  const r = await httpGet(url, { timeoutMs: 60_000 });
  return JSON.parse(r.body) as PromApiResult;
}
