/**
 * The layers of src/, top to bottom, as data: a module (a directory of src/, or a file directly in it) imports only
 * from modules in layers below its own — never from a module beside it in the same layer, never from above. Inside
 * one module, files import each other freely. test/architecture/imports.test.ts enforces this on every import of
 * every .ts file under src/, type-only imports included.
 */
export interface Layer {
  /** What the layer is, in a few words. */
  readonly name: string;
  /** Its modules: a directory of src/ (or a file directly in src/) → what it is. */
  readonly modules: Readonly<Record<string, string>>;
}

export const LAYERS: readonly Layer[] = [
  { name: 'entry', modules: { cli: 'one file per command: parses flags, calls the library below, prints' } },
  {
    name: 'web console',
    modules: { console: "`redoubt up`'s web console: login, sessions, and pages over the monitor's state" },
  },
  {
    name: 'commands',
    modules: {
      exporter: '`redoubt exporter`: its HTTP surface, flags and scrape targets',
      monitor: '`redoubt up` and `redoubt rules test`: scheduler, history, alerting, Prometheus API',
      stack: '`redoubt stack`: the monitoring stack files',
      harden: '`redoubt harden`: the hardened configuration, written or applied live',
      backup: '`redoubt backup` / `restore`, and the backups `up` runs on a schedule',
      doctor: '`redoubt doctor`: diagnosis steps',
      rotate: '`redoubt rotate`: password rotation',
    },
  },
  {
    name: 'shared by commands',
    modules: {
      scrape:
        'the snapshot path `redoubt exporter` and `redoubt up` share: scraper, security posture, scrape self-metrics',
      config: "the files a user keeps: redoubt.yml (stack, up, doctor) and the stack's .env",
    },
  },
  {
    name: 'domain',
    modules: {
      security: 'the audit: facts, checks, scoring, reports',
      metrics: "snapshot → metric families, redis_exporter's names, exposition",
      catalog: 'the single sources as data: alerts, panels, ACL users, the hardened redis.conf',
      promql: 'the PromQL engine `up` evaluates rules and queries with',
    },
  },
  {
    name: 'redis',
    modules: { redis: 'talking to Redis: targets, connections, the snapshot, parsers of its replies and files' },
  },
  {
    name: 'foundations',
    modules: {
      net: 'IPv4 blocks, host names',
      text: 'neutralising server strings, wrapping, Go number formats',
      fs: 'the atomic writer, bounded reads, the directory lock',
      flags: 'declaring and parsing flags',
      certificates: 'a private CA and the certificates it signs',
      'version.ts': "redoubt's version",
    },
  },
];

/** Imports allowed against the layers, each with the reason; `from` and `to` are paths under src/. */
export interface LayerException {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export const EXCEPTIONS: readonly LayerException[] = [];
