import type { LazySeries, Matcher, Queryable, SelectHints, SeriesSamples } from '../../promql/types.ts';
import { ApiError } from './errors.ts';

/**
 * The store as one query sees it, with the query's bounds: a deadline (the engine evaluates synchronously, so it
 * is checked as each series is read: scraping waits while a query runs, for at most this long) and a number of
 * samples read (Prometheus's query.max-samples). Either ends the query with Prometheus's error.
 */
export class BoundedQueryable implements Queryable {
  samplesRead = 0;

  constructor(
    private readonly inner: Queryable,
    private readonly deadlineMs: number,
    private readonly maxSamples: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws Prometheus's error once the deadline passed or too many samples were read. */
  check(): void {
    if (this.now() > this.deadlineMs) throw new ApiError('timeout', 'query timed out in expression evaluation');
    if (this.samplesRead > this.maxSamples)
      throw new ApiError('execution', 'query processing would load too many samples into memory in query execution');
  }

  *select(matchers: readonly Matcher[], hints: SelectHints): Iterable<SeriesSamples> {
    this.check();
    for (const s of this.inner.select(matchers, hints)) {
      this.samplesRead += s.t.length;
      this.check();
      yield s;
    }
  }

  *selectLazy(matchers: readonly Matcher[], hints: SelectHints): Iterable<LazySeries> {
    if (!this.inner.selectLazy) {
      for (const s of this.select(matchers, hints)) yield { labels: s.labels, sampleCount: s.t.length, read: () => s };
      return;
    }
    this.check();
    for (const s of this.inner.selectLazy(matchers, hints)) {
      this.samplesRead += s.sampleCount;
      this.check();
      yield s;
    }
  }

  labelNames(matchers: readonly Matcher[], start: number, end: number): string[] {
    this.check();
    return this.inner.labelNames(matchers, start, end);
  }

  labelValues(name: string, matchers: readonly Matcher[], start: number, end: number): string[] {
    this.check();
    return this.inner.labelValues(name, matchers, start, end);
  }
}
