import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BLOCK_FOOTER_BYTES,
  BLOCK_HEADER_BYTES,
  BlockWriter,
  encodeBlock,
  parseBlockFooter,
  parseBlockIndex,
  readEntryColumn,
} from '../../../src/monitor/store/block-format.ts';
import { ByteWriter, StoreFileFormatError } from '../../../src/monitor/store/byte-buffer.ts';
import {
  decodeHeadSegment,
  encodeHeadSegment,
  HeadSegmentWriter,
} from '../../../src/monitor/store/head-segment-format.ts';
import { labelsFromKey, seriesKey } from '../../../src/monitor/store/series-index.ts';
import { XorChunkEncoder } from '../../../src/monitor/store/xor-chunk.ts';

function chunkOf(t0: number, n: number) {
  const e = new XorChunkEncoder();
  for (let i = 0; i < n; i++) e.append(t0 + i * 1000, i);
  return { bytes: e.bytes(), minT: t0, maxT: t0 + (n - 1) * 1000, count: n };
}

function indexOf(bytes: Uint8Array) {
  const footer = parseBlockFooter(bytes.subarray(bytes.length - BLOCK_FOOTER_BYTES), bytes.length);
  const index = bytes.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength);
  return parseBlockIndex(bytes.subarray(0, BLOCK_HEADER_BYTES), index, footer);
}

describe('store file formats', () => {
  const a = seriesKey({ __name__: 'up', instance: 'a' });
  const hostile = seriesKey({ __name__: 'k', key: 'x\u0000y\u0001z' });
  const block = encodeBlock({
    kind: 'raw',
    minT: 0,
    maxT: 7_199_999,
    series: [
      { key: a, columns: [[chunkOf(0, 5), chunkOf(5000, 3)]] },
      { key: hostile, columns: [[chunkOf(100, 2)]] },
    ],
  });

  it('reads back a block index: keys, chunk references and their checksums', () => {
    const idx = indexOf(block);
    assert.equal(idx.kind, 'raw');
    assert.deepEqual(idx.keys, [a, hostile]);
    assert.equal(idx.samples, 10);
    assert.deepEqual(Array.from(idx.spans), [0, 5000 + 2000, 100, 100 + 1000]);
    const footer = parseBlockFooter(block.subarray(block.length - BLOCK_FOOTER_BYTES), block.length);
    const entry = block.subarray(footer.indexOffset + idx.entryStart[0]!, footer.indexOffset + idx.entryEnd[0]!);
    const refs = readEntryColumn(entry, 1, 0, footer.indexOffset);
    assert.deepEqual(
      refs.map((r) => [r.minT, r.maxT, r.count]),
      [
        [0, 4000, 5],
        [5000, 7000, 3],
      ],
    );
    assert.deepEqual(block.subarray(refs[1]!.offset, refs[1]!.offset + refs[1]!.length), chunkOf(5000, 3).bytes);
  });

  it('keeps a label value holding separator bytes apart from any other label set', () => {
    assert.deepEqual(labelsFromKey(hostile), { __name__: 'k', key: 'x\u0000y\u0001z' });
    assert.notEqual(hostile, seriesKey({ __name__: 'k', key: 'x', y: 'z' }));
    assert.deepEqual(labelsFromKey(a), { __name__: 'up', instance: 'a' });
  });

  it('rejects a truncated block or a changed index byte', () => {
    assert.throws(() => indexOf(block.subarray(0, block.length - 1)), StoreFileFormatError);
    const changed = Uint8Array.from(block);
    changed[changed.length - BLOCK_FOOTER_BYTES - 3]! ^= 1;
    assert.throws(() => indexOf(changed), /checksum/);
  });

  it('round-trips a head segment and rejects any damage to it', () => {
    const seg = { defs: [{ id: 7, key: a }], chunks: [{ id: 7, bytes: chunkOf(0, 3).bytes }] };
    const bytes = encodeHeadSegment(seg);
    assert.deepEqual(decodeHeadSegment(bytes), seg);
    for (const cut of [0, 10, bytes.length - 1])
      assert.throws(() => decodeHeadSegment(bytes.subarray(0, cut)), StoreFileFormatError);
    const changed = Uint8Array.from(bytes);
    changed[12]! ^= 1;
    assert.throws(() => decodeHeadSegment(changed), /checksum/);
  });

  it('streams a block whose chunks go out as each series is added, the same bytes as a block built whole', () => {
    const pieces: number[] = [];
    const out = new ByteWriter(16);
    const sink = {
      get length() {
        return out.length;
      },
      write(b: Uint8Array) {
        pieces.push(b.length);
        out.write(b);
      },
    };
    const w = new BlockWriter(sink, 'raw', 0, 7_199_999);
    w.add(a, [[chunkOf(0, 5), chunkOf(5000, 3)]]);
    const afterFirst = out.length;
    w.add(hostile, [[chunkOf(100, 2)]]);
    w.finish();
    assert.ok(afterFirst > BLOCK_HEADER_BYTES, 'the first series is written before the second is added');
    assert.equal(w.seriesCount, 2);
    assert.deepEqual(out.result(), block);
    assert.throws(() => new BlockWriter(new ByteWriter(), '5m', 0, 1).add(a, [[]]), /5 columns/);
  });

  it('streams a head segment piece by piece, and refuses other counts than announced', () => {
    const seg = {
      defs: [
        { id: 1, key: a },
        { id: 9, key: hostile },
      ],
      chunks: [
        { id: 1, bytes: chunkOf(0, 3).bytes },
        { id: 1, bytes: chunkOf(3000, 120).bytes },
        { id: 9, bytes: chunkOf(0, 1).bytes },
      ],
    };
    const out = new ByteWriter(8);
    const w = new HeadSegmentWriter(out, 2);
    for (const d of seg.defs) w.def(d.id, d.key);
    w.startChunks(3);
    for (const c of seg.chunks) w.chunk(c.id, c.bytes);
    w.finish();
    assert.deepEqual(out.result(), encodeHeadSegment(seg));
    assert.deepEqual(decodeHeadSegment(out.result()), seg);
    const short = new HeadSegmentWriter(new ByteWriter(), 1);
    assert.throws(() => short.startChunks(0), /fewer definitions/);
    const more = new HeadSegmentWriter(new ByteWriter(), 0);
    more.startChunks(1);
    more.chunk(1, seg.chunks[0]!.bytes);
    assert.throws(() => more.chunk(1, seg.chunks[0]!.bytes), /more chunks/);
    const fewer = new HeadSegmentWriter(new ByteWriter(), 0);
    fewer.startChunks(2);
    assert.throws(() => fewer.finish(), /fewer chunks/);
  });
});
