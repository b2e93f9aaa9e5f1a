import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instantQuery } from '../../src/promql/engine.ts';
import { PromqlError } from '../../src/promql/errors.ts';
import { at, load } from '../support/promql-load.ts';

const s = load({
  'mem{instance="a",job="r"}': [[0, 80]],
  'mem{instance="b",job="r"}': [[0, 30]],
  'max{instance="a",job="r"}': [[0, 100]],
  'max{instance="b",job="r"}': [[0, 0]],
  'cmd{cmd="get",instance="a",job="r"}': [[0, 6]],
  'cmd{cmd="set",instance="a",job="r"}': [[0, 4]],
  'cmd{cmd="get",instance="b",job="r"}': [[0, 2]],
  'info{instance="a",job="r",role="master"}': [[0, 1]],
  'info{instance="b",job="r",role="replica"}': [[0, 1]],
});
const t = 10;

function execution(expr: string, message: RegExp): void {
  assert.throws(
    () => instantQuery(s, expr, t * 1000),
    (e: unknown) => e instanceof PromqlError && e.errorType === 'execution' && message.test(e.message),
    expr,
  );
}

test('arithmetic between vectors matches identical label sets and drops the metric name', () => {
  assert.deepEqual(at(s, 'mem / max', t), {
    '{instance="a",job="r"}': 0.8,
    '{instance="b",job="r"}': Number.POSITIVE_INFINITY,
  });
  assert.deepEqual(at(s, 'mem / (max > 0)', t), { '{instance="a",job="r"}': 0.8 });
  assert.deepEqual(at(s, '100 * mem / (max > 0) > 50', t), { '{instance="a",job="r"}': 80 });
});

test('comparisons filter and keep the name; bool returns 0/1 without the name; the vector value is kept', () => {
  assert.deepEqual(at(s, 'mem > 50', t), { 'mem{instance="a",job="r"}': 80 });
  assert.deepEqual(at(s, '50 < mem', t), { 'mem{instance="a",job="r"}': 80 });
  assert.deepEqual(at(s, 'mem > bool 50', t), { '{instance="a",job="r"}': 1, '{instance="b",job="r"}': 0 });
  assert.deepEqual(at(s, '1 < bool 2', t), { scalar: 1 });
  assert.deepEqual(at(s, 'mem == bool max', t), { '{instance="a",job="r"}': 0, '{instance="b",job="r"}': 0 });
});

test('scalar arithmetic: precedence, right-associative ^, Go modulo and power', () => {
  assert.deepEqual(at(s, '1 + 2 * 3 - 4 / 2', t), { scalar: 5 });
  assert.deepEqual(at(s, '2 ^ 3 ^ 2', t), { scalar: 512 });
  assert.deepEqual(at(s, '-2 ^ 2', t), { scalar: -4 });
  assert.deepEqual(at(s, '-7 % 3', t), { scalar: -1 });
  assert.deepEqual(at(s, '1 ^ NaN', t), { scalar: 1 });
  assert.deepEqual(at(s, 'NaN ^ 0', t), { scalar: 1 });
  assert.deepEqual(at(s, '1 / 0', t), { scalar: Number.POSITIVE_INFINITY });
});

test('on/ignoring and group_left/group_right copy labels from the one side', () => {
  assert.deepEqual(at(s, 'cmd / on(instance) group_left mem', t), {
    '{cmd="get",instance="a",job="r"}': 6 / 80,
    '{cmd="set",instance="a",job="r"}': 4 / 80,
    '{cmd="get",instance="b",job="r"}': 2 / 30,
  });
  assert.deepEqual(at(s, 'mem * on(instance) group_left(role) info', t), {
    '{instance="a",job="r",role="master"}': 80,
    '{instance="b",job="r",role="replica"}': 30,
  });
  assert.deepEqual(at(s, 'mem - on(instance) group_right cmd', t), {
    '{cmd="get",instance="a",job="r"}': 74,
    '{cmd="set",instance="a",job="r"}': 76,
    '{cmd="get",instance="b",job="r"}': 28,
  });
  assert.deepEqual(at(s, 'mem + on(instance) max', t), { '{instance="a"}': 180, '{instance="b"}': 30 });
  assert.deepEqual(at(s, 'mem + ignoring(job) max', t), { '{instance="a"}': 180, '{instance="b"}': 30 });
});

