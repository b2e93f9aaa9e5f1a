/**
 * The notifications of `redoubt up`: alerts from the rules go to a real Alertmanager as Prometheus sends them
 * (POST /api/v2/alerts), and through the embedded dispatcher (grouping, silences, inhibition, repeat) to webhook and
 * Slack receivers. Every outgoing body goes through the outbox, retried with backoff while a receiver is down; the
 * dispatcher's alerts and notification log, the outbox and the silences are saved through a durable sink after each
 * change, so a restart neither loses a notification nor sends one twice. Receiver URLs stay in memory and are never
 * logged: log lines name the receiver.
 */
import type { NotifiableAlert } from '../alert.ts';
import { postableAlerts } from './alertmanager-payload.ts';
import {
  Dispatcher,
  type DispatcherSnapshot,
  type GroupNotification,
  type InhibitRule,
  type RouteConfig,
} from './dispatcher.ts';
import type { DurableSink } from './durable-json.ts';
import { type PostOptions, type PostResult, postJson } from './http-post.ts';
import { Outbox, type OutboxEvent, type OutboxOptions, type OutboxSnapshot } from './outbox.ts';
import { type Silence, Silences } from './silences.ts';
import { slackMessage } from './slack-payload.ts';
import { testNotificationBody } from './test-notification.ts';
import { webhookPayload } from './webhook-payload.ts';

export type ReceiverType = 'webhook' | 'slack' | 'alertmanager';

export interface ReceiverConfig {
  name: string;
  type: ReceiverType;
  /** webhook/slack: where to POST; alertmanager: its base URL (…/api/v2/alerts is added). May hold a secret. */
  url: string;
  /** webhook: at most this many alerts per message (0: all). */
  maxAlerts?: number;
}

export interface NotifierConfig {
  receivers: ReceiverConfig[];
  /** Routes for webhook and Slack receivers; default: one per receiver with DEFAULT_ROUTE's timing. */
  routes?: RouteConfig[];
  inhibitRules?: InhibitRule[];
  /** Where users open redoubt (externalURL of the webhook payload). */
  externalURL: string;
  outbox?: OutboxOptions;
  request?: PostOptions;
}

export interface NotifierState {
  version: 1;
  dispatcher: DispatcherSnapshot;
  outbox: OutboxSnapshot;
  silences: Silence[];
}

export function isNotifierState(v: unknown): v is NotifierState {
  const s = v as NotifierState;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    Array.isArray(s.dispatcher?.alerts) &&
    Array.isArray(s.dispatcher?.groups) &&
    typeof s.dispatcher?.nflog === 'object' &&
    Array.isArray(s.outbox?.deliveries) &&
    typeof s.outbox?.nextId === 'number' &&
    Array.isArray(s.silences)
  );
}

/** The timing `redoubt stack`'s Alertmanager uses (src/stack/alertmanager.ts). */
export const DEFAULT_ROUTE: Omit<RouteConfig, 'receiver'> = {
  groupBy: ['alertname', 'instance'],
  groupWaitMs: 30e3,
  groupIntervalMs: 5 * 60e3,
  repeatIntervalMs: 4 * 3600e3,
  sendResolved: true,
};

export interface NotifierDeps {
  now?: () => number;
  post?: (url: string, body: string, options: PostOptions) => Promise<PostResult>;
  /** One line per event; never given a URL or a body. */
  log?: (line: string) => void;
}

export class Notifier {
  readonly silences: Silences;
  private readonly dispatcher: Dispatcher;
  private readonly outbox: Outbox;
  private readonly receivers: Map<string, ReceiverConfig>;
  private readonly now: () => number;
  private readonly post: NonNullable<NotifierDeps['post']>;
  private readonly log: (line: string) => void;
  private dirty = false;
  private ticking: Promise<void> | undefined;
  /** Counters for redoubt's own metrics. */
  readonly stats = { delivered: 0, failedAttempts: 0, dropped: 0 };

  constructor(
    private readonly config: NotifierConfig,
    private readonly sink: DurableSink<NotifierState>,
    deps: NotifierDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.post = deps.post ?? postJson;
    this.log = deps.log ?? (() => {});
    this.receivers = new Map(config.receivers.map((r) => [r.name, r]));
    const saved = sink.load();
    this.silences = new Silences(saved?.silences ?? []);
    const routes =
      config.routes ??
      config.receivers.filter((r) => r.type !== 'alertmanager').map((r) => ({ ...DEFAULT_ROUTE, receiver: r.name }));
    for (const r of routes)
      if (!this.receivers.has(r.receiver))
        throw new Error(`a route names receiver "${r.receiver}", which is not configured`);
    this.dispatcher = new Dispatcher(routes, config.inhibitRules ?? [], this.silences, saved?.dispatcher);
    this.outbox = new Outbox(config.outbox, saved?.outbox);
    this.outbox.keepReceivers(new Set(this.receivers.keys()));
  }

