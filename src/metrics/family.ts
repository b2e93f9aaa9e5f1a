/** One metric family as Prometheus exposes it. Pure data: renderers turn it into text. */
export type MetricType = 'gauge' | 'counter' | 'summary' | 'histogram' | 'untyped';

export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** For summary/histogram children: '_sum', '_count', '_bucket'; empty for the plain sample. */
  suffix?: '' | '_sum' | '_count' | '_bucket';
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

/**
 * The label set of a sample without labels, shared by all of them (frozen, so no caller can change it for the
 * others): hundreds of samples per scrape have none.
 */
export const NO_LABELS: Record<string, string> = Object.freeze({});

const MAX_CACHED_NAMES = 10_000;
/** namespace → suffix → full name: the same few hundred names come back on every scrape. */
const fullNames = new Map<string, Map<string, string>>();

/** Accumulates families by name, keeping first-seen order; merging samples of the same name. */
export class FamilyBuilder {
  private readonly list: MetricFamily[] = [];
  /** Keyed by suffix (hot path: hundreds of samples per scrape); the full name is built once per family. */
  private readonly bySuffix = new Map<string, MetricFamily>();
  /** Set once raw() added a family: only then can a new suffix name a family that already exists. */
  private hasRaw = false;
  private readonly names: Map<string, string>;

  constructor(private readonly namespace: string) {
    let names = fullNames.get(namespace);
    if (!names) {
      names = new Map();
      if (fullNames.size < 64) fullNames.set(namespace, names);
    }
    this.names = names;
  }

  /** Full metric name for a suffix, e.g. `memory_used_bytes` → `redis_memory_used_bytes`. */
  name(suffix: string): string {
    let name = this.names.get(suffix);
    if (name === undefined) {
      name = this.namespace ? `${this.namespace}_${suffix}` : suffix;
      if (this.names.size < MAX_CACHED_NAMES) this.names.set(suffix, name);
    }
    return name;
  }

  add(
    suffix: string,
    type: MetricType,
    value: number,
    labels: Record<string, string> = NO_LABELS,
    help?: string,
    sampleSuffix: Sample['suffix'] = '',
  ): void {
    const sample: Sample = { labels, value, suffix: sampleSuffix };
    let fam = this.bySuffix.get(suffix);
    if (!fam) {
      const name = this.name(suffix);
      fam = this.hasRaw ? this.byName(name) : undefined;
      if (!fam) {
        // [sample] rather than [] + push: most families hold one sample, and push would reserve room for 17.
        fam = { name, type, help: help ?? `${name} metric`, samples: [sample] };
        this.list.push(fam);
        this.bySuffix.set(suffix, fam);
        return;
      }
      this.bySuffix.set(suffix, fam);
    }
    fam.samples.push(sample);
  }

  gauge(suffix: string, value: number, labels?: Record<string, string>, help?: string): void {
    this.add(suffix, 'gauge', value, labels, help);
  }

  counter(suffix: string, value: number, labels?: Record<string, string>, help?: string): void {
    this.add(suffix, 'counter', value, labels, help);
  }

  /** Adds a whole family under an absolute name (no namespace), e.g. process_* metrics. */
  raw(family: MetricFamily): void {
    const existing = this.byName(family.name);
    if (existing) existing.samples.push(...family.samples);
    else this.list.push({ ...family, samples: [...family.samples] });
    this.hasRaw = true;
  }

  has(suffix: string): boolean {
    return this.bySuffix.has(suffix) || (this.hasRaw && this.byName(this.name(suffix)) !== undefined);
  }

  families(): MetricFamily[] {
    return [...this.list];
  }

  private byName(name: string): MetricFamily | undefined {
    return this.list.find((f) => f.name === name);
  }
}
