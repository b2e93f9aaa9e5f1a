/**
 * Prometheus's rule file format (the `rule_files` Prometheus loads; `promtool check rules`): groups with a name,
 * an optional interval and limit, and recording (`record`) or alerting (`alert`) rules. Parsed strictly, every
 * error naming the file, line and key, so `redoubt up --rules FILE` refuses what Prometheus would refuse.
 */
import { parsePromDuration } from './duration.ts';
import { compileTemplate, TemplateError } from './template.ts';
import { YamlFile, YamlInputError, type YamlValue } from './yaml-reader.ts';

/** A rule file larger than this is refused (the catalogue's is 20 KB). */
export const MAX_RULE_FILE_BYTES = 16 * 1024 * 1024;

export class RuleFileError extends YamlInputError {
  constructor(message: string) {
    super(message);
    this.name = 'RuleFileError';
  }
}

export interface RecordingRuleSpec {
  readonly kind: 'record';
  readonly name: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly line: number;
}

export interface AlertingRuleSpec {
  readonly kind: 'alert';
  readonly name: string;
  readonly expr: string;
  /** `for` in ms (0: fires on the first evaluation that returns it). */
  readonly forMs: number;
  /** `keep_firing_for` in ms (Prometheus 2.45+): how long a firing alert outlives its condition. */
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly line: number;
}

export type RuleSpec = RecordingRuleSpec | AlertingRuleSpec;

export interface RuleGroupSpec {
  readonly name: string;
  /** The file the group came from (as given). */
  readonly file: string;
  /** Evaluation interval in ms; undefined: the global one. */
  readonly intervalMs?: number;
  /** Max series a rule may return (0: no limit). */
  readonly limit: number;
  readonly rules: readonly RuleSpec[];
}

/** Checks a PromQL expression; returns an error message, or undefined when it parses. */
export type ExprCheck = (expr: string) => string | undefined;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function duration(v: YamlValue | undefined): number | undefined {
  if (!v || v.isMissing()) return undefined;
  const text = v.string();
  const ms = parsePromDuration(text);
  if (ms === undefined) v.fail(`"${text}" is not a duration; use a value like 30s, 5m or 1h`);
  return ms;
}

function labelMap(v: YamlValue | undefined, what: 'labels' | 'annotations', ruleName: string): Record<string, string> {
  if (!v) return {};
  const out = v.stringMap();
  for (const [name, value] of Object.entries(out)) {
    if (!LABEL_NAME.test(name)) v.fail(`invalid ${what === 'labels' ? 'label' : 'annotation'} name "${name}"`);
    if (what === 'labels' && name === '__name__') v.fail('a rule cannot set __name__');
    try {
      compileTemplate(value, `__alert_${ruleName}`);
    } catch (e) {
      if (e instanceof TemplateError) v.fail(`${name}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

function parseRule(r: YamlValue, check: ExprCheck | undefined): RuleSpec {
  const keys = r.map(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
  const record = keys.get('record')?.optionalString();
  const alert = keys.get('alert')?.optionalString();
  if ((record === undefined) === (alert === undefined)) r.fail('a rule needs exactly one of record or alert');
  const exprNode = keys.get('expr');
  const expr = exprNode?.optionalString()?.trim();
  if (!exprNode || !expr) throw r.error('expr is required');
  const problem = check?.(expr);
  if (problem) exprNode.fail(`could not parse expression: ${problem}`);
  if (record !== undefined) {
    if (!METRIC_NAME.test(record)) keys.get('record')!.fail(`invalid recording rule name "${record}"`);
    for (const k of ['for', 'keep_firing_for', 'annotations'])
      if (keys.has(k)) keys.get(k)!.fail(`invalid field '${k}' in recording rule`);
    return { kind: 'record', name: record, expr, labels: labelMap(keys.get('labels'), 'labels', record), line: r.line };
  }
  const name = alert as string;
  if (name === '') keys.get('alert')!.fail('an alert needs a name');
  return {
    kind: 'alert',
    name,
    expr,
    forMs: duration(keys.get('for')) ?? 0,
    keepFiringForMs: duration(keys.get('keep_firing_for')) ?? 0,
    labels: labelMap(keys.get('labels'), 'labels', name),
    annotations: labelMap(keys.get('annotations'), 'annotations', name),
    line: r.line,
  };
}

/** Parses a rule file's text; `source` names it in errors. Throws RuleFileError. */
export function parseRuleFile(text: string, source: string, check?: ExprCheck): RuleGroupSpec[] {
  try {
    const file = new YamlFile(text, source);
    const groups: RuleGroupSpec[] = [];
    const names = new Set<string>();
    for (const g of file.root.map(['groups']).get('groups')?.list() ?? []) {
      const keys = g.map(['name', 'interval', 'limit', 'rules', 'query_offset']);
      const name = keys.get('name')?.optionalString();
      if (!name) throw g.error('a group needs a name');
      if (names.has(name)) keys.get('name')!.fail(`group "${name}" is repeated in the same file`);
      names.add(name);
      const limitNode = keys.get('limit');
      const limit = limitNode && !limitNode.isMissing() ? limitNode.number() : 0;
      if (!Number.isInteger(limit) || limit < 0) limitNode!.fail('limit must be a whole number, 0 or more');
      const intervalMs = duration(keys.get('interval'));
      if (intervalMs === 0) keys.get('interval')!.fail('interval must be more than 0');
      const rules = (keys.get('rules')?.list() ?? []).map((r) => parseRule(r, check));
      groups.push({ name, file: source, intervalMs, limit, rules });
    }
    return groups;
  } catch (e) {
    if (e instanceof YamlInputError && !(e instanceof RuleFileError)) throw new RuleFileError(e.message);
    throw e;
  }
}
