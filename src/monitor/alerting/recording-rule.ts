/**
 * A recording rule (rules/recording.go): the expression's result renamed to the rule's name, with the rule's
 * labels set (an empty value removes a label). Pure over the result.
 */
import type { VectorSample } from '../../promql/types.ts';
import { RuleEvaluationError, type RuleSample } from './alerting-rule.ts';
import { labelsKey, withLabels } from './labels.ts';
import type { RecordingRuleSpec } from './rule-file.ts';

export class RecordingRule {
  readonly kind = 'record';
  readonly name: string;

  constructor(readonly spec: RecordingRuleSpec) {
    this.name = spec.name;
  }

  evaluate(result: readonly VectorSample[], _ts: number, limit = 0): RuleSample[] {
    const out: RuleSample[] = [];
    const seen = new Set<string>();
    for (const s of result) {
      const labels = withLabels(s.labels, { ...this.spec.labels, __name__: this.name });
      const key = labelsKey(labels);
      if (seen.has(key))
        throw new RuleEvaluationError('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      out.push({ labels, v: s.v });
    }
    if (limit > 0 && out.length > limit)
      throw new RuleEvaluationError(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}
