import { createHash } from 'node:crypto';
import type { MetricFamily } from '../metrics/family.ts';
import { processFamilies } from '../metrics/process.ts';
import type { SnapshotOptions } from '../redis/collect-snapshot.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { collectKeyChecks } from '../redis/key-checks.ts';
import { loadPasswordFile, type PasswordMap, resolveCredentials } from '../redis/password-file.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';
import { type ExporterConfig, validateKeyFlag } from './config.ts';
import type { Logger } from './logger.ts';
import { resolveScrapeTarget, ScrapeTargetError } from './scrape-targets.ts';
import { type ScrapeOutcome, TargetScraper } from './scraper.ts';
import { type SelfCounters, scrapeSelfFamilies } from './self-metrics.ts';

export interface KeyCheckFlags {
  checkKeys: string;
  checkSingleKeys: string;
  checkStreams: string;
  checkSingleStreams: string;
  countKeys: string;
}

const IDLE_MS = 10 * 60 * 1000;
const MAX_TARGETS = 500;

/** a, b, c and d in one array allocated at its final size (spreading grows it as it goes: ~200 families a scrape). */
function joinFamilies(
  a: readonly MetricFamily[],
  b: readonly MetricFamily[],
  c: readonly MetricFamily[],
  d: readonly MetricFamily[],
): MetricFamily[] {
  const out = new Array<MetricFamily>(a.length + b.length + c.length + d.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) out[n++] = a[i];
  for (let i = 0; i < b.length; i++) out[n++] = b[i];
  for (let i = 0; i < c.length; i++) out[n++] = c[i];
  for (let i = 0; i < d.length; i++) out[n++] = d[i];
  return out;
}

/** The exporter without its HTTP surface: turns a request for a target into metric families. */
export class Exporter {
  readonly passwords: PasswordMap;
  readonly home?: RedisTarget;
  private homeScraper?: TargetScraper;
  private readonly scrapers = new Map<string, TargetScraper>();
  private readonly counters: SelfCounters = {
    scrapesTotal: 0,
    durationSum: 0,
    durationCount: 0,
    targetRequestErrors: 0,
  };
  private sweeper: NodeJS.Timeout;

