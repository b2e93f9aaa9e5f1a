/**
 * What the alerts did: every state change of every alert (inactive → pending → firing → inactive), found by
 * comparing each rule's alerts after each evaluation with those before. The last KEPT changes are kept, newest
 * last, and saved through a durable sink (alert-history.json in the data directory) at most every SAVE_EVERY_MS
 * when something changed, and on stop, so the console's history survives a restart.
 */
import type { Labels } from '../../promql/types.ts';
import type { AlertState } from './alert.ts';
import { labelsKey } from './labels.ts';
import type { DurableSink } from './notify/durable-json.ts';
import type { RuleGroup } from './rule-group.ts';

export interface AlertTransition {
  /** Evaluation time (ms). */
  at: number;
  name: string;
  labels: Labels;
  from: AlertState;
  to: AlertState;
  value: number;
}

export interface AlertHistoryState {
  version: 1;
  events: AlertTransition[];
}

export const ALERT_HISTORY_FILE = 'alert-history.json';
export const KEPT_TRANSITIONS = 2000;
/** The file is written at most this often (evaluation time), and on stop: a flapping alert costs few writes. */
export const SAVE_EVERY_MS = 10_000;

export function isAlertHistoryState(v: unknown): v is AlertHistoryState {
  const s = v as AlertHistoryState;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    Array.isArray(s.events) &&
    s.events.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.at === 'number' &&
        typeof e.name === 'string' &&
        typeof e.labels === 'object' &&
        e.labels !== null &&
        Object.values(e.labels).every((v) => typeof v === 'string') &&
        typeof e.from === 'string' &&
        typeof e.to === 'string',
    )
  );
}

interface KnownAlert {
  name: string;
  labels: Labels;
  state: AlertState;
  value: number;
}

export class AlertHistory {
  private events: AlertTransition[];
  /** Each alert after the last evaluation of its group, by group, then rule name and label set. */
  private readonly known = new Map<RuleGroup, Map<string, KnownAlert>>();
  private dirty = false;
  private lastSaveAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sink?: DurableSink<AlertHistoryState>,
    private readonly capacity = KEPT_TRANSITIONS,
    private readonly warn: (line: string) => void = () => {},
  ) {
    this.events = (sink?.load()?.events ?? []).slice(-capacity);
  }

  /** After `group` was evaluated at `ts`: records the alerts whose state changed. */
  observe(group: RuleGroup, ts: number): void {
    const before = this.known.get(group) ?? new Map<string, KnownAlert>();
    const after = new Map<string, KnownAlert>();
    let changed = false;
    for (const rule of group.alertingRules())
      for (const a of rule.alerts(['pending', 'firing', 'inactive'])) {
        const key = `${rule.name}\u0000${labelsKey(a.labels)}`;
        const was = before.get(key)?.state ?? 'inactive';
        after.set(key, { name: rule.name, labels: a.labels, state: a.state, value: a.value });
        if (a.state === was) continue;
        this.push({ at: ts, name: rule.name, labels: a.labels, from: was, to: a.state, value: a.value });
        changed = true;
      }
    // A pending alert whose condition went away is dropped by the rule at once: it went inactive.
    for (const [key, was] of before)
      if (!after.has(key) && was.state !== 'inactive') {
        this.push({ at: ts, name: was.name, labels: was.labels, from: was.state, to: 'inactive', value: was.value });
        changed = true;
      }
    this.known.set(group, after);
    if (changed) this.dirty = true;
    if (this.dirty && ts - this.lastSaveAt >= SAVE_EVERY_MS) {
      this.lastSaveAt = ts;
      this.flush();
    }
  }

  private push(e: AlertTransition): void {
    this.events.push(e);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
  }

  /** Saves what changed since the last save (also called on stop). */
  flush(): void {
    if (!this.sink || !this.dirty) return;
    this.dirty = false;
    try {
      this.sink.save({ version: 1, events: this.events });
    } catch (e) {
      this.dirty = true;
      this.warn(`cannot save the alert history: ${(e as Error).message}`);
    }
  }

  /** The last `limit` transitions, newest first. */
  recent(limit: number): AlertTransition[] {
    return this.events.slice(this.events.length - Math.min(Math.max(0, limit), this.events.length)).reverse();
  }
}
