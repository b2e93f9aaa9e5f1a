import type { Snapshot } from '../redis/snapshot.ts';
import { FamilyBuilder, type MetricFamily } from './family.ts';
import { addInfoFamilies, releaseSnapshotInfo } from './info.ts';
import { addKeyFamilies } from './key-families.ts';
import { addSecurityScrapeFamilies } from './security-families.ts';
import { addConfigFamilies, addLatencyFamilies, addSlowlogFamilies } from './server-families.ts';

export interface FamilyOptions {
  namespace: string;
  includeSystemMetrics: boolean;
}

/** snapshot → metric families: the whole Redis side of a scrape, as a pure function. */
export function snapshotToFamilies(snapshot: Snapshot, options: FamilyOptions): MetricFamily[] {
  const b = new FamilyBuilder(options.namespace);
  try {
    addInfoFamilies(b, snapshot, {
      includeSystemMetrics: options.includeSystemMetrics,
      nowSeconds: snapshot.takenAtMs / 1000,
    });
    addConfigFamilies(b, snapshot);
    addSlowlogFamilies(b, snapshot);
    addLatencyFamilies(b, snapshot);
    addKeyFamilies(b, snapshot);
    addSecurityScrapeFamilies(b, snapshot);
  } finally {
    releaseSnapshotInfo();
  }
  return b.families();
}