  constructor(
    readonly config: ExporterConfig,
    readonly log: Logger,
  ) {
    this.passwords = config.passwordFile ? loadPasswordFile(config.passwordFile) : new Map();
    if (config.redisAddr) {
      const bare = parseTarget(config.redisAddr);
      this.home = bare;
      const { user, password } = resolveCredentials(bare, {
        user: config.redisUser,
        password: config.redisPassword,
        passwords: this.passwords,
      });
      this.homeScraper = this.makeScraper(withCredentials(bare, user, password), config);
    }
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Every secret the exporter knows, for scrubbing logs. */
  secrets(): string[] {
    const s = [this.config.redisPassword, this.config.basicAuth?.password ?? ''];
    for (const v of this.passwords.values()) s.push(v);
    return s.filter(Boolean);
  }

  private makeScraper(target: RedisTarget, keys: KeyCheckFlags, tls: TlsOptions = this.config.tls): TargetScraper {
    const c = this.config;
    const wantsKeys =
      keys.checkKeys || keys.checkSingleKeys || keys.checkStreams || keys.checkSingleStreams || keys.countKeys;
    const snapshotOptions: SnapshotOptions = {
      configCommand: c.configCommand,
      pingOnConnect: c.pingOnConnect,
      latencyHistogram: c.latencyHistogram,
      extra: wantsKeys
        ? async (conn, snapshot, deadlineMs) => {
            const r = await collectKeyChecks(conn, {
              checkKeys: keys.checkKeys,
              checkSingleKeys: keys.checkSingleKeys,
              checkStreams: keys.checkStreams,
              checkSingleStreams: keys.checkSingleStreams,
              countKeys: keys.countKeys,
              batchSize: c.checkKeysBatchSize,
              maxKeys: c.maxCheckedKeys,
              deadlineMs,
            });
            snapshot.keys = r.keys;
            snapshot.keyCounts = r.keyCounts;
            snapshot.streams = r.streams;
          }
        : undefined,
    };
    return new TargetScraper(
      target,
      {
        connectTimeoutMs: c.connectionTimeoutMs,
        commandTimeoutMs: c.connectionTimeoutMs,
        tls,
        clientName: c.setClientName ? 'redis_exporter' : undefined,
      },
      snapshotOptions,
      { namespace: c.namespace, includeSystemMetrics: c.includeSystemMetrics },
      {
        intervalMs: c.securityIntervalMs,
        timeoutMs: Math.min(c.connectionTimeoutMs, 10_000),
        configCommand: c.configCommand,
        onError: (message) => this.log.warn('security audit failed', { target: target.display, err: message }),
      },
    );
  }

  deadline(headerSeconds: string | undefined): number {
    let ms = this.config.scrapeTimeoutMs;
    const h = Number(headerSeconds);
    // Answer a little before Prometheus gives up, so it gets redis_up 0 instead of a failed scrape.
    if (headerSeconds && h > 0) ms = Math.min(ms, Math.max(100, h * 1000 - Math.min(500, h * 100)));
    return Date.now() + ms;
  }

  private logOutcome(target: RedisTarget, o: ScrapeOutcome): void {
    if (!o.up) this.log.error('scrape failed', { target: target.display, err: o.error });
    else this.log.debug('scraped', { target: target.display, seconds: o.durationSeconds });
  }

  /** /metrics: the configured target plus process and build metrics. */
  async metrics(headerTimeout: string | undefined): Promise<MetricFamily[]> {
    const c = this.config;
    this.counters.scrapesTotal++;
    let outcome: ScrapeOutcome;
    let proc: MetricFamily[] = [];
    if (this.homeScraper) {
      const scraped = this.homeScraper.scrape(this.deadline(headerTimeout));
      // Read /proc while Redis answers (the commands are on their way by now), not after.
      if (!c.redisOnlyMetrics) proc = processFamilies();
      outcome = await scraped;
      this.logOutcome(this.homeScraper.target, outcome);
      this.counters.durationSum += outcome.durationSeconds;
      this.counters.durationCount++;
    } else {
      outcome = { families: [], postureFamilies: [], up: false, error: '', durationSeconds: 0, connectSeconds: 0 };
      if (!c.redisOnlyMetrics) proc = processFamilies();
    }
    return joinFamilies(
      outcome.families,
      outcome.postureFamilies,
      scrapeSelfFamilies(c.namespace, outcome, this.counters, {
        buildInfo: !c.redisOnlyMetrics,
        scrapeEndpoint: !c.disableScrapeEndpoint,
        target: this.homeScraper !== undefined,
      }),
      proc,
    );
  }

  /** /scrape?target=: one target, redis_* only (plus build info), like redis_exporter. Throws ScrapeTargetError. */
  async scrape(params: URLSearchParams, headerTimeout: string | undefined): Promise<MetricFamily[]> {
    const c = this.config;
    let target: RedisTarget;
    try {
      target = resolveScrapeTarget(params.get('target'), {
        allowed: c.allowedTargets,
        home: this.home,
        globalUser: c.redisUser,
        globalPassword: c.redisPassword,
        passwords: this.passwords,
      });
    } catch (err) {
      this.counters.targetRequestErrors++;
      throw err;
    }
    const keys: KeyCheckFlags = {
      checkKeys: params.get('check-keys') ?? c.checkKeys,
      checkSingleKeys: params.get('check-single-keys') ?? c.checkSingleKeys,
      checkStreams: params.get('check-streams') ?? c.checkStreams,
      checkSingleStreams: params.get('check-single-streams') ?? c.checkSingleStreams,
      countKeys: params.get('count-keys') ?? c.countKeys,
    };
    try {
      validateKeyFlag('check-keys', keys.checkKeys);
      validateKeyFlag('check-single-keys', keys.checkSingleKeys);
      validateKeyFlag('check-streams', keys.checkStreams);
      validateKeyFlag('check-single-streams', keys.checkSingleStreams);
      validateKeyFlag('count-keys', keys.countKeys);
    } catch (err) {
      this.counters.targetRequestErrors++;
      throw new ScrapeTargetError(400, (err as Error).message);
    }
    const tlsName = params.get('tls_server_name') ?? params.get('tls-server-name');
    const id = createHash('sha256')
      .update(JSON.stringify([target.display, target.password ?? '', keys, tlsName]))
      .digest('hex');
    let scraper = this.scrapers.get(id);
    if (!scraper) {
      if (this.scrapers.size >= MAX_TARGETS) this.evictOldest();
      scraper = this.makeScraper(target, keys, tlsName ? { ...c.tls, serverName: tlsName } : c.tls);
      this.scrapers.set(id, scraper);
    }
    const outcome = await scraper.scrape(this.deadline(headerTimeout));
    this.logOutcome(target, outcome);
    return joinFamilies(
      outcome.families,
      outcome.postureFamilies,
      scrapeSelfFamilies(
        c.namespace,
        outcome,
        {
          scrapesTotal: 1,
          durationSum: outcome.durationSeconds,
          durationCount: 1,
          targetRequestErrors: this.counters.targetRequestErrors,
        },
        { buildInfo: !c.redisOnlyMetrics, scrapeEndpoint: true },
      ),
      [],
    );
  }

  private evictOldest(): void {
    let oldest: [string, TargetScraper] | undefined;
    for (const e of this.scrapers) if (!oldest || e[1].lastUsedMs < oldest[1].lastUsedMs) oldest = e;
    if (oldest) {
      this.scrapers.delete(oldest[0]);
      void oldest[1].close();
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.scrapers)
      if (now - s.lastUsedMs > IDLE_MS) {
        this.scrapers.delete(id);
        void s.close();
      }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.homeScraper?.close();
    for (const s of this.scrapers.values()) await s.close();
    this.scrapers.clear();
  }
}
