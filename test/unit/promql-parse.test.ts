import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Binary, Call, Expr, MatrixSelector, Subquery, Unary, VectorSelector } from '../../src/promql/ast.ts';
import { PromqlError } from '../../src/promql/errors.ts';
import { parsePromql } from '../../src/promql/parse.ts';

function badData(query: string, message: RegExp): void {
  assert.throws(
    () => parsePromql(query),
    (e: unknown) => e instanceof PromqlError && e.errorType === 'bad_data' && message.test(e.message),
    query,
  );
}

test('a selector: metric name as a __name__ matcher, every match type', () => {
  const e = parsePromql('up{job=~"redis.*",instance!="a",env!~"dev|test",zone="z"}') as VectorSelector;
  assert.equal(e.kind, 'vector-selector');
  assert.deepEqual(e.matchers, [
    { name: 'job', type: '=~', value: 'redis.*' },
    { name: 'instance', type: '!=', value: 'a' },
    { name: 'env', type: '!~', value: 'dev|test' },
    { name: 'zone', type: '=', value: 'z' },
    { name: '__name__', type: '=', value: 'up' },
  ]);
});

test('range, offset, @ and subquery durations in milliseconds', () => {
  const m = parsePromql('x[1h30m] offset -5m @ 100.5') as MatrixSelector;
  assert.equal(m.range, 5_400_000);
  assert.equal(m.selector.offset, -300_000);
  assert.deepEqual(m.selector.at, { kind: 'time', ms: 100_500 });
  const s = parsePromql('max_over_time(rate(x[1m])[10m:30s] @ end())') as Call;
  const sq = s.args[0] as Subquery;
  assert.equal(sq.kind, 'subquery');
  assert.deepEqual([sq.range, sq.step, sq.at], [600_000, 30_000, { kind: 'end' }]);
  assert.equal((parsePromql('x[5m:]') as Subquery).step, 0);
});

test('offset and @ bind to the operand right before them, as in Prometheus', () => {
  const b = parsePromql('a unless b offset 5m') as Binary;
  assert.equal(b.kind, 'binary');
  assert.equal((b.lhs as VectorSelector).offset, 0);
  assert.equal((b.rhs as VectorSelector).offset, 300_000);
  const u = parsePromql('-x @ start()') as Unary;
  assert.deepEqual((u.expr as VectorSelector).at, { kind: 'start' });
});

test('unary minus applies after ^: -2 ^ 2 is -(2 ^ 2)', () => {
  const e = parsePromql('-2 ^ 2') as Unary;
  assert.equal(e.kind, 'unary');
  assert.equal((e.expr as Binary).op, '^');
});

test('vector matching: on/ignoring, group_left/group_right with included labels; set operators many-to-many', () => {
  const b = parsePromql('a * on(job, instance) group_left(role) b') as Binary;
  assert.deepEqual(b.matching, { card: 'many-to-one', on: true, labels: ['job', 'instance'], include: ['role'] });
  const r = parsePromql('a / ignoring(cmd) group_right b') as Binary;
  assert.deepEqual(r.matching, { card: 'one-to-many', on: false, labels: ['cmd'], include: [] });
  assert.equal((parsePromql('a and b') as Binary).matching?.card, 'many-to-many');
  assert.equal((parsePromql('a + 1') as Binary).matching, undefined);
  assert.equal((parsePromql('a > bool 1') as Binary).returnBool, true);
});

test('numbers and strings', () => {
  assert.deepEqual(parsePromql('0x1f'), { kind: 'number', value: 31 });
  assert.deepEqual(parsePromql('-Inf'), { kind: 'number', value: Number.NEGATIVE_INFINITY });
  assert.deepEqual(parsePromql('"a\\"b"'), { kind: 'string', value: 'a"b' });
});

test('type errors with Prometheus messages', () => {
  badData('rate(x)', /expected type range vector in call to function "rate", got instant vector/);
  badData('sum(x[5m])', /expected type instant vector in aggregation expression, got range vector/);
  badData('1 > 2', /comparisons between scalars must use BOOL modifier/);
  badData('x + bool 1', /bool modifier can only be used on comparison operators/);
  badData('x and 1', /set operator "and" not allowed in binary scalar expression/);
  badData('x and on(a) group_left y', /no grouping allowed for "and" operation/);
  badData('x * on(a) group_left(a) y', /label "a" must not occur in ON and GROUP clause at once/);
  badData('x[5m] + 1', /binary expression must contain only scalar and instant vector types/);
  badData('(x)[5m]', /ranges only allowed for vector selectors/);
  badData('sum(x) offset 5m', /offset modifier must be preceded by/);
  badData('x offset 1m offset 2m', /offset may not be set multiple times/);
  badData('time()[5m:1m]', /subquery is only allowed on instant vector, got scalar/);
  badData('topk(x)', /wrong number of arguments for aggregate expression provided, expected 2, got 1/);
  badData('label_replace(x, "a")', /expected 5 argument\(s\) in call to "label_replace", got 2/);
  badData('-"a"', /unary expression only allowed on expressions of type scalar or instant vector/);
});

test('selector errors: an empty-matching selector, a bad regex, a name given twice', () => {
  badData('{job=~".*"}', /at least one non-empty matcher/);
  badData('{job=""}', /at least one non-empty matcher/);
  badData('x{a=~"("}', /invalid regular expression/);
  badData('x{__name__="y"}', /metric name must not be set twice/);
});

test('syntax errors carry a position', () => {
  try {
    parsePromql('sum(x');
    assert.fail('parsed');
  } catch (e) {
    assert.ok(e instanceof PromqlError);
    assert.equal(e.errorType, 'bad_data');
    assert.equal(e.position?.start, 5);
    assert.match(e.message, /parse error at char 6: unexpected end of input/);
  }
  badData('', /no expression found in input/);
  badData('foo bar', /unexpected "b"/);
});

test('what is not supported is named', () => {
  badData(
    'holt_winters(x[5m], 0.5, 0.5)',
    /unsupported by redoubt's PromQL engine: unknown function with name "holt_winters"/,
  );
  badData(
    'double_exponential_smoothing(x[5m], 0.5, 0.5)',
    /unsupported.*the function double_exponential_smoothing\(\)/,
  );
  badData('limitk(2, x)', /unsupported.*limitk/);
  badData('x[5m+1m]', /unsupported.*duration arithmetic/);
  badData('{"my.metric"}', /unsupported.*quoted metric names/);
});

test('the tree is plain data: the same query parses to the same tree', () => {
  const q = 'sum by (job) (rate(x{a="b"}[5m])) / on(job) group_left count(y) > bool 0.5';
  const a: Expr = parsePromql(q);
  assert.deepEqual(parsePromql(q), a);
});
