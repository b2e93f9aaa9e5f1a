/**
 * Alertmanager's dispatcher, embedded (dispatch/dispatch.go, notify/notify.go): alerts are stored by fingerprint,
 * routed to each route whose matchers they meet, grouped by the route's group_by labels; a group notifies its
 * receiver group_wait after it appears, then at most every group_interval when its alerts changed, and every
 * repeat_interval when they did not. Silenced and inhibited alerts are left out; a notification log (nflog)
 * remembers what each group last told its receiver, so a restart does not notify twice. Pure over `now`.
 */
import type { Labels } from '../../../promql/types.ts';
import type { NotifiableAlert } from '../alert.ts';
import { formatLabels } from '../labels.ts';
import { type AmMatcher, formatAmMatcher, matchesAll } from './am-matchers.ts';
import { fingerprint } from './fingerprint.ts';
import type { Silences } from './silences.ts';

export interface RouteConfig {
  receiver: string;
  /** Label names to group by; ['...'] groups by every label (one alert per group). */
  groupBy: readonly string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /** Alerts this route takes; none: all. */
  matchers?: readonly AmMatcher[];
  /** Send resolved alerts to this receiver (Alertmanager's send_resolved). */
  sendResolved: boolean;
}

export interface InhibitRule {
  sourceMatchers: readonly AmMatcher[];
  targetMatchers: readonly AmMatcher[];
  equal: readonly string[];
}

export interface StoredAlert extends NotifiableAlert {
  fingerprint: string;
  /** ms when the dispatcher last received it. */
  updatedAt: number;
}

export interface GroupNotification {
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  /** Alerts to tell the receiver about, firing then resolved, each with its status at flush time. */
  alerts: Array<StoredAlert & { status: 'firing' | 'resolved' }>;
  status: 'firing' | 'resolved';
}

interface AggregationGroup {
  key: string;
  route: number;
  labels: Labels;
  alerts: Set<string>;
  nextFlushAt: number;
  hasFlushed: boolean;
}

interface NotificationLogEntry {
  firing: string[];
  resolved: string[];
  at: number;
}

export interface DispatcherSnapshot {
  alerts: StoredAlert[];
  groups: Array<{ key: string; nextFlushAt: number; hasFlushed: boolean }>;
  nflog: Record<string, NotificationLogEntry>;
}

/** How long the notification log remembers a group (Alertmanager's --data.retention, 120h). */
const NFLOG_RETENTION_MS = 120 * 3600e3;

function routeKey(route: RouteConfig, index: number): string {
  return `{}/${index}:{${(route.matchers ?? []).map(formatAmMatcher).join(',')}}`;
}

function isResolved(a: NotifiableAlert, now: number): boolean {
  return a.endsAt > 0 && a.endsAt <= now;
}

export class Dispatcher {
  private readonly alerts = new Map<string, StoredAlert>();
  private readonly groups = new Map<string, AggregationGroup>();
  private nflog: Record<string, NotificationLogEntry> = {};

  constructor(
    private readonly routes: readonly RouteConfig[],
    private readonly inhibitRules: readonly InhibitRule[],
    private readonly silences: Silences,
    snapshot?: DispatcherSnapshot,
  ) {
    if (!snapshot) return;
    this.nflog = { ...snapshot.nflog };
    const saved = new Map(snapshot.groups.map((g) => [g.key, g]));
    for (const a of snapshot.alerts) {
      this.alerts.set(a.fingerprint, a);
      this.route(a, a.updatedAt, saved);
    }
  }

  /** Takes alerts from the rules (or from an API). */
  receive(alerts: readonly NotifiableAlert[], now: number): void {
    for (const incoming of alerts) {
      const fp = fingerprint(incoming.labels);
      const old = this.alerts.get(fp);
      let a: StoredAlert = { ...incoming, fingerprint: fp, updatedAt: now };
      // Merge when the activity ranges overlap (the same alert again): keep the earliest start.
      if (old && !(old.endsAt > 0 && old.endsAt < incoming.startsAt))
        a = { ...a, startsAt: Math.min(old.startsAt, a.startsAt) };
      this.alerts.set(fp, a);
      this.route(a, now);
    }
  }

  private route(a: StoredAlert, now: number, saved?: Map<string, { nextFlushAt: number; hasFlushed: boolean }>): void {
    this.routes.forEach((r, i) => {
      if (r.matchers && !matchesAll(r.matchers, a.labels)) return;
      const labels: Record<string, string> = {};
      const all = r.groupBy.includes('...');
      for (const name of all ? Object.keys(a.labels) : r.groupBy) if (a.labels[name]) labels[name] = a.labels[name];
      const key = `${routeKey(r, i)}:${formatLabels(labels)}`;
      let g = this.groups.get(key);
      if (!g) {
        const s = saved?.get(key);
        g = {
          key,
          route: i,
          labels,
          alerts: new Set(),
          nextFlushAt: s ? s.nextFlushAt : now + r.groupWaitMs,
          hasFlushed: s?.hasFlushed ?? false,
        };
        this.groups.set(key, g);
      }
      // An alert older than group_wait in a group that never flushed: no reason to wait.
      if (!g.hasFlushed && a.startsAt + r.groupWaitMs < now) g.nextFlushAt = Math.min(g.nextFlushAt, now);
      g.alerts.add(a.fingerprint);
    });
  }

