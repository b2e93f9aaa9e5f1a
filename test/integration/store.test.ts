import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AtomicFileWriter } from '../../src/fs/atomic-write.ts';
import { DirectoryLockedError } from '../../src/fs/directory-lock.ts';
import { openStore, type StoreOptions } from '../../src/monitor/store/store.ts';
import { DAY, HOUR } from '../../src/monitor/store/time-windows.ts';
import { instantQuery } from '../../src/promql/engine.ts';
import { compareLabels } from '../../src/promql/labels.ts';
import { isStaleNaN, type Matcher, STALE_NAN } from '../../src/promql/types.ts';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tempDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'redoubt-store-'));
  roots.push(root);
  return join(root, 'data');
}

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    logger: { warn: (msg: string, f?: Record<string, unknown>) => lines.push(`${msg} ${JSON.stringify(f)}`) },
  };
}

const name = (n: string): Matcher => ({ name: '__name__', type: '=', value: n });
const BASE = 20_000 * DAY;
const STEP = 10_000;

function selectAll(
  store: Awaited<ReturnType<typeof openStore>>,
  m: Matcher[],
  start: number,
  end: number,
  func?: string,
) {
  // In label order: the store yields series in the order of its ids, which a restart may renumber.
  return [...store.select(m, { start, end, func })]
    .sort((a, b) => compareLabels(a.labels, b.labels))
    .map((s) => ({
      labels: s.labels,
      t: Array.from(s.t),
      v: s.v,
      ...(s.counts ? { counts: s.counts } : {}),
    }));
}

async function fill(opts: StoreOptions, dir: string, hours: number) {
  const store = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY, ...opts });
  const n = (hours * HOUR) / STEP;
  for (let i = 0; i < n; i++) {
    const t = BASE + i * STEP;
    store.append({ __name__: 'redis_up', instance: 'a:6379', job: 'redis' }, t, 1);
    store.append({ __name__: 'redis_commands_total', instance: 'a:6379', job: 'redis' }, t, i);
    if (i === n - 1) store.append({ __name__: 'redis_up', instance: 'a:6379', job: 'redis' }, t + 1, STALE_NAN);
  }
  return store;
}

