import { buildAlerts } from '../catalog/alerts.ts';
import { renderAlertRules } from '../catalog/render-rules.ts';
import type { PromqlEngine } from '../promql/types.ts';
import { parseRuleFile } from './alerting/rule-file.ts';
import { RuleManager } from './alerting/rule-manager.ts';
import type { History } from './history.ts';

/** The file name the catalogue's rules are reported under (as the stack's Prometheus loads them). */
export const CATALOGUE_RULES_FILE = 'alert.rules';

export interface AlertEvaluation {
  readonly manager: RuleManager;
  stop(): Promise<void>;
}

/**
 * Evaluates the catalogue's alert rules (the same alert.rules the compose stack's Prometheus loads) over the
 * history, on the scrape interval: ALERTS and ALERTS_FOR_STATE series, and the rules and alerts of the API.
 * Notifications are not sent from here yet.
 */
export function evaluateCatalogueRules(
  history: History,
  engine: PromqlEngine,
  intervalMs: number,
  externalURL: string,
): AlertEvaluation {
  const groups = parseRuleFile(renderAlertRules(buildAlerts()), CATALOGUE_RULES_FILE);
  const manager = new RuleManager(groups, {
    engine,
    queryable: history,
    appendable: history,
    context: { externalLabels: {}, externalURL },
    evaluationIntervalMs: intervalMs,
  });
  const abort = new AbortController();
  const running = manager.run(abort.signal);
  return {
    manager,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
