import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FamilyBuilder, type MetricFamily } from '../../src/metrics/family.ts';
import { addInfoFamilies, clearInfoMemo, forEachCommandStat, type InfoFamilyOptions } from '../../src/metrics/info.ts';
import { type CommandStat, type LatencyStat, parseCommandStat, parseLatencyStat } from '../../src/redis/info-fields.ts';
import { InfoMemo, isTrimmed, LineCursor, parseInfo } from '../../src/redis/info-lines.ts';
import type { Snapshot } from '../../src/redis/snapshot.ts';
import { parseGoFloat } from '../../src/text/go-format.ts';
import { fixtureSnapshot, INFO_FIXTURES } from '../support/info-fixtures.ts';

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function build(snapshot: Snapshot, opts: Partial<InfoFamilyOptions> = {}): MetricFamily[] {
  const b = new FamilyBuilder('redis');
  addInfoFamilies(b, snapshot, { includeSystemMetrics: false, nowSeconds: snapshot.takenAtMs / 1000, ...opts });
  return b.families();
}

/** JSON keeps label order, which the exposition depends on. */
const text = (families: MetricFamily[]) => JSON.stringify(families);

function fresh(snapshot: Snapshot, opts: Partial<InfoFamilyOptions> = {}): string {
  clearInfoMemo();
  const out = text(build(snapshot, opts));
  clearInfoMemo();
  return out;
}

const master = fixtureSnapshot('master');
const replica = fixtureSnapshot('replica');
const withInfo = (base: Snapshot, info: string): Snapshot => ({ ...base, info });
const edit = (base: Snapshot, from: string | RegExp, to: string): Snapshot => {
  const info = base.info.replace(from, to);
  assert.notEqual(info, base.info, `${from} not found`);
  return withInfo(base, info);
};
const lineOf = (info: string, key: string) => {
  const line = info.split('\r\n').find((l) => l.startsWith(`${key}:`));
  assert.ok(line, key);
  return `${line}\r\n`;
};

const VARIANTS: Array<[string, Snapshot]> = [
  ['master', master],
  [
    'values changed',
    edit(
      edit(edit(master, /uptime_in_seconds:\d+/, 'uptime_in_seconds:99999'), /used_memory:\d+/, 'used_memory:1'),
      'cmdstat_get:calls=2,usec=2,',
      'cmdstat_get:calls=3,usec=9,',
    ),
  ],
  ['a value turns invalid', edit(master, 'cmdstat_get:calls=2,', 'cmdstat_get:calls=x,')],
  ['a command line disappears', edit(master, lineOf(master.info, 'cmdstat_get'), '')],
  ['a latency line disappears', edit(master, lineOf(master.info, 'latency_percentiles_usec_get'), '')],
  [
    'a new command appears',
    edit(
      edit(
        master,
        lineOf(master.info, 'cmdstat_get'),
        `${lineOf(master.info, 'cmdstat_get')}cmdstat_aaa:calls=7,usec=70,usec_per_call=10.00,rejected_calls=1,failed_calls=2\r\n`,
      ),
      lineOf(master.info, 'latency_percentiles_usec_get'),
      `${lineOf(master.info, 'latency_percentiles_usec_get')}latency_percentiles_usec_aaa:p50=5.001,p99=9.002,p99.9=9.002\r\n`,
    ),
  ],
  [
    'a replica appears',
    edit(
      edit(master, 'connected_slaves:1', 'connected_slaves:2'),
      lineOf(master.info, 'slave0'),
      `${lineOf(master.info, 'slave0')}slave1:ip=10.0.0.9,port=6380,state=wait_bgsave,offset=0,lag=1\r\n`,
    ),
  ],
  ['the replica moves', edit(master, 'slave0:ip=127.0.0.1,port=33395', 'slave0:ip=127.0.0.1,port=40000')],
  ['a database disappears', edit(master, lineOf(master.info, 'db3'), '')],
  ['two lines swap', edit(master, 'connected_slaves:1\r\nslave0:', 'slave0:')],
  ['no run_id', edit(master, lineOf(master.info, 'run_id'), '')],
  ['LF line ends', withInfo(master, master.info.replaceAll('\r\n', '\n'))],
  [
    'garbage and whitespace',
    edit(
      master,
      '# Clients\r\n',
      '# Clients\r\n  spaced_key:5 \t\r\nnocolon\r\n:novalue\r\n\u00a0cluster_x:1\u00a0\r\n#\r\n',
    ),
  ],
  ['a repeated field (merged sections)', edit(master, '# Clients\r\n', '# Clients\r\nuptime_in_seconds:1\r\n')],
  ['a repeated section', withInfo(master, `${master.info}# Server\r\nhz:99\r\nlru_clock:1\r\n`)],
  ['a renamed section', edit(master, '# Errorstats', '# Errorstats2')],
  ['replica', replica],
  ['replica, master port changed', edit(replica, 'master_port:38291', 'master_port:1234')],
  ['replica, CONFIG databases 4', { ...replica, config: { ...replica.config, databases: '4' } }],
  ...INFO_FIXTURES.filter((n) => n !== 'master' && n !== 'replica').map((n): [string, Snapshot] => [
    n,
    fixtureSnapshot(n),
  ]),
  [
    'KeyDB multi-master',
    withInfo(
      master,
      '# Replication\nrole:active-replica\nmaster_host:a\nmaster_port:1\nmaster_link_status:up\nmaster_1_host:b\nmaster_1_port:2\nmaster_1_link_status:down\nmaster_sync_perc:5\n',
    ),
  ],
  [
    'sentinel',
    withInfo(
      master,
      '# Sentinel\nsentinel_masters:1\nsentinel_tilt:0\nmaster0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=2,sentinels=3\n',
    ),
  ],
  ['empty', withInfo(master, '')],
];

