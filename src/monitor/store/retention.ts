import type { BlockKind } from './block-format.ts';

export interface BlockInfo {
  readonly name: string;
  readonly kind: BlockKind;
  readonly minT: number;
  readonly maxT: number;
  readonly size: number;
}

export interface RetentionPolicy {
  /** How long raw samples are kept, in ms. */
  readonly raw: number;
  /** How long 5 min and 1 h rollups are kept, in ms. */
  readonly rollups: number;
  /** Bytes the data directory may hold; the oldest blocks go first beyond it. */
  readonly maxBytes?: number;
}

const KIND_ORDER: Record<BlockKind, number> = { raw: 0, '5m': 1, '1h': 2 };

/**
 * The blocks to delete at `now`: those wholly older than their retention, then, while the directory is over its
 * size cap (`otherBytes` counts the files that are not blocks), the oldest remaining ones (raw before the
 * rollups of the same time, since those still cover it).
 */
export function blocksToDrop(
  blocks: readonly BlockInfo[],
  otherBytes: number,
  now: number,
  policy: RetentionPolicy,
): string[] {
  const drop: string[] = [];
  const kept: BlockInfo[] = [];
  for (const b of blocks) {
    const keepFor = b.kind === 'raw' ? policy.raw : policy.rollups;
    if (b.maxT < now - keepFor) drop.push(b.name);
    else kept.push(b);
  }
  if (policy.maxBytes === undefined) return drop;
  kept.sort((a, b) => a.minT - b.minT || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  let total = otherBytes + kept.reduce((sum, b) => sum + b.size, 0);
  for (const b of kept) {
    if (total <= policy.maxBytes) break;
    drop.push(b.name);
    total -= b.size;
  }
  return drop;
}