describe('history store on disk', () => {
  it('answers from the head, lists labels and counts dropped samples', async () => {
    const store = await openStore(tempDir(), { flushIntervalMs: 0 });
    store.append({ __name__: 'up', instance: 'b' }, 1000, 1);
    store.append({ instance: 'b', __name__: 'up' }, 2000, 0);
    store.append({ __name__: 'up', instance: 'b' }, 2000, 5);
    store.append({ __name__: 'up', instance: 'b' }, 1500, 5);
    store.append({ __name__: 'other', job: 'x' }, 1000, 7);
    assert.deepEqual(selectAll(store, [name('up')], 0, 5000), [
      { labels: { __name__: 'up', instance: 'b' }, t: [1000, 2000], v: Float64Array.from([1, 0]) },
    ]);
    assert.deepEqual(selectAll(store, [name('up')], 1500, 5000)[0]!.t, [2000]);
    assert.deepEqual(store.labelNames([], 0, 5000), ['__name__', 'instance', 'job']);
    assert.deepEqual(store.labelNames([name('up')], 0, 5000), ['__name__', 'instance']);
    assert.deepEqual(store.labelValues('__name__', [], 0, 5000), ['other', 'up']);
    assert.deepEqual(store.labelValues('job', [], 3000, 5000), []);
    const stats = store.stats();
    assert.equal(stats.series, 2);
    assert.equal(stats.samples, 3);
    assert.deepEqual(stats.dropped, { outOfOrder: 1, duplicate: 1, tooOld: 0, invalid: 0, tooNew: 0 });
    await store.close();
  });

  it('refuses samples more than 10 minutes ahead of its clock, which would end the head early', async () => {
    const store = await openStore(tempDir(), { flushIntervalMs: 0, now: () => BASE });
    store.append({ __name__: 'x' }, BASE + 10 * 60_000, 1);
    store.append({ __name__: 'x' }, BASE + 10 * 60_000 + 1, 1);
    store.append({ __name__: 'x' }, BASE + 100 * DAY, 1);
    assert.equal(store.stats().dropped.tooNew, 2);
    assert.deepEqual(selectAll(store, [name('x')], BASE, BASE + 200 * DAY)[0]!.t, [BASE + 10 * 60_000]);
    await store.close();
    await assert.rejects(async () => [...store.select([name('x')], { start: 0, end: 1 })], /closed/);
  });

  it('keeps history across a restart: blocks, head segments and the staleness marker', async () => {
    const dir = tempDir();
    const first = await fill({}, dir, 5);
    await first.flush();
    const before = selectAll(first, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + 6 * HOUR);
    assert.ok(first.stats().blocks.raw >= 1, 'the oldest windows were written to raw blocks');
    await first.close();
    const second = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY });
    const afterRestart = selectAll(second, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + 6 * HOUR);
    assert.equal(afterRestart.length, 2);
    assert.deepEqual(afterRestart, before);
    const up = afterRestart.find((s) => s.labels.__name__ === 'redis_up')!;
    assert.equal(up.t.length, (5 * HOUR) / STEP + 1);
    assert.ok(isStaleNaN(up.v[up.v.length - 1]!));
    // The restarted store goes on appending after what it had.
    second.append({ __name__: 'redis_up', instance: 'a:6379', job: 'redis' }, BASE + 5 * HOUR + 60_000, 1);
    second.append({ __name__: 'redis_up', instance: 'a:6379', job: 'redis' }, BASE, 1);
    assert.equal(second.stats().dropped.tooOld + second.stats().dropped.outOfOrder, 1);
    assert.equal(second.stats().samples, 2 * ((5 * HOUR) / STEP) + 2);
    await second.close();
  });

  it('reads the same samples after a restart that follows streamed compactions and checkpoints', async () => {
    const dir = tempDir();
    const series = Array.from({ length: 50 }, (_, i) => ({ __name__: `m_${i % 5}_total`, job: 'redis', n: String(i) }));
    const ingest = (store: Awaited<ReturnType<typeof openStore>>, from: number, to: number) => {
      for (let k = from; k < to; k++) {
        for (let i = 0; i < series.length; i++) store.append(series[i]!, BASE + k * STEP, k * (i + 1) + 0.25);
        if (k % 3 === 2) void store.flush();
      }
    };
    const all = (store: Awaited<ReturnType<typeof openStore>>) =>
      selectAll(store, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + DAY);
    const first = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY });
    // 5 h 20 min: two windows compacted to blocks, a checkpoint holding several chunks per series, segments after it
    ingest(first, 0, 1920);
    await first.flush();
    const stats = first.stats();
    assert.equal(stats.blocks.raw, 2);
    assert.ok(stats.headSegments >= 2, 'segments were written after the checkpoint');
    const before = all(first);
    await first.close();
    const second = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY });
    assert.deepEqual(all(second), before);
    assert.equal(second.stats().samples, 50 * 1920);
    // on past another compaction (the streamed checkpoint replaces the segments replayed at start-up), restart again
    ingest(second, 1920, 2700);
    await second.flush();
    const again = all(second);
    await second.close();
    const third = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY });
    assert.deepEqual(all(third), again);
    assert.equal(third.stats().blocks.raw, 3);
    for (const s of all(third)) {
      const i = Number(s.labels.n) + 1;
      assert.equal(s.t.length, 2700);
      s.t.forEach((t, k) => {
        assert.equal(t, BASE + k * STEP);
        assert.equal(s.v[k], k * i + 0.25);
      });
    }
    await third.close();
  });

  it('replaces flush segments by a checkpoint once they outgrow it, keeping every sample', async () => {
    const dir = tempDir();
    const series = Array.from({ length: 3000 }, (_, i) => ({ __name__: `g_${i % 30}`, job: 'redis', n: String(i) }));
    const store = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY });
    let most = 0;
    // 50 min, a flush after every scrape: ~100 kB of segment per flush, no window old enough to compact
    for (let k = 0; k < 300; k++) {
      for (let i = 0; i < series.length; i++) store.append(series[i]!, BASE + k * STEP, (k % 7) * i);
      await store.flush();
      most = Math.max(most, store.stats().bytesByKind.head);
    }
    const stats = store.stats();
    assert.equal(stats.blocks.raw, 0);
    assert.ok(stats.headSegments < 100, `${stats.headSegments} segments: a checkpoint replaced them`);
    assert.ok(most < 12 * 2 ** 20, `the head's files peaked at ${most} bytes`);
    const before = selectAll(store, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + DAY);
    await store.close();
    const again = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY });
    const after = selectAll(again, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + DAY);
    assert.equal(after.length, 3000);
    assert.deepEqual(after, before);
    assert.equal(again.stats().samples, 300 * 3000);
    await again.close();
  });

  it('keeps every sample when a crash interrupts a streamed block or checkpoint', async () => {
    const dir = tempDir();
    const store = await fill({}, dir, 5);
    await store.flush();
    const before = selectAll(store, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + 6 * HOUR);
    await store.close();
    const files = readdirSync(dir).sort();
    const block = files.find((f) => f.startsWith('raw-'))!;
    const segment = files.filter((f) => f.startsWith('head-')).pop()!;
    // What a process killed in the middle of writing the next block and the next checkpoint leaves behind: the
    // complete older files and a hidden temporary file holding the first half of each new one.
    const seq = Number(/head-(\d+)/.exec(segment)![1]);
    const halfWritten = [
      { name: `raw-${BASE + 4 * HOUR}.block`, from: block },
      { name: `head-${String(seq + 1).padStart(12, '0')}.seg`, from: segment },
    ];
    for (const h of halfWritten) {
      const bytes = readFileSync(join(dir, h.from));
      const w = AtomicFileWriter.open(join(dir, h.name), { mode: 0o600, overwrite: true });
      w.write(bytes.subarray(0, bytes.length >> 1));
      // never committed: the process died here
    }
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 2);
    const rec = recorder();
    const reopened = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY, logger: rec.logger });
    assert.deepEqual(selectAll(reopened, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + 6 * HOUR), before);
    assert.deepEqual(rec.lines, [], 'an interrupted write is not damage: nothing to warn about');
    assert.equal(reopened.stats().corruptFiles, 0);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'the half-written temporary files are removed',
    );
    await reopened.close();
  });

  it('writes files 0600 in a 0700 directory and refuses a second store on it', async () => {
    const dir = tempDir();
    const store = await fill({}, dir, 4);
    await store.flush();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(lstatSync(join(dir, f)).mode & 0o777, 0o600, f);
    await assert.rejects(openStore(dir), DirectoryLockedError);
    await store.close();
    (await openStore(dir)).close();
  });

  it('sets aside truncated and corrupt files with a warning and starts with the rest', async () => {
    const dir = tempDir();
    const store = await fill({}, dir, 7);
    await store.flush();
    store.append({ __name__: 'late', job: 'redis' }, BASE + 7 * HOUR - 1000, 1);
    await store.flush();
    await store.close();
    const files = readdirSync(dir).sort();
    const blocks = files.filter((f) => f.startsWith('raw-'));
    const segments = files.filter((f) => f.startsWith('head-'));
    assert.ok(blocks.length >= 2 && segments.length >= 2, files.join(' '));
    truncateSync(join(dir, blocks[0]!), 100);
    const seg = join(dir, segments[segments.length - 1]!);
    const bytes = readFileSync(seg);
    bytes[bytes.length - 7]! ^= 0xff;
    writeFileSync(seg, bytes);
    writeFileSync(join(dir, 'raw-999.block'), 'not a block');
    const rec = recorder();
    const reopened = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY, logger: rec.logger });
    const left = readdirSync(dir).sort();
    assert.ok(left.includes(`${blocks[0]}.corrupt`));
    assert.ok(left.includes(`${segments[segments.length - 1]}.corrupt`));
    assert.ok(left.includes('raw-999.block.corrupt'));
    assert.equal(rec.lines.length, 3);
    assert.match(rec.lines.join('\n'), /set aside a damaged data file/);
    assert.equal(reopened.stats().corruptFiles, 3);
    const up = selectAll(reopened, [name('redis_up')], BASE, BASE + 8 * HOUR)[0]!;
    assert.equal(up.t[0], BASE + 2 * HOUR, 'the first window is lost, the rest kept');
    assert.deepEqual(selectAll(reopened, [name('late')], BASE, BASE + 8 * HOUR), []);
    await reopened.close();
  });

  it('sets aside a block whose chunk fails its checksum when a query reads it', async () => {
    const dir = tempDir();
    const store = await fill({}, dir, 4);
    await store.close();
    const block = readdirSync(dir).find((f) => f.startsWith('raw-'))!;
    const bytes = readFileSync(join(dir, block));
    bytes[40]! ^= 0xff;
    writeFileSync(join(dir, block), bytes);
    const rec = recorder();
    const reopened = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + DAY, logger: rec.logger });
    const series = selectAll(reopened, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + 5 * HOUR);
    assert.equal(series.length, 2);
    assert.ok(
      series.some((s) => s.t[0]! >= BASE + 2 * HOUR),
      'the series with the bad chunk goes on without it',
    );
    await reopened.flush();
    assert.ok(readdirSync(dir).includes(`${block}.corrupt`));
    const again = selectAll(reopened, [{ name: 'job', type: '=', value: 'redis' }], BASE, BASE + 5 * HOUR);
    assert.ok(again.every((s) => s.t[0]! >= BASE + 2 * HOUR));
    assert.match(rec.lines[0]!, /could not be read/);
    await reopened.close();
  });

  it('never follows a symbolic link planted among its files', async () => {
    const dir = tempDir();
    (await openStore(dir, { flushIntervalMs: 0 })).close();
    const target = join(dir, '..', 'elsewhere');
    writeFileSync(target, 'not ours');
    symlinkSync(target, join(dir, 'head-000000000099.seg'));
    const rec = recorder();
    const store = await openStore(dir, { flushIntervalMs: 0, logger: rec.logger });
    assert.match(rec.lines.join('\n'), /ignoring a symbolic link/);
    store.append({ __name__: 'x' }, 1000, 1);
    await store.flush();
    await store.close();
    assert.equal(readFileSync(target, 'utf8'), 'not ours');
    assert.ok(lstatSync(join(dir, 'head-000000000099.seg')).isSymbolicLink());
  });

  it('flushes on its own timer', async () => {
    const dir = tempDir();
    const store = await openStore(dir, { flushIntervalMs: 20 });
    store.append({ __name__: 'x' }, 1000, 1);
    const deadline = Date.now() + 30_000;
    while (!readdirSync(dir).some((f) => f.startsWith('head-')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(readdirSync(dir).some((f) => f.startsWith('head-')));
    await store.close();
  });
});