describe('memoised INFO → families equals a fresh parse', () => {
  test('every variant read after every other one (and again)', () => {
    const expected = new Map(VARIANTS.map(([name, snap]) => [name, fresh(snap)]));
    for (const [aName, a] of VARIANTS)
      for (const [bName, b] of VARIANTS) {
        clearInfoMemo();
        build(a);
        build(a);
        const want = expected.get(bName);
        assert.equal(text(build(b)), want, `${bName} after ${aName}`);
        assert.equal(text(build(b)), want, `${bName} twice after ${aName}`);
      }
    clearInfoMemo();
  });

  test('a changed clock moves start_time_seconds while the INFO stays the same', () => {
    clearInfoMemo();
    build(master);
    const later = { ...master, takenAtMs: master.takenAtMs + 5000 };
    assert.equal(text(build(later)), fresh(later));
  });

  test('options can change between scrapes of the same INFO', () => {
    const options: Array<Partial<InfoFamilyOptions>> = [
      {},
      { includeSystemMetrics: true },
      { redoubtAdditions: false },
      { includeEmptyDatabases: false },
      { includeSystemMetrics: true, redoubtAdditions: false },
    ];
    const expected = options.map((o) => fresh(master, o));
    clearInfoMemo();
    for (let round = 0; round < 2; round++)
      options.forEach((o, i) => {
        assert.equal(text(build(master, o)), expected[i], JSON.stringify(o));
      });
    clearInfoMemo();
  });

  test('servers told apart by run_id keep their own records', () => {
    const other = edit(master, /run_id:\w+/, 'run_id:0123456789012345678901234567890123456789');
    const changed = edit(other, /uptime_in_seconds:\d+/, 'uptime_in_seconds:77777');
    const expected = [master, other, changed].map((s) => fresh(s));
    clearInfoMemo();
    for (let round = 0; round < 3; round++) {
      assert.equal(text(build(master)), expected[0]);
      assert.equal(text(build(other)), expected[1]);
      assert.equal(text(build(changed)), expected[2]);
    }
    clearInfoMemo();
  });

  test('more servers than are remembered, read round robin', () => {
    const servers = Array.from({ length: 20 }, (_, k) =>
      withInfo(
        k % 3 === 0 ? replica : master,
        (k % 3 === 0 ? replica : master).info
          .replace(/run_id:\w+/, `run_id:${String(k).padStart(40, '0')}`)
          .replace(/(?<=[:=])(\d+)/g, (d) => String(Number(d) + k)),
      ),
    );
    const expected = servers.map((s) => fresh(s));
    clearInfoMemo();
    for (let round = 0; round < 3; round++)
      servers.forEach((s, k) => {
        assert.equal(text(build(s)), expected[k], `server ${k}, round ${round}`);
      });
    clearInfoMemo();
  });

  test('random edits of real INFO, one after another', () => {
    const next = random(42);
    const lines = master.info.split('\r\n');
    let current = lines;
    clearInfoMemo();
    for (let round = 0; round < 60; round++) {
      const edited = [...current];
      for (let k = 0; k < 1 + Math.floor(next() * 4); k++) {
        const i = Math.floor(next() * edited.length);
        const r = next();
        if (r < 0.6) edited[i] = edited[i].replace(/\d+/, String(Math.floor(next() * 1000)));
        else if (r < 0.7) edited.splice(i, 1);
        else if (r < 0.8) edited.splice(i, 0, lines[Math.floor(next() * lines.length)]);
        else if (r < 0.9) edited[i] = `${edited[i]} `;
        else edited.splice(i, 0, `cmdstat_r${round}:calls=${round},usec=1,usec_per_call=1.00`);
      }
      const snap = withInfo(master, edited.join(next() < 0.8 ? '\r\n' : '\n'));
      const got = text(build(snap));
      const expected = fresh(snap);
      assert.equal(got, expected, `round ${round}`);
      build(snap); // fresh() forgot everything: read it once more so the next round starts from this one
      current = edited;
    }
    clearInfoMemo();
  });
});

