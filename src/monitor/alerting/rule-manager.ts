/**
 * The rule groups of `redoubt up`: each evaluated on its own interval, at timestamps aligned to it; after a group's
 * first evaluation its `for` state is restored from ALERTS_FOR_STATE (then ALERTS series are written). Alerts go to
 * `notify` with the external labels added, as Prometheus's notifier adds them. Time comes from a Clock, so tests
 * drive the schedule with a fake one.
 */
import type { Alert, NotifiableAlert } from './alert.ts';
import type { AlertingRule } from './alerting-rule.ts';
import { type RestoreOptions, restoreForState } from './for-state-restore.ts';
import { withLabels } from './labels.ts';
import type { RuleGroupSpec } from './rule-file.ts';
import { RuleGroup, type RuleGroupOptions } from './rule-group.ts';

export interface RuleManagerOptions extends Omit<RuleGroupOptions, 'defaultIntervalMs' | 'notify'> {
  /** Prometheus's global evaluation_interval (default 1m there); redoubt up passes its own. */
  evaluationIntervalMs: number;
  restore?: RestoreOptions;
  /** Receives alerts to notify, external labels included. */
  notify?: (alerts: NotifiableAlert[]) => void;
  /** Told after each evaluation of a group (the console's alert history compares its alerts). */
  onEvaluated?: (group: RuleGroup, ts: number) => void;
}

export class RuleManager {
  readonly groups: RuleGroup[];
  private readonly next = new Map<RuleGroup, number>();

  constructor(
    specs: readonly RuleGroupSpec[],
    private readonly opts: RuleManagerOptions,
  ) {
    const external = opts.context.externalLabels;
    const notify = opts.notify;
    this.groups = specs.map(
      (spec) =>
        new RuleGroup(spec, {
          ...opts,
          defaultIntervalMs: opts.evaluationIntervalMs,
          notify: notify
            ? (alerts) => notify(alerts.map((a) => ({ ...a, labels: withExternal(a.labels, external) })))
            : undefined,
        }),
    );
  }

  /** Evaluates every group due at `now` (ms); returns when the next one is due. */
  tick(now: number): number {
    for (const g of this.groups) {
      const aligned = now - (now % g.intervalMs);
      const due = this.next.get(g) ?? aligned;
      if (due > now) continue;
      // Missed evaluations (a stalled process) are skipped, as Prometheus does: evaluate at the latest slot.
      g.evaluate(aligned);
      const rules = g.alertingRules();
      if (rules.some((r) => !r.restored)) restoreForState(rules, this.opts.queryable, aligned, this.opts.restore);
      this.opts.onEvaluated?.(g, aligned);
      this.next.set(g, aligned + g.intervalMs);
    }
    return Math.min(...this.groups.map((g) => this.next.get(g) ?? now + g.intervalMs));
  }

  /** Every alert of every rule in the given states (API, console). */
  alerts(states: Alert['state'][] = ['pending', 'firing']): Array<{ rule: AlertingRule; alert: Alert }> {
    return this.groups.flatMap((g) =>
      g.alertingRules().flatMap((rule) => rule.alerts(states).map((alert) => ({ rule, alert }))),
    );
  }

  /** Runs the schedule on real timers until `signal` aborts. */
  run(signal: AbortSignal, clock: () => number = Date.now): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const loop = () => {
        if (signal.aborted) return resolve();
        const next = this.tick(clock());
        timer = setTimeout(loop, Math.max(0, next - clock()));
      };
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
      loop();
    });
  }
}

/** Adds the external labels an alert does not carry itself. */
function withExternal(labels: NotifiableAlert['labels'], external: Readonly<Record<string, string>>) {
  const add: Record<string, string> = {};
  for (const [k, v] of Object.entries(external)) if (!(k in labels)) add[k] = v;
  return withLabels(labels, add);
}