test("Prometheus's matching errors", () => {
  execution('cmd / on(instance) mem', /multiple matches for labels: many-to-one matching must be explicit/);
  execution(
    'mem / on(instance) cmd',
    /found duplicate series for the match group \{instance="a"\} on the right hand-side/,
  );
  execution(
    'cmd / on(job) group_left mem',
    /found duplicate series for the match group \{job="r"\} on the right hand-side/,
  );
  execution(
    'cmd / on(instance) group_left(cmd) mem * 0 + on(instance) group_left cmd',
    /duplicate series|multiple matches/,
  );
  execution('{__name__=~"mem|max"} * 2', /vector cannot contain metrics with the same labelset/);
  assert.deepEqual(at(s, 'nope / on(instance) cmd', t), {}, 'one side empty: nothing to match, no error');
});

test('and, or, unless match on all labels but the name, or on the listed ones', () => {
  assert.deepEqual(at(s, 'mem and max > 0', t), { 'mem{instance="a",job="r"}': 80 });
  assert.deepEqual(at(s, 'mem unless max > 0', t), { 'mem{instance="b",job="r"}': 30 });
  assert.deepEqual(at(s, 'max > 0 or mem', t), { 'max{instance="a",job="r"}': 100, 'mem{instance="b",job="r"}': 30 });
  assert.deepEqual(at(s, 'cmd and on(instance) info{role="master"}', t), {
    'cmd{cmd="get",instance="a",job="r"}': 6,
    'cmd{cmd="set",instance="a",job="r"}': 4,
  });
});

test('unary minus drops the name; plus keeps everything', () => {
  assert.deepEqual(at(s, '-mem', t), { '{instance="a",job="r"}': -80, '{instance="b",job="r"}': -30 });
  assert.deepEqual(at(s, '+mem{instance="a"}', t), { 'mem{instance="a",job="r"}': 80 });
});

test('aggregations with by and without', () => {
  assert.deepEqual(at(s, 'sum(cmd)', t), { '{}': 12 });
  assert.deepEqual(at(s, 'sum by (instance) (cmd)', t), { '{instance="a"}': 10, '{instance="b"}': 2 });
  assert.deepEqual(at(s, 'sum without (cmd) (cmd)', t), { '{instance="a",job="r"}': 10, '{instance="b",job="r"}': 2 });
  assert.deepEqual(at(s, 'avg(cmd)', t), { '{}': 4 });
  assert.deepEqual(at(s, 'min(cmd)', t), { '{}': 2 });
  assert.deepEqual(at(s, 'max by (cmd) (cmd)', t), { '{cmd="get"}': 6, '{cmd="set"}': 4 });
  assert.deepEqual(at(s, 'count(cmd)', t), { '{}': 3 });
  assert.deepEqual(at(s, 'group by (job) (cmd)', t), { '{job="r"}': 1 });
  assert.deepEqual(at(s, 'stdvar(cmd)', t), { '{}': 8 / 3 });
  assert.deepEqual(at(s, 'stddev(cmd)', t), { '{}': Math.sqrt(8 / 3) });
  assert.deepEqual(at(s, 'quantile(0.5, cmd)', t), { '{}': 4 });
  assert.deepEqual(at(s, 'sum by (__name__) ({__name__=~"mem|max"})', t), { 'mem{}': 110, 'max{}': 100 });
});

test('topk/bottomk keep the series; count_values labels values as Go formats them', () => {
  assert.deepEqual(at(s, 'topk(2, cmd)', t), {
    'cmd{cmd="get",instance="a",job="r"}': 6,
    'cmd{cmd="set",instance="a",job="r"}': 4,
  });
  assert.deepEqual(at(s, 'bottomk by (instance) (1, cmd)', t), {
    'cmd{cmd="set",instance="a",job="r"}': 4,
    'cmd{cmd="get",instance="b",job="r"}': 2,
  });
  assert.deepEqual(at(s, 'topk(0, cmd)', t), {});
  const v = instantQuery(s, 'topk(3, cmd)', t * 1000);
  assert.deepEqual(v.type === 'vector' ? v.samples.map((x) => x.v) : [], [6, 4, 2], 'largest first');
  assert.deepEqual(at(s, 'count_values("v", info)', t), { '{v="1"}': 2 });
  assert.deepEqual(at(s, 'count_values by (instance) ("v", cmd * 1e21)', t), {
    '{instance="a",v="6000000000000000000000"}': 1,
    '{instance="a",v="4000000000000000000000"}': 1,
    '{instance="b",v="2000000000000000000000"}': 1,
  });
  execution('count_values("a-b", cmd)', /invalid label name "a-b"/);
});

test('avg of infinities of one sign stays infinite', () => {
  const inf = load({
    'x{a="1"}': [[0, Number.POSITIVE_INFINITY]],
    'x{a="2"}': [[0, 5]],
    'x{a="3"}': [[0, Number.POSITIVE_INFINITY]],
  });
  assert.deepEqual(at(inf, 'avg(x)', 0), { '{}': Number.POSITIVE_INFINITY });
});