describe('memoised INFO: what is reused', () => {
  test('an unchanged line yields the very same sample object; a changed one a new sample', () => {
    clearInfoMemo();
    const a = build(master);
    const b = build(edit(master, 'cmdstat_get:calls=2,', 'cmdstat_get:calls=5,'));
    const sample = (fs: MetricFamily[], family: string, cmd: string) => {
      const s = fs.find((f) => f.name === `redis_${family}`)?.samples.find((x) => x.labels.cmd === cmd);
      assert.ok(s, `${family} ${cmd}`);
      return s;
    };
    assert.equal(sample(a, 'commands_total', 'set'), sample(b, 'commands_total', 'set'));
    assert.notEqual(sample(a, 'commands_total', 'get'), sample(b, 'commands_total', 'get'));
    assert.equal(sample(b, 'commands_total', 'get').value, 5);
    // its labels stay the same object
    assert.equal(sample(a, 'commands_total', 'get').labels, sample(b, 'commands_total', 'get').labels);
    clearInfoMemo();
  });

  test('forEachCommandStat gives the Commandstats lines in order, as parseCommandStat', () => {
    for (const name of INFO_FIXTURES) {
      const snap = fixtureSnapshot(name);
      const got: CommandStat[] = [];
      forEachCommandStat(snap, (s) => got.push(s));
      const want: CommandStat[] = [];
      for (const [key, value] of parseInfo(snap.info).sections.get('Commandstats') ?? []) {
        const s = parseCommandStat(key, value);
        if (s) want.push(s);
      }
      assert.deepEqual(got, want, name);
    }
  });
});

/** What InfoMemo must return: parseInfo's fields, in INFO order or (repeats) its merged-section order. */
function expectedLines(info: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  parseInfo(info).sections.forEach((fields, section) => {
    fields.forEach((value, key) => {
      out.push([section, key, value]);
    });
  });
  return out;
}

