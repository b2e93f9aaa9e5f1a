import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BlockInfo, blocksToDrop } from '../../../src/monitor/store/retention.ts';
import { DAY, HOUR } from '../../../src/monitor/store/time-windows.ts';

const block = (kind: BlockInfo['kind'], minT: number, span: number, size: number): BlockInfo => ({
  name: `${kind}-${minT}`,
  kind,
  minT,
  maxT: minT + span - 1,
  size,
});

describe('retention', () => {
  const now = 40 * DAY;
  const blocks = [
    block('5m', 5 * DAY, DAY, 100),
    block('1h', 5 * DAY, DAY, 10),
    block('5m', 20 * DAY, DAY, 100),
    block('1h', 20 * DAY, DAY, 10),
    block('raw', now - 50 * HOUR, 2 * HOUR, 1000),
    block('raw', now - 4 * HOUR, 2 * HOUR, 1000),
  ];
  const policy = { raw: 48 * HOUR, rollups: 30 * DAY };

  it('drops raw blocks after the raw retention and rollups after theirs', () => {
    assert.deepEqual(blocksToDrop(blocks, 0, now, policy), ['5m-432000000', '1h-432000000', `raw-${now - 50 * HOUR}`]);
  });

  it('keeps a block that still holds a sample inside the retention', () => {
    assert.deepEqual(blocksToDrop([block('raw', now - 49 * HOUR, 2 * HOUR, 1)], 0, now, policy), []);
  });

  it('beyond the size cap drops the oldest first, raw before rollups of the same time', () => {
    const raw20 = block('raw', 20 * DAY, 2 * HOUR, 50);
    const dropped = blocksToDrop([...blocks, raw20], 500, now, { ...policy, maxBytes: 500 + 1000 + 5 });
    assert.deepEqual(dropped.slice(3), ['raw-1728000000', '5m-1728000000', '1h-1728000000']);
  });

  it('drops nothing when under the cap', () => {
    assert.deepEqual(blocksToDrop(blocks.slice(2, 4), 0, now, { ...policy, maxBytes: 1e9 }), []);
  });
});
