import type { Labels } from '../promql/types.ts';
import { type ScrapedSample, seriesKey } from './scrape-samples.ts';

/**
 * The series of a target's last scrape, to mark stale (Prometheus's staleness) those the next scrape no longer
 * has: a series that disappears, or every series of a target that went down, ends at once instead of lingering
 * for the 5-minute lookback.
 */
export class SeriesTracker {
  private previous = new Map<string, Labels>();

  /** Records this scrape's series; returns the previous scrape's series it lacks and how many are new. */
  next(samples: readonly ScrapedSample[]): { stale: Labels[]; added: number } {
    const current = new Map<string, Labels>();
    let added = 0;
    for (const s of samples) {
      const key = s.key ?? seriesKey(s.labels);
      current.set(key, s.labels);
      if (!this.previous.has(key)) added++;
    }
    const stale: Labels[] = [];
    for (const [key, labels] of this.previous) if (!current.has(key)) stale.push(labels);
    this.previous = current;
    return { stale, added };
  }

  /** Every series of the last scrape (all of them go stale when the target is removed). */
  all(): Labels[] {
    return [...this.previous.values()];
  }
}
