/**
 * Alerting as `redoubt up` runs it: the rule manager over the history (ALERTS, ALERTS_FOR_STATE, restore on start)
 * feeding the notifier (Alertmanager, webhooks, Slack; state in `stateDir`/notifier.json). One call starts both on
 * real timers; `stop` ends them and saves the notifier's state.
 */
import type { Appendable, PromqlEngine, Queryable } from '../../promql/types.ts';
import { ALERT_HISTORY_FILE, AlertHistory, isAlertHistoryState } from './alert-history.ts';
import type { RestoreOptions } from './for-state-restore.ts';
import { JsonStateFile } from './notify/durable-json.ts';
import { isNotifierState, Notifier, type NotifierConfig, type NotifierState } from './notify/notifier.ts';
import type { RuleGroupSpec } from './rule-file.ts';
import { RuleManager } from './rule-manager.ts';

export interface AlertingOptions {
  engine: PromqlEngine;
  queryable: Queryable;
  appendable: Appendable;
  ruleGroups: readonly RuleGroupSpec[];
  evaluationIntervalMs: number;
  externalURL: string;
  externalLabels?: Readonly<Record<string, string>>;
  restore?: RestoreOptions;
  resendDelayMs?: number;
  /** Receivers and routes; none: rules are evaluated, nothing is sent. */
  notifier?: NotifierConfig;
  /** Directory (redoubt's data directory) for notifier.json. Required with `notifier`. */
  stateDir?: string;
  /** One line per notable event; never a URL. */
  log?: (line: string) => void;
}

export interface Alerting {
  readonly manager: RuleManager;
  readonly notifier?: Notifier;
  /** Every alert's state changes (saved in `stateDir` when given). */
  readonly history: AlertHistory;
  stop(): Promise<void>;
}

export const NOTIFIER_STATE_FILE = 'notifier.json';

export function startAlerting(opts: AlertingOptions): Alerting {
  const log = opts.log ?? (() => {});
  let notifier: Notifier | undefined;
  if (opts.notifier && opts.notifier.receivers.length > 0) {
    if (!opts.stateDir) throw new Error('startAlerting: a notifier needs a stateDir for its outbox');
    const sink = new JsonStateFile<NotifierState>(opts.stateDir, NOTIFIER_STATE_FILE, isNotifierState, log);
    notifier = new Notifier(opts.notifier, sink, { log });
  }
  const history = new AlertHistory(
    opts.stateDir ? new JsonStateFile(opts.stateDir, ALERT_HISTORY_FILE, isAlertHistoryState, log) : undefined,
    undefined,
    log,
  );
  const manager = new RuleManager(opts.ruleGroups, {
    engine: opts.engine,
    queryable: opts.queryable,
    appendable: opts.appendable,
    context: { externalLabels: opts.externalLabels ?? {}, externalURL: opts.externalURL },
    evaluationIntervalMs: opts.evaluationIntervalMs,
    restore: opts.restore,
    resendDelayMs: opts.resendDelayMs,
    notify: notifier ? (alerts) => notifier?.send(alerts) : undefined,
    onEvaluated: (group, ts) => history.observe(group, ts),
  });
  const abort = new AbortController();
  const running = Promise.all([manager.run(abort.signal), notifier?.run(abort.signal)]);
  return {
    manager,
    notifier,
    history,
    stop: async () => {
      abort.abort();
      await running;
      history.flush();
    },
  };
}