  /** Alerts from the rule manager (its `notify`). */
  send(alerts: readonly NotifiableAlert[]): void {
    if (alerts.length === 0) return;
    const now = this.now();
    for (const r of this.receivers.values())
      if (r.type === 'alertmanager') this.report(this.outbox.add(r.name, JSON.stringify(postableAlerts(alerts)), now));
    this.dispatcher.receive(alerts, now);
    this.dirty = true;
  }

  private bodyFor(r: ReceiverConfig, n: GroupNotification): string {
    return JSON.stringify(
      r.type === 'slack' ? slackMessage(n) : webhookPayload(n, this.config.externalURL, r.maxAlerts),
    );
  }

  private urlFor(r: ReceiverConfig): string {
    return r.type === 'alertmanager' ? `${r.url.replace(/\/+$/, '')}/api/v2/alerts` : r.url;
  }

  private report(events: Array<OutboxEvent | undefined>): void {
    for (const e of events) {
      if (!e) continue;
      if (e.kind === 'dropped') {
        this.stats.dropped++;
        this.log(`notification to receiver ${e.receiver} dropped: ${e.why}`);
      } else
        this.log(
          `notification to receiver ${e.receiver} failed (${e.why}); attempt ${e.attempts}, retrying in ${Math.round(e.inMs / 1000)} s`,
        );
    }
  }

  private async deliver(): Promise<void> {
    const due = this.outbox.due(this.now());
    await Promise.all(
      due.map(async (d) => {
        const r = this.receivers.get(d.receiver);
        if (!r) return;
        const result = await this.post(this.urlFor(r), d.body, this.config.request ?? {});
        this.dirty = true;
        if (result.ok) {
          this.stats.delivered++;
          this.outbox.delivered(d.id);
          if (d.attempts > 0) this.log(`notification to receiver ${r.name} delivered after ${d.attempts + 1} attempts`);
        } else {
          this.stats.failedAttempts++;
          this.report([this.outbox.failed(d.id, this.now(), result.retryable, result.reason)]);
        }
      }),
    );
  }

  /** Flushes due groups into the outbox, delivers what is due, saves the state if it changed. Not re-entrant. */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        const now = this.now();
        for (const n of this.dispatcher.flush(now)) {
          const r = this.receivers.get(n.receiver);
          if (r) this.report(this.outbox.add(r.name, this.bodyFor(r, n), now));
          this.dirty = true;
        }
        if (this.silences.gc(now)) this.dirty = true;
        this.save();
        await this.deliver();
        this.save();
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /** Saves the state when something changed (also called on shutdown). */
  save(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      this.sink.save({
        version: 1,
        dispatcher: this.dispatcher.snapshot(),
        outbox: this.outbox.snapshot(),
        silences: this.silences.list(),
      });
    } catch (e) {
      this.dirty = true;
      this.log(`cannot save the notification state: ${(e as Error).message}`);
    }
  }

  addSilence(s: Parameters<Silences['add']>[0]): string {
    const id = this.silences.add(s, this.now());
    this.dirty = true;
    this.save();
    return id;
  }

  expireSilence(id: string): void {
    this.silences.expire(id, this.now());
    this.dirty = true;
    this.save();
  }

  /** The receivers by name and type (never their URLs). */
  receiverList(): Array<{ name: string; type: ReceiverType }> {
    return [...this.receivers.values()].map((r) => ({ name: r.name, type: r.type }));
  }

  /**
   * Sends one test notification to a receiver now, outside the outbox (no retry: the answer is the outcome).
   * Undefined when there is no such receiver; the reason names a status or an errno, never the URL.
   */
  async sendTest(name: string): Promise<{ ok: boolean; detail: string } | undefined> {
    const r = this.receivers.get(name);
    if (!r) return undefined;
    const body = testNotificationBody(r.type, r.name, this.config.externalURL, this.now());
    const result = await this.post(this.urlFor(r), body, this.config.request ?? {});
    this.log(`test notification to receiver ${r.name}: ${result.ok ? 'delivered' : result.reason}`);
    return result.ok ? { ok: true, detail: `delivered (HTTP ${result.status})` } : { ok: false, detail: result.reason };
  }

  /** What is queued (for /metrics and tests). */
  pendingDeliveries(): number {
    return this.outbox.size();
  }

  dispatcherAlerts() {
    return this.dispatcher.storedAlerts();
  }

  /** When something is next due (ms), for the timer loop. */
  nextDueAt(): number | undefined {
    const times = [this.dispatcher.nextFlushAt(), this.outbox.nextAttemptAt()].filter(
      (t): t is number => t !== undefined,
    );
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Runs on real timers until `signal` aborts; saves on the way out. */
  async run(signal: AbortSignal, pollMs = 1000): Promise<void> {
    while (!signal.aborted) {
      await this.tick();
      const next = this.nextDueAt();
      const wait = Math.max(10, Math.min(pollMs, next === undefined ? pollMs : next - this.now()));
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, wait);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    await this.ticking;
    this.save();
  }
}
