/**
 * The metric names (and label matchers) a PromQL expression selects, for "no dead rules / no dead panels"
 * checks: every name a rule or panel queries must be emitted by the exporter or by Prometheus itself.
 *
 * A small tokenizer, not a parser (the PromQL grammar package is not a dependency): it skips strings, comments,
 * numbers and durations, range and subquery brackets, Grafana variables ($var, ${var}, [[var]]), keywords and
 * aggregation operators, function calls (an identifier followed by `(`), and the label lists of
 * by/without/on/ignoring/group_left/group_right. What is left is a metric name, with the `{…}` matchers that
 * follow it; `{__name__="x"}` and Prometheus 3's `{"x"}` select x too.
 */

export type PromqlMatchOp = '=' | '!=' | '=~' | '!~';

export interface PromqlMatcher {
  label: string;
  op: PromqlMatchOp;
  value: string;
}

export interface PromqlSelector {
  /** The metric name, when the selector names one (bare, via __name__= or a quoted name). */
  metric?: string;
  /** Label matchers, __name__ excluded. */
  matchers: PromqlMatcher[];
}

/** Series Prometheus writes itself for every target or rule; they exist without any exporter emitting them. */
export const PROMETHEUS_GENERATED_METRICS: readonly string[] = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
];

/**
 * Series the backups make, not the exporter: `redoubt backup --metrics-file` (through a textfile collector) writes
 * the first three, `redoubt up`'s schedule serves all four (test/integration/monitor/up-backups.test.ts checks both).
 */
export const BACKUP_METRICS: readonly string[] = [
  'redoubt_backup_last_success_timestamp_seconds',
  'redoubt_backup_last_size_bytes',
  'redoubt_backup_failures_total',
  'redoubt_backup_interval_seconds',
];

/** Aggregation operators: followed by `(` or by/without. */
const AGGREGATIONS = [
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
];
const AGGREGATION_SET = new Set(AGGREGATIONS);

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  ...AGGREGATIONS,
]);

