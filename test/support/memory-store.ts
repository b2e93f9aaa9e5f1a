import { MemoryStore } from '../../src/monitor/memory-store.ts';
import type { Labels, SeriesSamples } from '../../src/promql/types.ts';

/** src/monitor/memory-store.ts, recording every append in order so tests can see the order of writes. */
export class RecordingStore extends MemoryStore {
  readonly appends: Array<{ labels: Labels; t: number; v: number }> = [];

  override append(labels: Labels, t: number, v: number): void {
    const dropped = this.dropped;
    super.append(labels, t, v);
    if (this.dropped === dropped) this.appends.push({ labels, t, v });
  }

  /** Every series with all its samples. */
  all(): SeriesSamples[] {
    return this.select([{ name: '__name__', type: '=~', value: '.+' }], {
      start: Number.NEGATIVE_INFINITY,
      end: Number.POSITIVE_INFINITY,
    });
  }

  /** The one series with exactly these labels, or undefined. */
  get(labels: Record<string, string>): SeriesSamples | undefined {
    const matchers = Object.entries(labels).map(([name, value]) => ({ name, type: '=' as const, value }));
    const n = Object.keys(labels).length;
    return this.select(matchers, { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY }).find(
      (s) => Object.keys(s.labels).length === n,
    );
  }
}
