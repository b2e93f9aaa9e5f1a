/**
 * Where `redoubt up` gets its rules: the alert catalogue (the same alert.rules `redoubt stack` writes for
 * Prometheus) by default, or the user's rule files in Prometheus's format.
 */

import { buildAlerts } from '../../catalog/alerts.ts';
import { renderAlertRules } from '../../catalog/render-rules.ts';
import { InputFileError, readInputText } from '../../fs/read-input.ts';
import { checkPromqlExpression } from './expression-check.ts';
import { MAX_RULE_FILE_BYTES, parseRuleFile, RuleFileError, type RuleGroupSpec } from './rule-file.ts';

/** The name the catalogue's groups are reported under (as the stack's Prometheus loads them). */
export const CATALOGUE_RULE_FILE = 'alert.rules';

export function catalogueRuleGroups(): RuleGroupSpec[] {
  return parseRuleFile(renderAlertRules(buildAlerts()), CATALOGUE_RULE_FILE, checkPromqlExpression);
}

/** Reads and parses rule files; throws RuleFileError (file, line, key) for the first problem. */
export function loadRuleFiles(paths: readonly string[]): RuleGroupSpec[] {
  const groups: RuleGroupSpec[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readInputText(path, MAX_RULE_FILE_BYTES);
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      throw new RuleFileError(`${path}: cannot read the rule file (${e.reason})`);
    }
    groups.push(...parseRuleFile(text, path, checkPromqlExpression));
  }
  return groups;
}
