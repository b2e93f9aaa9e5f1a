import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeptSlowlogEntry, MAX_SLOWLOG_READ, SlowlogHistory } from '../../src/monitor/slowlog-history.ts';
import { parseSlowlogEntry, parseSlowlogGetAll } from '../../src/monitor/slowlog-read.ts';

const entry = (id: number, at = id * 1000): KeptSlowlogEntry => ({
  id,
  at,
  durationMicros: 10,
  command: ['GET', `k${id}`],
  client: '127.0.0.1:1',
  clientName: '',
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));

test('the first read takes what the server has, later reads only what is new; overlaps are kept once', () => {
  const h = new SlowlogHistory();
  assert.equal(h.toRead(undefined, 0, 'r1'), 0, 'an empty slowlog costs nothing');
  assert.equal(h.toRead(9, 10, 'r1'), 10);
  h.record(range(0, 9), 9, 1000);
  assert.equal(h.toRead(9, 10, 'r1'), 0, 'nothing new: no read');
  assert.equal(h.toRead(12, 10, 'r1'), 3 + 32, 'the new ones, and some slack for those logged since the scrape');
  h.record(range(3, 13), 12, 2000);
  const { entries, missed } = h.query(0, 100);
  assert.deepEqual(
    entries.map((e) => e.id),
    range(0, 13)
      .map((e) => e.id)
      .reverse(),
  );
  assert.equal(missed, 0);
});

test("the snapshot's newest entry alone is enough when it is the only new one", () => {
  const h = new SlowlogHistory();
  assert.equal(h.toRead(0, 1, 'r1'), 1);
  assert.ok(h.onlyNewestIsNew(0, 1), 'a first read of a slowlog of one');
  assert.ok(!h.onlyNewestIsNew(4, 5), 'a first read of more');
  h.record([entry(0)], 0, 1000);
  assert.equal(h.toRead(1, 2, 'r1'), 1 + 32);
  assert.ok(h.onlyNewestIsNew(1, 2), 'one new since the last kept');
  assert.ok(!h.onlyNewestIsNew(2, 3), 'two new');
  h.record([entry(1)], 1, 2000);
  assert.deepEqual(
    h.query(0, 10).entries.map((e) => e.id),
    [1, 0],
  );
  assert.equal(h.query(0, 10).missed, 0);
});

test('ids the server dropped before they were read are a gap, counted from when it was found', () => {
  const h = new SlowlogHistory();
  h.toRead(4, 5, 'r1');
  h.record(range(0, 4), 4, 1000);
  h.toRead(30, 8, 'r1');
  h.record(range(23, 30), 30, 5000);
  assert.equal(h.query(0, 100).missed, 18, 'ids 5 to 22');
  assert.equal(h.query(5000, 100).missed, 18);
  assert.equal(h.query(5001, 100).missed, 0);
  assert.equal(h.size(), 13);
});

test('a restarted server (new run_id, or ids going back) is read afresh with no gap', () => {
  const h = new SlowlogHistory();
  h.toRead(100, 10, 'r1');
  h.record(range(91, 100), 100, 1000);
  assert.equal(h.toRead(2, 3, 'r2'), 3);
  h.record(range(0, 2), 2, 2000);
  assert.equal(h.size(), 13);
  assert.equal(h.query(0, 100).missed, 0);
  assert.equal(h.toRead(1, 2, 'r2'), 2, 'ids went back under the same run_id');
});

test('kept entries and a read are bounded', () => {
  const h = new SlowlogHistory(50);
  assert.equal(h.toRead(1e12, 1e9, 'r'), MAX_SLOWLOG_READ);
  h.record(range(0, 199), 199, 1);
  assert.equal(h.size(), 50);
  assert.equal(h.query(0, 10).entries.length, 10);
  assert.equal(h.query(0, 10).entries[0].id, 199);
  assert.equal(h.toRead(Number.NaN, 1, 'r'), 0);
  assert.equal(h.toRead(-5, 1, 'r'), 0);
});

test('SLOWLOG GET replies from a hostile server: shapes checked, sizes bounded, controls made visible', () => {
  assert.equal(parseSlowlogEntry('x'), undefined);
  assert.equal(parseSlowlogEntry([1, 2, 3]), undefined);
  assert.equal(parseSlowlogEntry([-1, 2, 3, []]), undefined);
  assert.equal(parseSlowlogEntry(['1e400', 2, 3, []]), undefined);
  assert.equal(parseSlowlogEntry([1, 2, 3, 'not a list']), undefined);
  const e = parseSlowlogEntry([
    7,
    1700000000,
    1500,
    ['SET', Buffer.from('k\x1b[31m'), 'v'.repeat(10_000), ...Array.from({ length: 100 }, () => 'a')],
    '10.0.0.1:5000',
    '<script>alert(1)</script>',
  ]);
  assert.ok(e);
  assert.equal(e.id, 7);
  assert.equal(e.at, 1700000000 * 1000);
  assert.equal(e.durationMicros, 1500);
  assert.equal(e.command.length, 33);
  assert.equal(e.command[1], 'k\\x1b[31m');
  assert.ok(e.command[2].length <= 257);
  assert.equal(e.clientName, '<script>alert(1)</script>', 'kept as text: the pages never render it as HTML');
  const old = parseSlowlogEntry([1, 2, 3, ['PING']]);
  assert.deepEqual([old?.client, old?.clientName], ['', ''], 'Redis before 4.0 has no client fields');
  assert.equal(
    parseSlowlogGetAll(
      Array.from({ length: 1000 }, (_, i) => [i, 1, 1, ['PING']]),
      10,
    ).length,
    10,
  );
  assert.deepEqual(parseSlowlogGetAll('nope'), []);
});

test('passwords an old server logged in its slowlog are hidden as Redis 6.2+ hides them', () => {
  const r = (args: string[]) => parseSlowlogEntry([1, 1, 1, args])?.command;
  assert.deepEqual(r(['AUTH', 'pw']), ['AUTH', '(redacted)']);
  assert.deepEqual(r(['auth', 'user', 'pw']), ['auth', '(redacted)', '(redacted)']);
  assert.deepEqual(r(['HELLO', '3', 'AUTH', 'u', 'pw', 'SETNAME', 'n']), [
    'HELLO',
    '3',
    'AUTH',
    'u',
    '(redacted)',
    'SETNAME',
    'n',
  ]);
  assert.deepEqual(r(['CONFIG', 'SET', 'maxmemory', '1mb', 'requirepass', 'pw']), [
    'CONFIG',
    'SET',
    'maxmemory',
    '1mb',
    'requirepass',
    '(redacted)',
  ]);
  assert.deepEqual(r(['ACL', 'SETUSER', 'u', 'on', '>pw', '<old', '#abcd', '~*', '+@all']), [
    'ACL',
    'SETUSER',
    'u',
    'on',
    '(redacted)',
    '(redacted)',
    '(redacted)',
    '~*',
    '+@all',
  ]);
  assert.deepEqual(r(['MIGRATE', 'h', '1', '', '0', '10', 'AUTH2', 'u', 'pw', 'KEYS', 'a']), [
    'MIGRATE',
    'h',
    '1',
    '',
    '0',
    '10',
    'AUTH2',
    '(redacted)',
    '(redacted)',
    'KEYS',
    'a',
  ]);
  assert.deepEqual(r(['GET', 'auth']), ['GET', 'auth']);
});
