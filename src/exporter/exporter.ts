import { createHash } from 'node:crypto';
import { UsageError } from '../flags/flags.ts';
import type { MetricFamily } from '../metrics/family.ts';
import { processFamilies } from '../metrics/process.ts';
import { canonicalHost } from '../net/canonical-host.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { collectKeyChecks } from '../redis/key-checks.ts';
import { type PasswordMap, resolveCredentials } from '../redis/password-file.ts';
import { PasswordFileWatch } from '../redis/password-file-watch.ts';
import type { KeyInfo } from '../redis/snapshot.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';
import { type ScrapeOutcome, type SnapshotExtra, TargetScraper } from '../scrape/scraper.ts';
import { type SelfCounters, scrapeSelfFamilies } from '../scrape/self-metrics.ts';
import type { ExporterConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { type KeyCheckFlags, keyChecksForRequest, keyChecksId, wantsKeyChecks } from './query-key-checks.ts';
import {
  type AllowEntry,
  hasControlCharacter,
  parseAllowEntry,
  type ResolvedScrapeTarget,
  resolveScrapeTarget,
  ScrapeTargetError,
} from './scrape-targets.ts';

/** A /scrape target whose connection is down is not redialled for longer than this without a scrape. */
const DOWN_IDLE_MS = 30_000;
/** A /scrape target nobody scrapes keeps its connection this long. */
const IDLE_MS = 10 * 60 * 1000;
/** Persistent /scrape connections in all. */
const MAX_TARGETS = 500;
/**
 * Connections to one server (its address and scheme): persistent ones, one per credential and TLS server name (the
 * least recently used goes), and one-shot ones in flight (more are answered 429).
 */
const MAX_CONNECTIONS_PER_SERVER = 4;
/**
 * One-shot connections in flight in all (targets reached through --scrape.allow-any-target): each may hold up to
 * RESP_LIMITS.replyBytes of a hostile reply, and without a cap a request per port would open a socket per port.
 */
const MAX_ONE_SHOTS = 32;

/**
 * A server's identity, whatever the credentials and however its address is written (127.1 is 127.0.0.1): the
 * per-server cap counts by it.
 */
function serverKey(t: RedisTarget): string {
  return `${t.scheme}://${t.scheme === 'unix' ? '' : canonicalHost(t.host)}:${t.port}${t.path}`;
}

/** What a background audit is of: the server, as the credentials see it (not the database, not the TLS name). */
function auditKey(t: RedisTarget): string {
  return createHash('sha256')
    .update(JSON.stringify([serverKey(t), t.username ?? '', t.password ?? '']))
    .digest('hex');
}

/** The identity of a connection: the server, the credentials, and the TLS server name (TLS targets only). */
function connectionKey(t: RedisTarget, tlsName: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([t.display, t.password ?? '', t.scheme === 'rediss' ? (tlsName ?? '') : '']))
    .digest('hex');
}

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
  private readonly passwordFile?: PasswordFileWatch;
  readonly home?: RedisTarget;
  private homeScraper?: TargetScraper;
  /** connectionKey of the home target with its credentials: a /scrape of it shares the /metrics connection. */
  private homeKey = '';
  private readonly allowed: AllowEntry[];
  private readonly scrapers = new Map<string, TargetScraper>();
  /** One-shot connections in flight per serverKey. */
  private readonly oneShots = new Map<string, number>();
  /** When an audit was last given to a /scrape connection, by auditKey (entries older than the interval go). */
  private readonly auditsStarted = new Map<string, number>();
  /** One-shot connections in flight in all. */
  private oneShotsInFlight = 0;
  /** The one-shot scrapers in flight, closed with the exporter. */
  private readonly oneShotScrapers = new Set<TargetScraper>();
  private readonly configuredKeys: KeyCheckFlags;
  private readonly homeExtra?: SnapshotExtra;
  private readonly counters: SelfCounters = {
    scrapesTotal: 0,
    durationSum: 0,
    durationCount: 0,
    targetRequestErrors: 0,
  };
  /**
   * Drops idle /scrape connections. Runs only while there are some: an exporter that serves /metrics alone is not
   * woken every 30 s for nothing (each wakeup of an idle Node process costs about a millisecond of CPU).
   */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly config: ExporterConfig,
    readonly log: Logger,
  ) {
    if (config.passwordFile)
      this.passwordFile = new PasswordFileWatch(config.passwordFile, (message) =>
        this.log.warn('password file changed but cannot be used', { err: message }),
      );
    this.allowed = config.allowedTargets.map((entry) => {
      try {
        return parseAllowEntry(entry);
      } catch (err) {
        throw new UsageError(`--scrape.allowed-targets: ${(err as Error).message}`);
      }
    });
    this.configuredKeys = {
      checkKeys: config.checkKeys,
      checkSingleKeys: config.checkSingleKeys,
      checkStreams: config.checkStreams,
      checkSingleStreams: config.checkSingleStreams,
      countKeys: config.countKeys,
    };
    this.homeExtra = this.keyChecks(this.configuredKeys);
    if (config.redisAddr) {
      this.home = parseTarget(config.redisAddr);
      this.homeWithPasswords(this.passwords);
    }
  }

  /** The password file's passwords now (read again when it changed: see PasswordFileWatch). */
  get passwords(): PasswordMap {
    return this.passwordFile?.current() ?? new Map();
  }

  private homePasswords?: PasswordMap;

  /**
   * The home target's scraper for these passwords: when the password file changed its password (redoubt rotate),
   * a new connection with the new one takes over, and the old one closes once its scrape in flight is done.
   */
  private homeWithPasswords(passwords: PasswordMap): void {
    if (!this.home || passwords === this.homePasswords) return;
    this.homePasswords = passwords;
    const { user, password } = resolveCredentials(this.home, {
      user: this.config.redisUser,
      password: this.config.redisPassword,
      passwords,
    });
    const target = withCredentials(this.home, user, password);
    const key = connectionKey(target, this.config.tls.serverName);
    if (key === this.homeKey) return;
    const old = this.homeScraper;
    this.homeKey = key;
    this.homeScraper = this.makeScraper(target, this.config.tls, true);
    if (old) void old.settled().then(() => old.close());
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), DOWN_IDLE_MS);
    this.sweeper.unref();
  }

  /** Every secret the exporter knows, for scrubbing logs. */
  secrets(): string[] {
    const s = [this.config.redisPassword, this.config.basicAuth?.password ?? ''];
    for (const v of this.passwords.values()) s.push(v);
    return s.filter(Boolean);
  }

  /** A scraper of target; `audit`: it also runs the background security audit. */
  private makeScraper(target: RedisTarget, tls: TlsOptions, audit: boolean): TargetScraper {
    const c = this.config;
    return new TargetScraper(
      target,
      {
        connectTimeoutMs: c.connectionTimeoutMs,
        commandTimeoutMs: c.connectionTimeoutMs,
        tls,
        clientName: c.setClientName ? 'redis_exporter' : undefined,
      },
      {
        configCommand: c.configCommand,
        pingOnConnect: c.pingOnConnect,
        latencyHistogram: c.latencyHistogram,
        latencystatsIntervalMs: c.latencyPercentilesIntervalMs,
      },
      { namespace: c.namespace, includeSystemMetrics: c.includeSystemMetrics },
      audit
        ? {
            intervalMs: c.securityIntervalMs,
            timeoutMs: Math.min(c.connectionTimeoutMs, 10_000),
            configCommand: c.configCommand,
            auditCommands: c.auditCommands,
            onError: (message) => this.log.warn('security audit failed', { target: target.display, err: message }),
          }
        : undefined,
    );
  }

  /** The key checks of a scrape as work on top of its snapshot; undefined when none are asked for. */
  private keyChecks(keys: KeyCheckFlags): SnapshotExtra | undefined {
    if (!wantsKeyChecks(keys)) return undefined;
    const c = this.config;
    return {
      id: keyChecksId(keys),
      apply: async (conn, snapshot, deadlineMs) => {
        const r = await collectKeyChecks(conn, {
          ...keys,
          batchSize: c.checkKeysBatchSize,
          maxKeys: c.maxCheckedKeys,
          deadlineMs,
        });
        // --disable-exporting-key-values (upstream's semantics): sizes and memory stay, values go.
        const keyInfos = c.exportKeyValues
          ? r.keys
          : r.keys.map(({ value: _v, valueString: _s, ...rest }) => rest as KeyInfo);
        return { ...snapshot, keys: keyInfos, keyCounts: r.keyCounts, streams: r.streams };
      },
    };
  }

  /** The latest deadline any scrape starting now may have: what a shared snapshot runs against. */
  private flightDeadline(): number {
    return Date.now() + this.config.scrapeTimeoutMs;
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
    this.homeWithPasswords(this.passwords);
    let outcome: ScrapeOutcome;
    let proc: MetricFamily[] = [];
    if (this.homeScraper) {
      const scraped = this.homeScraper.scrape(this.deadline(headerTimeout), this.homeExtra, this.flightDeadline());
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
    let resolved: ResolvedScrapeTarget;
    let extra: SnapshotExtra | undefined;
    const tlsName = params.get('tls_server_name') ?? params.get('tls-server-name') ?? undefined;
    try {
      resolved = resolveScrapeTarget(params.get('target'), {
        allowed: this.allowed,
        home: this.home,
        allowAny: c.allowAnyTarget,
        globalUser: c.redisUser,
        globalPassword: c.redisPassword,
        passwords: this.passwords,
      });
      if (tlsName && hasControlCharacter(tlsName))
        throw new ScrapeTargetError(400, 'invalid tls_server_name: it contains a control character');
      extra = this.keyChecks(keyChecksForRequest(params, this.configuredKeys, c.allowQueryKeyChecks));
    } catch (err) {
      this.counters.targetRequestErrors++;
      throw err;
    }
    const { target, trusted } = resolved;
    const tls = tlsName ? { ...c.tls, serverName: tlsName } : c.tls;
    const deadlineMs = this.deadline(headerTimeout);
    const outcome = trusted
      ? await this.scrapePersistent(target, tls, deadlineMs, extra)
      : await this.scrapeOnce(target, tls, deadlineMs, extra);
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

  /**
   * The home address or an allowlisted target: one persistent connection per credential (the home target's own
   * shares /metrics' connection), whatever the query. One whose scrape failed is closed, not redialled in the
   * background: the next scrape dials again.
   */
  private async scrapePersistent(
    target: RedisTarget,
    tls: TlsOptions,
    deadlineMs: number,
    extra: SnapshotExtra | undefined,
  ): Promise<ScrapeOutcome> {
    const key = connectionKey(target, tls.serverName);
    if (key === this.homeKey && this.homeScraper)
      return this.homeScraper.scrape(deadlineMs, extra, this.flightDeadline());
    let scraper = this.scrapers.get(key);
    if (!scraper) {
      this.makeRoomFor(serverKey(target));
      scraper = this.makeScraper(target, tls, !this.audited(target));
      this.scrapers.set(key, scraper);
      this.startSweeper();
    }
    const outcome = await scraper.scrape(deadlineMs, extra, this.flightDeadline());
    // A failed scrape may be this request's deadline alone while the snapshot it shares goes on: the connection
    // goes once that is over and it is not up (closing it now would fail every scrape sharing it).
    if (!outcome.up)
      void scraper.settled().then(() => {
        if (!scraper.isConnected() && this.scrapers.get(key) === scraper) this.drop(key);
      });
    return outcome;
  }

  /** A target reached only through --scrape.allow-any-target: a connection for this scrape alone, no audit. */
  private async scrapeOnce(
    target: RedisTarget,
    tls: TlsOptions,
    deadlineMs: number,
    extra: SnapshotExtra | undefined,
  ): Promise<ScrapeOutcome> {
    const server = serverKey(target);
    const inFlight = this.oneShots.get(server) ?? 0;
    if (inFlight >= MAX_CONNECTIONS_PER_SERVER) {
      this.counters.targetRequestErrors++;
      throw new ScrapeTargetError(
        429,
        `target ${target.display} already has ${inFlight} scrapes in flight; try again later (list it in --scrape.allowed-targets for a persistent connection)`,
      );
    }
    if (this.oneShotsInFlight >= MAX_ONE_SHOTS) {
      this.counters.targetRequestErrors++;
      throw new ScrapeTargetError(
        429,
        `${MAX_ONE_SHOTS} scrapes of targets outside --scrape.allowed-targets are in flight; try again later (list the targets in --scrape.allowed-targets for persistent connections)`,
      );
    }
    this.oneShotsInFlight++;
    this.oneShots.set(server, inFlight + 1);
    const scraper = this.makeScraper(target, tls, false);
    this.oneShotScrapers.add(scraper);
    try {
      return await scraper.scrape(deadlineMs, extra);
    } finally {
      this.oneShotsInFlight--;
      this.oneShotScrapers.delete(scraper);
      const left = (this.oneShots.get(server) ?? 1) - 1;
      if (left > 0) this.oneShots.set(server, left);
      else this.oneShots.delete(server);
      void scraper.close();
    }
  }

  /**
   * Whether a connection to target's server with target's credentials already runs the background audit. The
   * audit is of the server (every database), so a second one would only repeat it: without this, a request per
   * database (`target=…/1`, `/2` … past the per-server cap) started a full audit each.
   */
  private audited(target: RedisTarget): boolean {
    const key = auditKey(target);
    if (this.homeScraper?.posture && auditKey(this.homeScraper.target) === key) return true;
    for (const s of this.scrapers.values()) if (s.posture && auditKey(s.target) === key) return true;
    // One that was evicted since counts until its interval is over: cycling five databases past the cap of four
    // would otherwise start an audit every fourth request.
    const now = Date.now();
    const interval = this.config.securityIntervalMs;
    for (const [k, started] of this.auditsStarted) if (now - started >= interval) this.auditsStarted.delete(k);
    if (this.auditsStarted.has(key)) return true;
    if (this.auditsStarted.size < MAX_TARGETS) this.auditsStarted.set(key, now);
    return false;
  }

  /** Before a new persistent connection to server: the least recently used one goes when a cap is reached. */
  private makeRoomFor(server: string): void {
    let sameServer = 0;
    let oldestOfServer: [string, TargetScraper] | undefined;
    for (const e of this.scrapers) {
      if (serverKey(e[1].target) !== server) continue;
      sameServer++;
      if (!oldestOfServer || e[1].lastUsedMs < oldestOfServer[1].lastUsedMs) oldestOfServer = e;
    }
    if (sameServer >= MAX_CONNECTIONS_PER_SERVER && oldestOfServer) this.drop(oldestOfServer[0]);
    if (this.scrapers.size >= MAX_TARGETS) this.evictOldest();
  }

  private drop(key: string): void {
    const s = this.scrapers.get(key);
    if (!s) return;
    this.scrapers.delete(key);
    void s.close();
  }

  private evictOldest(): void {
    let oldest: [string, TargetScraper] | undefined;
    for (const e of this.scrapers) if (!oldest || e[1].lastUsedMs < oldest[1].lastUsedMs) oldest = e;
    if (oldest) this.drop(oldest[0]);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, s] of this.scrapers) {
      const idle = now - s.lastUsedMs;
      // A target that went down after its last scrape is not redialled for long on behalf of nobody.
      if (idle > IDLE_MS || (idle > DOWN_IDLE_MS && !s.isConnected())) this.drop(key);
    }
    if (this.scrapers.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.homeScraper?.close();
    for (const s of [...this.scrapers.values(), ...this.oneShotScrapers]) await s.close();
    this.scrapers.clear();
    this.oneShotScrapers.clear();
  }
}
