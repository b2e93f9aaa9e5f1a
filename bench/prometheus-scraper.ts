import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet } from '../test/support/http.ts';
import { type Daemon, startPrometheus } from '../test/support/prom-stack.ts';

/** Debian's Prometheus scraping one target every `paceSeconds`, with its own throw-away TSDB. */
export interface Scraper {
  daemon: Daemon;
  /** Stops Prometheus and deletes its data directory. */
  stop(): Promise<void>;
}

/** Prometheus's config for one target: scrape_timeout is the pace, at most 10 s (Prometheus's default). */
export function scrapeConfig(job: string, hostPort: string, paceSeconds: number): string {
  const timeout = Math.min(paceSeconds, 10);
  return [
    'global:',
    `  scrape_interval: ${paceSeconds}s`,
    `  scrape_timeout: ${timeout}s`,
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(hostPort)}]`,
    '',
  ].join('\n');
}

export async function startScraper(job: string, hostPort: string, paceSeconds: number): Promise<Scraper> {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-paced-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, scrapeConfig(job, hostPort, paceSeconds));
  const daemon = await startPrometheus([`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`]);
  return {
    daemon,
    stop: async () => {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One stored sample: Prometheus's timestamp (s) and value. */
export type Sample = [seconds: number, value: number];

/** The raw samples of `metric` (one series) over the `rangeSeconds` before `atSeconds`, from Prometheus's API. */
export async function rawSamples(
  daemon: Daemon,
  metric: string,
  atSeconds: number,
  rangeSeconds: number,
): Promise<Sample[]> {
  const q = encodeURIComponent(`${metric}[${Math.ceil(rangeSeconds)}s]`);
  const r = await httpGet(`${daemon.url}/api/v1/query?query=${q}&time=${atSeconds}`, { timeoutMs: 10000 });
  if (r.status !== 200) throw new Error(`Prometheus query ${metric}: ${r.status} ${r.body}`);
  return parseMatrix(r.body);
}

/** The first series of a Prometheus `matrix` query answer as numbers. */
export function parseMatrix(body: string): Sample[] {
  const parsed = JSON.parse(body) as {
    data?: { resultType?: string; result?: Array<{ values?: [number, string][] }> };
  };
  if (parsed.data?.resultType !== 'matrix') throw new Error(`not a matrix answer: ${body.slice(0, 200)}`);
  return (parsed.data.result?.[0]?.values ?? []).map(([t, v]) => [t, Number(v)]);
}

/** Samples whose timestamp is in [fromSeconds, toSeconds). */
export function within(samples: Sample[], fromSeconds: number, toSeconds: number): Sample[] {
  return samples.filter(([t]) => t >= fromSeconds && t < toSeconds);
}