describe('InfoMemo', () => {
  test('each read equals parseInfo, whatever was read before', () => {
    const texts = [
      ...VARIANTS.map(([, s]) => s.info),
      'a:1\nb:2\n# S\nc:3',
      'a:1\nb:3\n# S\nc:3',
      'a:1\n# S\nb:3\nc:3',
      '# S\r\na:1\r\n# S\r\na:2\r\n',
      '# S\ra:1\rb:2\r',
      '# S\n\tx:1\u3000\n',
    ];
    for (const a of texts)
      for (const b of texts) {
        const memo = new InfoMemo<unknown, unknown>();
        memo.read(a);
        memo.read(b);
        for (let i = 0; i < 2; i++) {
          const got = memo.read(b);
          assert.deepEqual(
            got.lines.map((l) => [l.section, l.key, l.value]),
            expectedLines(b),
          );
          assert.deepEqual(new Map(got.fields), parseInfo(b).fields);
        }
      }
  });

  test('a record is kept while its line is, and its version moves when its value changes', () => {
    const memo = new InfoMemo<unknown, unknown>();
    const first = memo.read('# S\r\na:1\r\nb:2\r\n').lines;
    const [a, b] = first;
    memo.read('# S\r\na:1\r\nb:3\r\n');
    assert.equal(a.version, 0);
    assert.equal(b.version, 1);
    assert.equal(b.value, '3');
    const moved = memo.read('# S\r\nc:0\r\nb:3\r\na:1\r\n').lines;
    assert.equal(moved[1], b);
    assert.equal(moved[2], a);
    assert.equal(b.version, 1);
    // a line of another section is another record
    const other = memo.read('# T\r\nc:0\r\nb:3\r\na:1\r\n').lines;
    assert.notEqual(other[1], b);
  });

  test('random texts and edits', () => {
    const next = random(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    const pieces = [
      '# A',
      '# B',
      'k:1',
      'k:2',
      'j:x',
      'long_key_name_here:value',
      'm: 1',
      ' n:2',
      'o:3 ',
      ':z',
      'q',
      '#',
      '',
    ];
    const ends = ['\n', '\r\n', '\r'];
    const memo = new InfoMemo<unknown, unknown>();
    for (let round = 0; round < 2000; round++) {
      const n = Math.floor(next() * 8);
      let t = '';
      for (let i = 0; i < n; i++) t += pick(pieces) + pick(ends);
      const got = memo.read(t);
      assert.deepEqual(
        got.lines.map((l) => [l.section, l.key, l.value]),
        expectedLines(t),
        JSON.stringify(t),
      );
    }
  });
});

describe('line splitting', () => {
  test('isTrimmed is exactly what String#trim removes', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      assert.equal(isTrimmed(c), `${ch}x`.trim() === 'x', c.toString(16));
    }
  });

  test('LineCursor walks the lines text.split(/\\r\\n|\\n|\\r/) gives, trimmed, of 2 characters or more', () => {
    const next = random(3);
    const chars = ['a', ':', '#', ' ', '\t', '\r', '\n', '\u00a0', '\u2028', 'é'];
    for (let round = 0; round < 3000; round++) {
      let t = '';
      for (let i = Math.floor(next() * 20); i > 0; i--) t += chars[Math.floor(next() * chars.length)];
      const want = t
        .split(/\r\n|\n|\r/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 2);
      const got: string[] = [];
      const cursor = new LineCursor(t);
      while (cursor.next()) got.push(t.slice(cursor.start, cursor.end));
      assert.deepEqual(got, want, JSON.stringify(t));
    }
  });
});

// parseCommandStat and parseLatencyStat as they were before their hand-written scanners, as the reference.
const COMMAND_STAT = /^calls=(\d+),usec=(\d+),usec_per_call=[0-9.]+(?:,rejected_calls=(\d+),failed_calls=(\d+))?$/;
const LATENCY_STAT = /^p50=([0-9.]+),p99=([0-9.]+),p99\.9=([0-9.]+)$/;

function kvList(value: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const part of value.split(',')) {
    const bits = part.split('=');
    if (bits.length === 2 && !kv.has(bits[0])) kv.set(bits[0], bits[1]);
  }
  return kv;
}

