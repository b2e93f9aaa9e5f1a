/**
 * "No dead rules / panels": the metric names and label matchers PromQL expressions use, checked against what
 * `redoubt exporter` really emits. collectLiveSamples() starts a master, a replica of it and a cluster-enabled
 * node (real redis-server), provokes the series that only appear after an event (errorstat OOM, slowlog
 * entries), and scrapes them through one exporter: /metrics for the master with a short --security-interval
 * (so redis_security_* appear) and /scrape?target= for the replica and the cluster node.
 */
import { BACKUP_METRICS, PROMETHEUS_GENERATED_METRICS, promqlSelectors } from '../../src/catalog/promql-names.ts';
import { type ParsedSample, parseExposition } from '../support/exposition-parse.ts';
import { httpGet } from '../support/http.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { type RunningExporter, startExporter } from '../support/redoubt.ts';

export interface LiveSamples {
  /** Every sample of every scrape, by sample name (summary/histogram suffixes included). */
  samples: Map<string, ParsedSample[]>;
  /** Raw bodies by what was scraped, for failure messages. */
  bodies: Record<string, string>;
  stop(): Promise<void>;
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function collectLiveSamples(): Promise<LiveSamples> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    // Every command goes to the slowlog, so slowlog ids move.
    const master: RedisServer = await startRedis({
      config: ['slowlog-log-slower-than 0', 'maxmemory-policy noeviction'],
    });
    stops.push(() => master.stop());
    const replica = await startRedis({ replicaOf: master });
    stops.push(() => replica.stop());
    const cluster = await startRedis({ config: ['cluster-enabled yes', 'cluster-config-file nodes.conf'] });
    stops.push(() => cluster.stop());

    // errorstat_OOM appears only with the first OOM error: fill a tiny maxmemory under noeviction.
    await master.command('SET', 'seed', 'x'.repeat(1000));
    await master.command('CONFIG', 'SET', 'maxmemory', '1');
    await master.command('SET', 'k', 'v').catch(() => undefined);
    await master.command('CONFIG', 'SET', 'maxmemory', '0');
    await master.command('GET', 'seed');
    await master.command('GET', 'absent-key');
    // A failed AUTH, so redis_security_auth_failures_total is not just the zero default.
    await master.command('AUTH', 'nosuchuser', 'wrong').catch(() => undefined);

    const exporter: RunningExporter = await startExporter([
      '--redis.addr',
      master.url,
      '--scrape.allowed-targets',
      `${master.url},${replica.url},${cluster.url}`,
      '--security-interval',
      '200ms',
    ]);
    stops.push(() => exporter.stop());

    const bodies: Record<string, string> = {};
    bodies.master = await until(async () => {
      const body = (await httpGet(`${exporter.url}/metrics`)).body;
      return body.includes('redis_security_check_status{') ? body : undefined;
    }, 'redis_security_* on /metrics');
    bodies.replica = (await httpGet(`${exporter.url}/scrape?target=${encodeURIComponent(replica.url)}`)).body;
    // The exporter learns cluster_enabled from INFO and sends CLUSTER INFO from the next scrape of the target on.
    const clusterUrl = `${exporter.url}/scrape?target=${encodeURIComponent(cluster.url)}`;
    bodies.cluster = await until(
      async () => {
        const body = (await httpGet(clusterUrl)).body;
        return body.includes('redis_cluster_state ') ? body : undefined;
      },
      'redis_cluster_state on /scrape of a cluster node',
      20,
    );

    const samples = new Map<string, ParsedSample[]>();
    for (const body of Object.values(bodies))
      for (const fam of parseExposition(body).values())
        for (const s of fam.samples) {
          const list = samples.get(s.name) ?? [];
          list.push(s);
          samples.set(s.name, list);
        }
    return { samples, bodies, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Labels Prometheus adds to every scraped series (target labels), never emitted by the exporter. */
const TARGET_LABELS = new Set(['job', 'instance']);

/**
 * Problems with `exprs` against live samples: a metric name nothing emits (and Prometheus does not produce),
 * a label the metric never carries, or an equality matcher whose value never occurs. [] = no dead names.
 */
export function deadReferences(
  exprs: ReadonlyArray<{ where: string; expr: string }>,
  samples: ReadonlyMap<string, readonly ParsedSample[]>,
): string[] {
  const problems: string[] = [];
  for (const { where, expr } of exprs)
    for (const sel of promqlSelectors(expr)) {
      if (!sel.metric) {
        problems.push(`${where}: a selector without a metric name`);
        continue;
      }
      if (PROMETHEUS_GENERATED_METRICS.includes(sel.metric) || BACKUP_METRICS.includes(sel.metric)) continue;
      const live = samples.get(sel.metric);
      if (!live) {
        problems.push(`${where}: ${sel.metric} is not emitted by redoubt exporter`);
        continue;
      }
      for (const m of sel.matchers) {
        if (TARGET_LABELS.has(m.label)) continue;
        if (!live.some((s) => m.label in s.labels)) {
          problems.push(`${where}: ${sel.metric} has no label ${m.label}`);
          continue;
        }
        if (m.op === '=' && !live.some((s) => s.labels[m.label] === m.value))
          problems.push(`${where}: ${sel.metric}{${m.label}="${m.value}"} never occurs`);
      }
    }
  return problems;
}
