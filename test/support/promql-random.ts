/**
 * Random PromQL over the grammar redoubt supports, seeded so a failure reproduces: expressions of a wanted type
 * (instant vector, range vector, scalar) built from the differential test's metrics, functions, aggregations,
 * operators with vector matching, offsets, @ and subqueries. topk/bottomk are left out: their choice among equal
 * values is an implementation detail (the hand-written set covers them on data without ties).
 */

type Rand = () => number;

function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SELECTORS = [
  'redis_memory_used_bytes',
  'redis_connected_clients{instance=~"r[12].*"}',
  'redis_commands_total',
  'redis_commands_total{cmd!="set"}',
  'redis_up',
  'up',
  'test_nan_gauge',
  'redis_db_keys',
  'redis_instance_info',
  'test_request_duration_seconds_bucket{le=~"0.1|1|\\\\+Inf"}',
];
const RANGES = ['1m', '90s', '5m', '10m', '1h'];
const RANGE_FUNCTIONS = [
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'stddev_over_time',
  'absent_over_time',
];
const VECTOR_FUNCTIONS = ['abs', 'ceil', 'floor', 'round', 'sqrt', 'ln', 'log10', 'sgn', 'timestamp', 'absent'];
const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const GROUP_LABELS = ['instance', 'job', 'cmd', 'le'];
const ARITHMETIC = ['+', '-', '*', '/', '%', '^'];
const COMPARISONS = ['==', '!=', '>', '<', '>=', '<='];
const SETS = ['and', 'or', 'unless'];
const MODIFIERS = ['', ' offset 5m', ' offset 30m', ' @ start()', ' @ end()', ' offset -2m'];

class Generator {
  constructor(private readonly rand: Rand) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)] as T;
  }

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  private grouping(): string {
    if (this.chance(0.4)) return '';
    const labels = GROUP_LABELS.filter(() => this.chance(0.4));
    return ` ${this.chance(0.5) ? 'by' : 'without'} (${labels.join(', ')})`;
  }

  private selector(): string {
    return this.pick(SELECTORS) + (this.chance(0.25) ? this.pick(MODIFIERS) : '');
  }

  matrix(depth: number): string {
    if (depth > 0 && this.chance(0.2)) {
      const step = this.pick(['', '1m', '30s', '2m']);
      return `(${this.vector(depth - 1)})[${this.pick(['5m', '10m', '20m'])}:${step}]`;
    }
    return `${this.pick(SELECTORS)}[${this.pick(RANGES)}]${this.chance(0.2) ? this.pick(MODIFIERS) : ''}`;
  }

  scalar(depth: number): string {
    const r = this.rand();
    if (depth <= 0 || r < 0.5) return this.pick(['1', '2', '0.5', '100', '1e6', '-3', '0']);
    if (r < 0.65) return 'time()';
    if (r < 0.8) return `scalar(${this.vector(depth - 1)})`;
    return `(${this.scalar(depth - 1)} ${this.pick(ARITHMETIC)} ${this.scalar(depth - 1)})`;
  }

  vector(depth: number): string {
    if (depth <= 0) return this.selector();
    const r = this.rand();
    if (r < 0.15) return this.selector();
    if (r < 0.35) return `${this.pick(RANGE_FUNCTIONS)}(${this.matrix(depth - 1)})`;
    if (r < 0.45) return `${this.pick(VECTOR_FUNCTIONS)}(${this.vector(depth - 1)})`;
    if (r < 0.55) return this.otherFunction(depth);
    if (r < 0.7) return `${this.pick(AGGREGATIONS)}${this.grouping()} (${this.vector(depth - 1)})`;
    if (r < 0.75) return `-(${this.vector(depth - 1)})`;
    return this.binary(depth);
  }

  private otherFunction(depth: number): string {
    const v = this.vector(depth - 1);
    switch (this.pick(['clamp', 'quantile', 'hq', 'predict', 'label', 'count_values', 'vector'])) {
      case 'clamp':
        return `clamp(${v}, ${this.scalar(0)}, ${this.scalar(0)})`;
      case 'quantile':
        return `quantile${this.grouping()} (${this.pick(['0', '0.5', '0.9', '1'])}, ${v})`;
      case 'hq':
        return `histogram_quantile(${this.pick(['0.5', '0.9'])}, rate(test_request_duration_seconds_bucket[${this.pick(RANGES)}]))`;
      case 'predict':
        return `predict_linear(${this.matrix(depth - 1)}, ${this.pick(['60', '3600'])})`;
      case 'label':
        return `label_replace(${v}, "host", "$1", "instance", "(r\\\\d+):.*")`;
      case 'count_values':
        return `count_values${this.grouping()} ("v", round(${v}))`;
      default:
        return `vector(${this.scalar(depth - 1)})`;
    }
  }

  private binary(depth: number): string {
    const lhs = this.vector(depth - 1);
    const kind = this.rand();
    if (kind < 0.3) {
      const op = this.pick([...ARITHMETIC, ...COMPARISONS]);
      const bool = COMPARISONS.includes(op) && this.chance(0.5) ? ' bool' : '';
      return this.chance(0.5) ? `(${lhs}) ${op}${bool} ${this.scalar(1)}` : `${this.scalar(1)} ${op}${bool} (${lhs})`;
    }
    const rhs = this.vector(depth - 1);
    if (kind < 0.55) return `(${lhs}) ${this.pick(SETS)}${this.matching(false)} (${rhs})`;
    const op = this.pick([...ARITHMETIC, ...COMPARISONS]);
    const bool = COMPARISONS.includes(op) && this.chance(0.4) ? ' bool' : '';
    return `(${lhs}) ${op}${bool}${this.matching(true)} (${rhs})`;
  }

  private matching(grouped: boolean): string {
    if (this.chance(0.4)) return '';
    const labels = GROUP_LABELS.filter(() => this.chance(0.4)).join(', ');
    const clause = ` ${this.chance(0.6) ? 'on' : 'ignoring'}(${labels})`;
    if (!grouped || this.chance(0.6)) return clause;
    return `${clause} ${this.pick(['group_left', 'group_right'])}${this.chance(0.5) ? '(role)' : ''}`;
  }
}

/** `count` distinct random expressions (instant vectors, a few scalars) from `seed`. */
export function randomExpressions(seed: number, count: number): string[] {
  const g = new Generator(prng(seed));
  const out = new Set<string>();
  for (let i = 0; out.size < count && i < count * 20; i++) {
    out.add(i % 10 === 9 ? g.scalar(3) : g.vector(1 + (i % 3)));
  }
  return [...out];
}
