import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/monitor/store/store.ts';
import { trackChild } from '../support/children.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-store-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

const BASE = 20_000 * 86_400_000;
const HOUR = 3_600_000;

/** Runs the ingesting child until it has flushed past `untilT`, then kills it with SIGKILL; the last flush seen. */
async function ingestAndKill(dir: string, untilT: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/store-ingest-child.ts', dir, String(BASE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  trackChild(child);
  let lastFlushed = Number.NEGATIVE_INFINITY;
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      buffered += data.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) lastFlushed = Math.max(lastFlushed, Number(line.split(' ')[1]));
      if (lastFlushed >= untilT) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`the ingesting child exited before flushing past ${untilT}`)));
  });
  assert.equal(await exited, 'SIGKILL');
  return lastFlushed;
}

describe('history store killed with SIGKILL mid-ingest', () => {
  it('keeps everything up to the last flush, with no gaps, and starts again', async () => {
    const dir = join(root, 'data');
    const lastFlushed = await ingestAndKill(dir, BASE + 4 * HOUR);
    const store = await openStore(dir, { flushIntervalMs: 0, now: () => BASE + 24 * HOUR });
    const series = [
      ...store.select([{ name: 'job', type: '=', value: 'redis' }], { start: BASE, end: BASE + 48 * HOUR }),
    ];
    assert.equal(series.length, 400);
    assert.ok(store.stats().blocks.raw >= 1, 'blocks were written before the kill');
    for (const s of series) {
      const n = s.t.length;
      assert.ok(s.t[n - 1]! >= lastFlushed, `${s.labels.n}: lost samples before the last flush`);
      assert.equal(s.t[0], BASE);
      assert.equal(s.t[n - 1], BASE + (n - 1) * 10_000, `${s.labels.n}: a gap in the recovered samples`);
      const i = Number(s.labels.n) + 1;
      assert.equal(s.v[n - 1], ((s.t[n - 1]! - BASE) / 10_000) * i);
    }
    await store.close();
  });
});