function referenceCommandStat(key: string, value: string): CommandStat | undefined {
  if (!key.startsWith('cmdstat_')) return undefined;
  const m = COMMAND_STAT.exec(value);
  if (m) {
    const stat: CommandStat = { cmd: key.slice('cmdstat_'.length), calls: Number(m[1]), usec: Number(m[2]) };
    if (m[3] !== undefined) {
      stat.rejected = Number(m[3]);
      stat.failed = Number(m[4]);
    }
    return stat;
  }
  const kv = kvList(value);
  const num = (k: string) => {
    const v = kv.get(k);
    return v === undefined ? undefined : parseGoFloat(v);
  };
  const calls = num('calls');
  const usec = num('usec');
  if (calls === undefined || usec === undefined) return undefined;
  const stat: CommandStat = { cmd: key.slice('cmdstat_'.length), calls, usec };
  const rejected = num('rejected_calls');
  const failed = num('failed_calls');
  if (rejected !== undefined && failed !== undefined) {
    stat.rejected = rejected;
    stat.failed = failed;
  }
  return stat;
}

function referenceLatencyStat(key: string, value: string): LatencyStat | undefined {
  const prefix = 'latency_percentiles_usec_';
  if (!key.startsWith(prefix)) return undefined;
  const m = LATENCY_STAT.exec(value);
  if (m)
    return {
      cmd: key.slice(prefix.length),
      quantiles: [
        [50, Number(m[1])],
        [99, Number(m[2])],
        [99.9, Number(m[3])],
      ],
    };
  const quantiles: Array<[number, number]> = [];
  for (const part of value.split(',')) {
    const bits = part.split('=');
    if (bits.length !== 2 || bits[0].length < 2) return undefined;
    const p = parseGoFloat(bits[0].slice(1));
    const v = parseGoFloat(bits[1]);
    if (p === undefined || v === undefined) return undefined;
    quantiles.push([p, v]);
  }
  quantiles.sort((a, b) => a[0] - b[0]);
  return { cmd: key.slice(prefix.length), quantiles };
}

describe('commandstats / latencystats scanners', () => {
  const next = random(11);
  const digits = () => {
    const r = next();
    if (r < 0.05) return '';
    if (r < 0.1) return '12345678901234567890'; // past 2^53
    if (r < 0.15) return '007';
    return String(Math.floor(next() * 1e6));
  };
  const decimal = () => pickOne(['1.003', '.5', '5.', '1.2.3', '', '10', 'x', '1e3', '0.000']);
  const pickOne = (xs: string[]) => xs[Math.floor(next() * xs.length)];
  const mutate = (s: string) => {
    const r = next();
    if (r < 0.7 || s.length === 0) return s;
    const i = Math.floor(next() * s.length);
    if (r < 0.8) return s.slice(0, i) + s.slice(i + 1);
    if (r < 0.9) return `${s.slice(0, i)}${pickOne([',', '=', '9', '.', 'a'])}${s.slice(i)}`;
    return `${s} `;
  };

  test('commandstats: the same result as the regular expression and its kvList fallback', () => {
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      let v = `calls=${digits()},usec=${digits()},usec_per_call=${decimal()}`;
      if (next() < 0.6) v += `,rejected_calls=${digits()},failed_calls=${digits()}`;
      v = mutate(v);
      if (COMMAND_STAT.test(v)) fast++;
      assert.deepEqual(parseCommandStat('cmdstat_x', v), referenceCommandStat('cmdstat_x', v), v);
    }
    assert.ok(fast > 1000, `only ${fast} in the regular shape`);
  });

  test('latencystats: the same result as the regular expression and its fallback', () => {
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      const v = mutate(`p50=${decimal()},p99=${decimal()},p99.9=${decimal()}`);
      if (LATENCY_STAT.test(v)) fast++;
      const key = 'latency_percentiles_usec_x';
      assert.deepEqual(parseLatencyStat(key, v), referenceLatencyStat(key, v), v);
    }
    assert.ok(fast > 1000, `only ${fast} in the regular shape`);
  });

  test('exact for long digit runs', () => {
    assert.equal(
      parseCommandStat('cmdstat_x', 'calls=9007199254740993,usec=1,usec_per_call=1')?.calls,
      9007199254740992,
    );
    assert.equal(parseCommandStat('cmdstat_x', 'calls=999999999999999,usec=0,usec_per_call=0')?.calls, 999999999999999);
  });
});