  /** When the next group is due (ms), or undefined when there is none. */
  nextFlushAt(): number | undefined {
    let next: number | undefined;
    for (const g of this.groups.values()) if (next === undefined || g.nextFlushAt < next) next = g.nextFlushAt;
    return next;
  }

  private muted(a: StoredAlert, now: number): boolean {
    if (this.silences.silencing(a.labels, now).length > 0) return true;
    return this.inhibitRules.some(
      (rule) =>
        matchesAll(rule.targetMatchers, a.labels) &&
        [...this.alerts.values()].some(
          (src) =>
            src.fingerprint !== a.fingerprint &&
            !isResolved(src, now) &&
            matchesAll(rule.sourceMatchers, src.labels) &&
            rule.equal.every((l) => (src.labels[l] ?? '') === (a.labels[l] ?? '')),
        ),
    );
  }

  /** Flushes the groups due at `now`; returns the notifications to deliver. */
  flush(now: number): GroupNotification[] {
    const out: GroupNotification[] = [];
    for (const g of [...this.groups.values()]) {
      if (g.nextFlushAt > now) continue;
      const route = this.routes[g.route];
      const notification = this.flushGroup(g, route, now);
      if (notification) out.push(notification);
    }
    this.gc(now);
    return out;
  }

  private flushGroup(g: AggregationGroup, route: RouteConfig, now: number): GroupNotification | undefined {
    const members = [...g.alerts].map((fp) => this.alerts.get(fp)).filter((a): a is StoredAlert => a !== undefined);
    const shown = members.filter((a) => !this.muted(a, now));
    const firing = shown.filter((a) => !isResolved(a, now));
    const resolved = shown.filter((a) => isResolved(a, now));
    const logKey = `${g.key}|${route.receiver}`;
    const entry = this.nflog[logKey];
    let notification: GroupNotification | undefined;
    if (shown.length > 0 && this.needsUpdate(entry, firing, resolved, route, now)) {
      const alerts = [
        ...firing.map((a) => ({ ...a, status: 'firing' as const })),
        ...(route.sendResolved ? resolved.map((a) => ({ ...a, status: 'resolved' as const })) : []),
      ];
      this.nflog[logKey] = {
        firing: firing.map((a) => a.fingerprint),
        resolved: resolved.map((a) => a.fingerprint),
        at: now,
      };
      if (alerts.length > 0)
        notification = {
          receiver: route.receiver,
          groupKey: g.key,
          groupLabels: g.labels,
          alerts,
          status: firing.length > 0 ? 'firing' : 'resolved',
        };
    }
    g.hasFlushed = true;
    // Resolved alerts have been told (or were never worth telling): they leave the group.
    for (const a of members) if (isResolved(a, now)) g.alerts.delete(a.fingerprint);
    if (g.alerts.size === 0) this.groups.delete(g.key);
    else g.nextFlushAt = now + route.groupIntervalMs;
    return notification;
  }

  /** notify.DedupStage.needsUpdate. */
  private needsUpdate(
    entry: NotificationLogEntry | undefined,
    firing: StoredAlert[],
    resolved: StoredAlert[],
    route: RouteConfig,
    now: number,
  ): boolean {
    if (!entry) return firing.length > 0;
    const told = new Set(entry.firing);
    if (!firing.every((a) => told.has(a.fingerprint))) return true;
    if (firing.length === 0) return entry.firing.length > 0;
    const toldResolved = new Set(entry.resolved);
    if (route.sendResolved && !resolved.every((a) => toldResolved.has(a.fingerprint))) return true;
    return entry.at < now - route.repeatIntervalMs;
  }

  private gc(now: number): void {
    const inGroups = new Set<string>();
    for (const g of this.groups.values()) for (const fp of g.alerts) inGroups.add(fp);
    for (const [fp, a] of this.alerts) if (!inGroups.has(fp) && isResolved(a, now)) this.alerts.delete(fp);
    for (const [k, e] of Object.entries(this.nflog)) if (e.at + NFLOG_RETENTION_MS < now) delete this.nflog[k];
  }

  /** Alerts the dispatcher holds (API, console). */
  storedAlerts(): StoredAlert[] {
    return [...this.alerts.values()];
  }

  snapshot(): DispatcherSnapshot {
    return {
      alerts: [...this.alerts.values()],
      groups: [...this.groups.values()].map((g) => ({
        key: g.key,
        nextFlushAt: g.nextFlushAt,
        hasFlushed: g.hasFlushed,
      })),
      nflog: { ...this.nflog },
    };
  }
}
