import type { MetricFamily } from '../metrics/family.ts';
import type { Labels } from '../promql/types.ts';

/** The labels Prometheus attaches to every series of a target: its job and its address. */
export interface TargetLabels {
  readonly job: string;
  readonly instance: string;
}

/** One sample of a scrape, before it gets its timestamp. */
export interface ScrapedSample {
  readonly labels: Labels;
  readonly value: number;
  /** seriesKey(labels), when already known. */
  readonly key?: string;
}

/**
 * The stored labels of a target's samples, remembered between scrapes: the families reuse a sample's label object
 * while its INFO line is unchanged, so most samples of a scrape find their labels (and key) here instead of
 * being sorted again, and the store receives the very same frozen object each time. Bounded: cleared when it
 * grows past a size no Redis reaches in normal use (e.g. a client label per connection).
 */
export class SeriesLabelCache {
  private byName = new Map<string, WeakMap<object, { labels: Labels; key: string }>>();
  private size = 0;

  constructor(private readonly max = 50_000) {}

  get(name: string, own: Record<string, string>, target: TargetLabels): { labels: Labels; key: string } {
    let byLabels = this.byName.get(name);
    if (byLabels === undefined) {
      if (this.size >= this.max) {
        this.byName = new Map();
        this.size = 0;
      }
      byLabels = new WeakMap();
      this.byName.set(name, byLabels);
    }
    let hit = byLabels.get(own);
    if (hit === undefined) {
      const labels = seriesLabels(name, own, target);
      hit = { labels, key: seriesKey(labels) };
      byLabels.set(own, hit);
      this.size++;
    }
    return hit;
  }
}

/** What a scrape produced besides its samples: the families' metadata, for /api/v1/metadata. */
export interface FamilyMetadata {
  readonly type: string;
  readonly help: string;
}

/** Labels sorted by name (how the store and the engine hand them out), as a new frozen object. */
export function sortedLabels(labels: Record<string, string>): Labels {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return Object.freeze(out);
}

/** A series' identity: its sorted labels, as one string. */
export function seriesKey(labels: Labels): string {
  let key = '';
  for (const k in labels) key += `${k}\u0000${labels[k]}\u0000`;
  return key;
}

/**
 * A scraped sample's labels as Prometheus stores them (honor_labels: false): the sample's own labels, with one
 * that is empty left out (an empty label is no label), one that clashes with a target label renamed
 * `exported_<name>`, then the target's job and instance and the metric name.
 */
export function seriesLabels(name: string, own: Record<string, string>, target: TargetLabels): Labels {
  const out: Record<string, string> = { __name__: name };
  for (const k in own) {
    const v = own[k];
    if (v === '' || k === '__name__') continue;
    out[k === 'job' || k === 'instance' ? `exported_${k}` : k] = v;
  }
  out.job = target.job;
  out.instance = target.instance;
  return sortedLabels(out);
}

/**
 * The families of one scrape as samples of one target. A series that appears twice keeps its first sample, as
 * Prometheus keeps the first of duplicate samples in a scrape.
 */
export function familiesToSamples(
  groups: readonly (readonly MetricFamily[])[],
  target: TargetLabels,
  cache = new SeriesLabelCache(),
): ScrapedSample[] {
  const out: ScrapedSample[] = [];
  const seen = new Set<string>();
  for (const families of groups)
    for (const family of families)
      for (const sample of family.samples) {
        const { labels, key } = cache.get(family.name + (sample.suffix ?? ''), sample.labels, target);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ labels, value: sample.value, key });
      }
  return out;
}

/** The metadata of the families, by metric name (summaries and histograms under their family's name). */
export function familiesMetadata(groups: readonly (readonly MetricFamily[])[]): Map<string, FamilyMetadata> {
  const out = new Map<string, FamilyMetadata>();
  for (const families of groups)
    for (const f of families) if (!out.has(f.name)) out.set(f.name, { type: f.type, help: f.help });
  return out;
}

/** What Prometheus records about each scrape of a target, besides the target's own samples. */
export interface ScrapeReport {
  up: boolean;
  durationSeconds: number;
  /** Samples the target exposed. */
  samplesScraped: number;
  /** Series of this scrape that the previous one did not have. */
  seriesAdded: number;
}

/** Prometheus's synthetic series of a scrape: up, scrape_duration_seconds, scrape_samples_*, scrape_series_added. */
const NO_OWN_LABELS: Record<string, string> = Object.freeze({});

export function scrapeReportSamples(
  report: ScrapeReport,
  target: TargetLabels,
  cache = new SeriesLabelCache(),
): ScrapedSample[] {
  const sample = (name: string, value: number): ScrapedSample => {
    const { labels, key } = cache.get(name, NO_OWN_LABELS, target);
    return { labels, value, key };
  };
  return [
    sample('up', report.up ? 1 : 0),
    sample('scrape_duration_seconds', report.durationSeconds),
    sample('scrape_samples_scraped', report.samplesScraped),
    sample('scrape_samples_post_metric_relabeling', report.samplesScraped),
    sample('scrape_series_added', report.seriesAdded),
  ];
}

/** Help of Prometheus's synthetic series, for /api/v1/metadata. */
export const SCRAPE_REPORT_METADATA: ReadonlyMap<string, FamilyMetadata> = new Map([
  ['up', { type: 'gauge', help: 'Whether the last scrape of the target succeeded (1) or not (0).' }],
  ['scrape_duration_seconds', { type: 'gauge', help: 'Duration of the last scrape of the target, in seconds.' }],
  ['scrape_samples_scraped', { type: 'gauge', help: 'Samples the target exposed in its last scrape.' }],
  [
    'scrape_samples_post_metric_relabeling',
    { type: 'gauge', help: 'Samples of the last scrape kept after metric relabeling (redoubt relabels none).' },
  ],
  ['scrape_series_added', { type: 'gauge', help: 'Series of the last scrape that the one before did not have.' }],
]);
