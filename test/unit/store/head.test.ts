import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Head, SAMPLES_PER_CHUNK } from '../../../src/monitor/store/head.ts';
import { RAW_WINDOW } from '../../../src/monitor/store/time-windows.ts';
import { decodeXorChunk } from '../../../src/monitor/store/xor-chunk.ts';

function allSamples(head: Head, id: number): number[] {
  return head.chunks(id, 0, Number.POSITIVE_INFINITY).flatMap((c) => Array.from(decodeXorChunk(c.bytes).t));
}

describe('head', () => {
  it('drops and counts out-of-order, duplicate, too-old and invalid samples', () => {
    const head = new Head();
    assert.ok(head.append(0, 1000, 1));
    assert.ok(!head.append(0, 1000, 2));
    assert.ok(!head.append(0, 999, 2));
    assert.ok(!head.append(0, 1000.5, 2));
    assert.ok(head.append(1, 5, 1));
    assert.ok(!head.append(2, 10, 1, 10), 'a series whose blocks end at 10 accepts nothing at or before 10');
    head.truncateBefore(2000);
    assert.ok(!head.append(0, 1500, 1));
    assert.deepEqual(head.dropped, { outOfOrder: 1, duplicate: 2, tooOld: 1, invalid: 1, tooNew: 0 });
    assert.equal(head.sampleCount, 2);
  });

  it('cuts chunks at 120 samples and at 2 h window boundaries', () => {
    const head = new Head();
    const start = RAW_WINDOW - 10_000 * 130;
    for (let i = 0; i < 260; i++) head.append(0, start + i * 10_000, i);
    const chunks = head.chunks(0, 0, Number.POSITIVE_INFINITY);
    assert.deepEqual(
      chunks.map((c) => c.count),
      [120, 10, 120, 10],
    );
    assert.equal(chunks[1]!.maxT, RAW_WINDOW - 10_000);
    assert.equal(chunks[2]!.minT, RAW_WINDOW);
    assert.equal(SAMPLES_PER_CHUNK, 120);
    assert.equal(allSamples(head, 0).length, 260);
  });

  it('hands out every chunk, oldest first, the open one last (what a checkpoint writes)', () => {
    const head = new Head();
    for (let i = 1; i <= 200; i++) head.append(3, i * 1000, i);
    const seen: number[][] = [];
    head.forEachChunk(3, (bytes) => seen.push(Array.from(decodeXorChunk(bytes).t)));
    assert.equal(head.chunkCount(3), 2);
    assert.deepEqual(
      seen.map((t) => [t.length, t[0]]),
      [
        [120, 1000],
        [80, 121_000],
      ],
    );
    assert.equal(head.chunkCount(4), 0);
  });

  it('hands out what was appended since the last flush, until it is cleared', () => {
    const head = new Head();
    for (let i = 1; i <= 3; i++) head.append(1, i * 1000, i);
    head.append(2, 1000, 1);
    assert.deepEqual(head.pendingIds(), [1, 2]);
    assert.deepEqual(Array.from(decodeXorChunk(head.pendingBytes(1)!).t), [1000, 2000, 3000]);
    head.clearPending(1);
    assert.equal(head.pendingBytes(1), undefined);
    assert.deepEqual(head.pendingIds(), [2]);
    head.append(1, 4000, 4);
    assert.deepEqual(Array.from(decodeXorChunk(head.pendingBytes(1)!).v), [4]);
    head.append(1, 5000, 5);
    head.clearPending();
    assert.equal(head.pendingBytes(1), undefined);
    assert.deepEqual(head.pendingIds(), []);
    assert.equal(allSamples(head, 1).length, 5, 'clearing what is pending keeps the samples in the head');
  });

  it('forgets chunks written to blocks', () => {
    const head = new Head();
    for (let i = 0; i < 3; i++) head.append(0, i * RAW_WINDOW, i);
    head.cutBefore(2 * RAW_WINDOW);
    head.truncateBefore(2 * RAW_WINDOW);
    assert.deepEqual(allSamples(head, 0), [2 * RAW_WINDOW]);
    assert.equal(head.minTime(), 2 * RAW_WINDOW);
    assert.equal(head.sampleCount, 1);
  });
});
