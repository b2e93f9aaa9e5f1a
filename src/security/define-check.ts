/** Defining a check: its catalogue entry (title, severity, category, remediation) and its logic. */

import { CATALOGUE } from './catalogue.ts';
import type { Check, CheckResult } from './check.ts';
import type { Facts } from './facts.ts';

/** A check from its catalogue entry (title, severity, category, remediation) and its logic. */
export function defineCheck(id: string, evaluate: (facts: Facts) => CheckResult): Check {
  const entry = CATALOGUE[id];
  if (!entry) throw new Error(`no catalogue entry for ${id}`);
  return {
    id,
    title: entry.title,
    severity: entry.severity,
    category: entry.category,
    remediation: entry.remediation,
    evaluate,
  };
}