describe('history store retention and rollups', () => {
  // Three days, one sample a minute: a counter reset at minute 100, a gauge cycling 0..6.
  const MIN = 60_000;
  const counter = (i: number) => (i < 100 ? i : i - 100);
  const gauge = (i: number) => i % 7;

  async function threeDays(opts: StoreOptions) {
    const dir = tempDir();
    const store = await openStore(dir, { flushIntervalMs: 0, ...opts });
    for (let i = 0; i < (3 * DAY) / MIN; i++) {
      store.append({ __name__: 'c_total' }, BASE + i * MIN, counter(i));
      store.append({ __name__: 'g' }, BASE + i * MIN, gauge(i));
    }
    await store.flush();
    return { dir, store };
  }

  it('answers beyond the raw retention from 5 min rollups, by the function asked for', async () => {
    const { store } = await threeDays({ now: () => BASE + 3 * DAY, retention: { raw: DAY } });
    assert.equal(store.stats().blocks['5m'], 2);
    assert.equal(store.stats().blocks['1h'], 2);
    const end = BASE + DAY - 1;
    const c = selectAll(store, [name('c_total')], BASE, end, 'rate')[0]!;
    const expectT = [BASE];
    const expectV = [0];
    for (let k = 0; k < 288; k++) {
      if (k === 20) expectT.push(BASE + 100 * MIN) && expectV.push(0);
      expectT.push(BASE + (5 * k + 4) * MIN);
      expectV.push(counter(5 * k + 4));
    }
    assert.deepEqual(c.t, expectT);
    assert.deepEqual(Array.from(c.v), expectV);
    const min = selectAll(store, [name('g')], BASE, end, 'min_over_time')[0]!;
    const max = selectAll(store, [name('g')], BASE, end, 'max_over_time')[0]!;
    const count = selectAll(store, [name('g')], BASE, end, 'count_over_time')[0]!;
    const avg = selectAll(store, [name('g')], BASE, end)[0]!;
    for (let k = 0; k < 288; k++) {
      const values = [0, 1, 2, 3, 4].map((j) => gauge(5 * k + j));
      assert.equal(min.v[k], Math.min(...values));
      assert.equal(max.v[k], Math.max(...values));
      assert.equal(count.counts?.[k], 5);
      assert.equal(avg.v[k], values.reduce((a, b) => a + b) / 5);
      assert.equal(avg.counts?.[k], 5);
    }
    // Raw samples where they remain: the third day, every minute.
    const raw = selectAll(store, [name('g')], BASE + 2 * DAY, BASE + 2 * DAY + 10 * MIN)[0]!;
    assert.deepEqual(
      raw.t,
      Array.from({ length: 11 }, (_, i) => BASE + 2 * DAY + i * MIN),
    );
    // A range across the boundary: rollups up to raw data, raw after, in order.
    const across = selectAll(store, [name('g')], BASE + 2 * DAY - HOUR, BASE + 2 * DAY + 2 * MIN)[0]!;
    assert.deepEqual(across.t.slice(-4), [
      BASE + 2 * DAY - MIN,
      BASE + 2 * DAY,
      BASE + 2 * DAY + MIN,
      BASE + 2 * DAY + 2 * MIN,
    ]);
    assert.equal(across.t.length, 12 + 3);
    await store.close();
  });

  it('answers from 1 h rollups where no 5 min rollup remains', async () => {
    const { dir, store } = await threeDays({ now: () => BASE + 3 * DAY, retention: { raw: DAY } });
    await store.close();
    for (const f of readdirSync(dir)) if (f.startsWith('5m-')) rmSync(join(dir, f));
    const reopened = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + 3 * DAY, retention: { raw: DAY } });
    const max = selectAll(reopened, [name('g')], BASE, BASE + DAY - 1, 'max_over_time')[0]!;
    assert.deepEqual(
      max.t,
      Array.from({ length: 24 }, (_, h) => BASE + (h + 1) * HOUR - MIN),
    );
    assert.deepEqual(Array.from(max.v), Array(24).fill(6));
    const count = selectAll(reopened, [name('g')], BASE, BASE + DAY - 1, 'count_over_time')[0]!;
    assert.deepEqual(Array.from(count.counts ?? []), Array(24).fill(60));
    await reopened.close();
  });

  it('answers count, sum and avg over time from rollups as from the raw samples', async () => {
    const { dir, store } = await threeDays({ now: () => BASE + 3 * DAY, retention: { raw: DAY } });
    // Hour 2 of the first day: only rollups remain. 60 raw samples of the gauge, i = 120..179.
    const at = BASE + 3 * HOUR - 1;
    const raw = Array.from({ length: 60 }, (_, j) => gauge(120 + j));
    const sum = raw.reduce((a, b) => a + b);
    const value = (s: Awaited<ReturnType<typeof openStore>>, expr: string) => {
      const r = instantQuery(s, expr, at);
      assert.equal(r.type, 'vector');
      return r.type === 'vector' ? r.samples[0]?.v : undefined;
    };
    assert.equal(value(store, 'count_over_time(g[1h])'), 60);
    assert.equal(value(store, 'sum_over_time(g[1h])'), sum);
    assert.equal(value(store, 'avg_over_time(g[1h])'), sum / 60);
    await store.close();
    // From 1 h rollups alone (no 5 min rollup left): one bucket standing for 60 samples.
    for (const f of readdirSync(dir)) if (f.startsWith('5m-')) rmSync(join(dir, f));
    const hourly = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + 3 * DAY, retention: { raw: DAY } });
    assert.equal(value(hourly, 'count_over_time(g[1h])'), 60);
    assert.equal(value(hourly, 'sum_over_time(g[1h])'), sum);
    assert.equal(value(hourly, 'avg_over_time(g[1h])'), sum / 60);
    await hourly.close();
  });

  it('forgets rollups after their retention and the series with them', async () => {
    const { store } = await threeDays({ now: () => BASE + 40 * DAY, retention: { raw: DAY, rollups: 30 * DAY } });
    await store.flush();
    assert.deepEqual(store.stats().blocks, { raw: 0, '5m': 0, '1h': 0 });
    assert.equal(store.stats().series, 2, 'the head still holds the newest hours');
    await store.close();
  });

  it('keeps the directory under its size cap by dropping the oldest blocks', async () => {
    const { dir, store } = await threeDays({ now: () => BASE + 3 * DAY });
    const full = store.stats().bytesOnDisk;
    await store.close();
    const capped = await openStore(dir, {
      flushIntervalMs: 0,
      now: () => BASE + 3 * DAY,
      retention: { maxBytes: Math.floor(full / 2) },
    });
    await capped.flush();
    assert.ok(capped.stats().bytesOnDisk <= full / 2);
    const g = selectAll(capped, [name('g')], BASE, BASE + 3 * DAY)[0]!;
    assert.ok(g.t[0]! > BASE, 'the oldest data went');
    assert.equal(g.t[g.t.length - 1], BASE + 3 * DAY - MIN, 'the newest stayed');
    await capped.close();
  });
});