/** Keywords whose parenthesised list holds label names, not expressions. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const IDENT_START = /[a-zA-Z_:]/;
const IDENT_CHAR = /[a-zA-Z0-9_:]/;

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }

  peek(offset = 0): string {
    return this.s[this.i + offset] ?? '';
  }

  skipSpaceAndComments(): void {
    while (!this.done) {
      const c = this.peek();
      if (c === '#') {
        while (!this.done && this.peek() !== '\n') this.i++;
      } else if (/\s/.test(c)) {
        this.i++;
      } else {
        return;
      }
    }
  }

  /** The next significant character without consuming it. */
  next(): string {
    const save = this.i;
    this.skipSpaceAndComments();
    const c = this.peek();
    this.i = save;
    return c;
  }

  /** A quoted string starting at the current quote; returns its (unescaped) content. */
  readString(): string {
    const quote = this.peek();
    this.i++;
    let out = '';
    while (!this.done) {
      const c = this.peek();
      this.i++;
      if (c === quote) return out;
      if (c === '\\' && quote !== '`' && !this.done) {
        const e = this.peek();
        this.i++;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else {
        out += c;
      }
    }
    throw new Error(`unterminated string in PromQL: ${this.s}`);
  }

  readIdent(): string {
    const start = this.i;
    while (!this.done && IDENT_CHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  /** Skips a balanced group opened at the current char (`(` or `[`), honouring strings. */
  skipGroup(open: string, close: string): void {
    let depth = 0;
    while (!this.done) {
      const c = this.peek();
      if (c === '"' || c === "'" || c === '`') {
        this.readString();
        continue;
      }
      this.i++;
      if (c === open) depth++;
      else if (c === close && --depth === 0) return;
    }
    throw new Error(`unbalanced ${open}${close} in PromQL: ${this.s}`);
  }

  /** A Grafana variable: $name, ${name…}. */
  skipVariable(): void {
    this.i++; // $
    if (this.peek() === '{') this.skipGroup('{', '}');
    else this.readIdent();
  }

  /** `{…}` label matchers; a bare string is a metric name (Prometheus 3 quoted names). */
  readMatchers(): { metric?: string; matchers: PromqlMatcher[] } {
    this.i++; // {
    const matchers: PromqlMatcher[] = [];
    let metric: string | undefined;
    for (;;) {
      this.skipSpaceAndComments();
      const c = this.peek();
      if (this.done) throw new Error(`unterminated {…} in PromQL: ${this.s}`);
      if (c === '}') {
        this.i++;
        break;
      }
      if (c === ',') {
        this.i++;
        continue;
      }
      let label: string;
      if (c === '"' || c === "'" || c === '`') label = this.readString();
      else if (IDENT_START.test(c)) label = this.readIdent();
      else throw new Error(`unexpected ${c} in label matchers of PromQL: ${this.s}`);
      this.skipSpaceAndComments();
      const op = (['=~', '!~', '!=', '='] as const).find((o) => this.s.startsWith(o, this.i));
      if (!op) {
        metric = label; // {"metric.name", …}
        continue;
      }
      this.i += op.length;
      this.skipSpaceAndComments();
      const q = this.peek();
      if (q !== '"' && q !== "'" && q !== '`')
        throw new Error(`label ${label} needs a quoted value in PromQL: ${this.s}`);
      const value = this.readString();
      if (label === '__name__' && op === '=') metric = value;
      else matchers.push({ label, op, value });
    }
    return { metric, matchers };
  }
}

export interface PromqlScan {
  selectors: PromqlSelector[];
  /** Contents of every `[…]`: range selectors and subqueries. */
  ranges: string[];
  /** Identifiers called as functions or used as aggregations (rate, sum, topk, time …). */
  functions: string[];
}

/** Every vector selector in `expr`, in order of appearance. Throws on unbalanced brackets or strings. */
export function promqlSelectors(expr: string): PromqlSelector[] {
  return scanPromql(expr).selectors;
}

/** One pass over `expr`: its selectors, `[…]` ranges and function calls (dashboard `$__rate_interval` checks). */
export function scanPromql(expr: string): PromqlScan {
  const sc = new Scanner(expr);
  const out: PromqlSelector[] = [];
  const ranges: string[] = [];
  const functions: string[] = [];
  while (!sc.done) {
    sc.skipSpaceAndComments();
    if (sc.done) break;
    const c = sc.peek();
    if (c === '"' || c === "'" || c === '`') {
      sc.readString();
    } else if (c === '$') {
      sc.skipVariable();
    } else if (c === '[') {
      const start = sc.i;
      sc.skipGroup('[', ']'); // ranges, subqueries, [[grafana var]]
      ranges.push(expr.slice(start + 1, sc.i - 1));
    } else if (c === '{') {
      const m = sc.readMatchers();
      out.push(m.metric ? { metric: m.metric, matchers: m.matchers } : { matchers: m.matchers });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sc.peek(1)))) {
      while (!sc.done && /[0-9a-zA-Z_.]/.test(sc.peek())) sc.i++; // 1.5, 1e3, 0x1f, 5m, 1h30m
    } else if (IDENT_START.test(c)) {
      const ident = sc.readIdent();
      const lower = ident.toLowerCase();
      const after = sc.next();
      if (AGGREGATION_SET.has(lower)) functions.push(ident);
      if (KEYWORDS.has(lower)) {
        if (LABEL_LIST_KEYWORDS.has(lower) && after === '(') {
          sc.skipSpaceAndComments();
          sc.skipGroup('(', ')');
        }
      } else if (lower === 'inf' || lower === 'nan') {
        // number literal
      } else if (after === '(') {
        functions.push(ident); // function call (also @ start() / end()); its arguments are scanned as expressions
      } else {
        const sel: PromqlSelector = { metric: ident, matchers: [] };
        if (after === '{') {
          sc.skipSpaceAndComments();
          const m = sc.readMatchers();
          sel.matchers = m.matchers;
        }
        out.push(sel);
      }
    } else {
      sc.i++; // operators, parentheses, commas, @
    }
  }
  return { selectors: out, ranges, functions };
}

/** The distinct metric names `expr` selects, sorted. */
export function promqlMetricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const s of promqlSelectors(expr)) if (s.metric) names.add(s.metric);
  return [...names].sort();
}
