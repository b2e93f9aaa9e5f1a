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

/** Accumulates families by name, keeping first-seen order; merging samples of the same name. */
export class FamilyBuilder {
  private readonly byName = new Map<string, MetricFamily>();
  private readonly bySuffix = new Map<string, MetricFamily>();

  constructor(private readonly namespace: string) {}

  /** Full metric name for a suffix, e.g. `memory_used_bytes` → `redis_memory_used_bytes`. */
  name(suffix: string): string {
    return this.namespace ? `${this.namespace}_${suffix}` : suffix;
  }

  add(
    suffix: string,
    type: MetricType,
    value: number,
    labels: Record<string, string> = {},
    help?: string,
    sampleSuffix: Sample['suffix'] = '',
  ): void {
    // Keyed by suffix (hot path: hundreds of samples per scrape); the full name is built once per family.
    let fam = this.bySuffix.get(suffix);
    if (!fam) {
      const name = this.name(suffix);
      fam = this.byName.get(name);
      if (!fam) {
        fam = { name, type, help: help ?? `${name} metric`, samples: [] };
        this.byName.set(name, fam);
      }
      this.bySuffix.set(suffix, fam);
    }
    fam.samples.push({ labels, value, suffix: sampleSuffix });
  }

  gauge(suffix: string, value: number, labels?: Record<string, string>, help?: string): void {
    this.add(suffix, 'gauge', value, labels, help);
  }

  counter(suffix: string, value: number, labels?: Record<string, string>, help?: string): void {
    this.add(suffix, 'counter', value, labels, help);
  }

  /** Adds a whole family under an absolute name (no namespace), e.g. process_* metrics. */
  raw(family: MetricFamily): void {
    const existing = this.byName.get(family.name);
    if (existing) existing.samples.push(...family.samples);
    else this.byName.set(family.name, { ...family, samples: [...family.samples] });
  }

  has(suffix: string): boolean {
    return this.byName.has(this.name(suffix));
  }

  families(): MetricFamily[] {
    return [...this.byName.values()];
  }
}
