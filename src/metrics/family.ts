/** One metric family as Prometheus exposes it. Pure data: renderers turn it into text. */
export type MetricType = 'gauge' | 'counter' | 'summary' | 'histogram' | 'untyped';

/**
 * One sample. Samples and their label sets may be shared between the families of successive scrapes (info.ts
 * reuses those of unchanged INFO lines), so they are immutable once handed to a builder.
 */
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
/** Longest samples array made in advance (a much longer `new Array(n)` would not even be a fast array). */
const MAX_PRESIZED = 4096;

/**
 * What the builders of one namespace share, bounded: the same few hundred families come back on every scrape, so
 * their names, their slots and their sizes are worked out once.
 */
interface Namespace {
  /** suffix → full name, e.g. `memory_used_bytes` → `redis_memory_used_bytes`. */
  readonly names: Map<string, string>;
  /** suffix → id: a builder keeps its families in an array by id instead of filling a Map of its own. */
  readonly ids: Map<string, number>;
  /** By id: the family's sample count when a builder last finished it; the next one starts its array that long. */
  readonly sizes: number[];
  /** The slot arrays of the last builder that finished, emptied, for the next one (builders run one by one). */
  spare: Slots | undefined;
}
const namespaces = new Map<string, Namespace>();

/** By suffix id: a builder's family, and how many samples its array holds (the array may be longer). */
interface Slots {
  families: Array<MetricFamily | undefined>;
  filled: number[];
}

/**
 * A family as the builder makes it. Made by a constructor, not an object literal, and its samples array by
 * `new Array(n)`, not a `[sample]` literal: V8 came to pretenure those literals' allocation sites in the exporter
 * (allocate their objects straight in the old generation, having found them alive at scavenges), so every
 * scrape's families piled up there as garbage (old space grew ~0.3 MB per scavenge, peak RSS ~90 MB instead of
 * ~72 MB). Objects made by a constructor are never pretenured.
 */
class Family implements MetricFamily {
  constructor(
    public name: string,
    public type: MetricType,
    public help: string,
    public samples: Sample[],
  ) {}
}

/** The full name of a family: `<namespace>_<suffix>`, or the suffix alone without a namespace. */
export function metricName(namespace: string, suffix: string): string {
  return namespace ? `${namespace}_${suffix}` : suffix;
}

/** Accumulates families by name, keeping first-seen order; merging samples of the same name. */
export class FamilyBuilder {
  private readonly list: MetricFamily[] = [];
  private readonly ns: Namespace;
  /**
   * The families by suffix id (hot path: hundreds of samples per scrape). A samples array starts as long as the
   * family's was last time, and is cut to its count by families(), which also hands the slots on to the next
   * builder; undefined from then on until the builder is used again.
   */
  private slots: Slots | undefined;
  /** Families of suffixes that got no id (past the bound), by suffix. */
  private overflow: Map<string, MetricFamily> | undefined;
  /** Set once every samples array is complete (after raw() or families()): from then on they are appended to. */
  private dense = false;
  /** Set once raw() added a family: only then can a new suffix name a family that already exists. */
  private hasRaw = false;

  constructor(private readonly namespace: string) {
    let ns = namespaces.get(namespace);
    if (!ns) {
      ns = { names: new Map(), ids: new Map(), sizes: [], spare: undefined };
      if (namespaces.size < 64) namespaces.set(namespace, ns);
    }
    this.ns = ns;
    this.slots = ns.spare ?? { families: [], filled: [] };
    ns.spare = undefined;
  }

  /** Full metric name for a suffix, e.g. `memory_used_bytes` → `redis_memory_used_bytes`. */
  name(suffix: string): string {
    const names = this.ns.names;
    let name = names.get(suffix);
    if (name === undefined) {
      name = metricName(this.namespace, suffix);
      if (names.size < MAX_CACHED_NAMES) names.set(suffix, name);
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
    this.addSample(suffix, type, { labels, value, suffix: sampleSuffix }, help);
  }

  /**
   * add() for a sample that already exists, e.g. one kept from the last scrape because nothing in it changed.
   * The builder shares it (it does not copy it), so samples must be treated as immutable once added. helpOf, if
   * given instead of help, is asked for the help text (of suffix) only when the sample starts a family.
   */
  addSample(
    suffix: string,
    type: MetricType,
    sample: Sample,
    help?: string,
    helpOf?: (suffix: string) => string,
  ): void {
    const ns = this.ns;
    let id = ns.ids.get(suffix);
    if (id === undefined && ns.ids.size < MAX_CACHED_NAMES) {
      id = ns.ids.size;
      ns.ids.set(suffix, id);
    }
    const slots = id !== undefined ? this.slotsInUse() : undefined;
    let fam = slots !== undefined && id !== undefined ? slots.families[id] : this.overflow?.get(suffix);
    if (fam !== undefined) {
      const samples = fam.samples;
      if (slots === undefined || id === undefined || this.dense) samples.push(sample);
      else {
        const n = slots.filled[id];
        if (n < samples.length) samples[n] = sample;
        else samples.push(sample);
        slots.filled[id] = n + 1;
      }
      return;
    }
    const name = this.name(suffix);
    fam = this.hasRaw ? this.byName(name) : undefined;
    if (fam === undefined) {
      // As long as last time (most families hold one sample; [] + push would reserve 17), within reason.
      const size = id !== undefined && !this.dense ? (ns.sizes[id] ?? 1) : 1;
      const samples: Sample[] = new Array(Math.min(size, MAX_PRESIZED));
      samples[0] = sample;
      fam = new Family(name, type, help ?? (helpOf !== undefined ? helpOf(suffix) : `${name} metric`), samples);
      this.list.push(fam);
    } else fam.samples.push(sample); // a raw() family: complete, like every other one by now
    if (slots !== undefined && id !== undefined) {
      slots.families[id] = fam;
      slots.filled[id] = 1;
    } else {
      this.overflow ??= new Map();
      this.overflow.set(suffix, fam);
    }
  }

  gauge(suffix: string, value: number, labels?: Record<string, string>, help?: string): void {
    this.add(suffix, 'gauge', value, labels, help);
  }

  counter(suffix: string, value: number, labels?: Record<string, string>, help?: string): void {
    this.add(suffix, 'counter', value, labels, help);
  }

  /** Adds a whole family under an absolute name (no namespace), e.g. process_* metrics. */
  raw(family: MetricFamily): void {
    this.finish();
    this.hasRaw = true;
    const existing = this.byName(family.name);
    if (existing) existing.samples.push(...family.samples);
    else this.list.push({ ...family, samples: [...family.samples] });
  }

  has(suffix: string): boolean {
    const id = this.ns.ids.get(suffix);
    const own = id !== undefined ? this.slotsInUse().families[id] !== undefined : this.overflow?.has(suffix) === true;
    return own || (this.hasRaw && this.byName(this.name(suffix)) !== undefined);
  }

  families(): MetricFamily[] {
    this.finish();
    const slots = this.slots;
    if (slots !== undefined) {
      this.slots = undefined;
      slots.families.fill(undefined);
      slots.filled.fill(0);
      this.ns.spare ??= slots;
    }
    return [...this.list];
  }

  /** Cuts each samples array to its count and remembers the counts; from then on the arrays are appended to. */
  private finish(): void {
    const slots = this.slots;
    if (this.dense || slots === undefined) {
      this.dense = true;
      return;
    }
    this.dense = true;
    for (let id = 0; id < slots.families.length; id++) {
      const fam = slots.families[id];
      if (fam === undefined) continue;
      const n = slots.filled[id];
      if (n < fam.samples.length) fam.samples.length = n;
      this.ns.sizes[id] = n;
    }
  }

  /** The slots, found again from the list when families() handed them on and the builder is used once more. */
  private slotsInUse(): Slots {
    if (this.slots !== undefined) return this.slots;
    const slots: Slots = { families: [], filled: [] };
    const byName = new Map(this.list.map((f) => [f.name, f]));
    this.ns.ids.forEach((id, suffix) => {
      const fam = byName.get(this.name(suffix));
      if (fam !== undefined) slots.families[id] = fam;
    });
    this.slots = slots;
    return slots;
  }

  private byName(name: string): MetricFamily | undefined {
    return this.list.find((f) => f.name === name);
  }
}
