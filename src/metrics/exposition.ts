import type { MetricFamily } from './family.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

/** Picks the exposition format from an Accept header, as Prometheus negotiates it. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    if (type.trim() !== 'application/openmetrics-text') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    return 'openmetrics';
  }
  return 'text';
}

export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  if (!/[\\"\n]/.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string, openMetrics: boolean): string {
  if (!/[\\\n"]/.test(v)) return v;
  const s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? s.replace(/"/g, '\\"') : s;
}

function labelString(labels: Record<string, string>): string {
  let out = '';
  for (const k in labels) out += `${out ? ',' : '{'}${k}="${escapeLabel(labels[k])}"`;
  return out ? `${out}}` : '';
}

/**
 * Rendering writes the pieces of a scrape's output into one array and joins it once. Nearly every piece is a
 * string that already exists: each family's header and each sample's `name{labels} ` prefix are remembered
 * from the previous render of that family and reused while the labels stay the same (they do on every scrape
 * of a stable server), so a render allocates little beyond the output and the numbers in it.
 */
class Pieces {
  // Reused across renders: emptying it (length = 0) would free its backing store and regrow it every scrape.
  private readonly parts: string[] = [];
  private n = 0;

  begin(): void {
    this.n = 0;
  }

  put(s: string): void {
    this.parts[this.n++] = s;
  }

  join(): string {
    this.parts.length = this.n;
    const text = this.parts.join('');
    // Let go of the pieces (keeping the capacity): held until the next render, the fresh ones (numbers) would
    // survive young-generation GCs and be promoted to the old generation.
    this.parts.fill('');
    return text;
  }
}
const out = new Pieces();

/** One family's rendering in one format, as of its last render. */
interface FamilyCache {
  help: string;
  type: string;
  /** `# HELP …\n# TYPE …\n` */
  header: string;
  /** Per sample: the suffix, label names and values it was rendered with, and its `name…{labels} ` prefix. */
  suffixes: Array<string | undefined>;
  labelNames: string[][];
  labelValues: string[][];
  prefixes: string[];
}

const MAX_CACHED_FAMILIES = 4096;
const textCache = new Map<string, FamilyCache>();
const openMetricsCache = new Map<string, FamilyCache>();

/**
 * A copy of s that does not keep a larger string alive: label values are often slices of the whole INFO text,
 * and a cached slice would pin that text. (Slicing a concatenation flattens it into a fresh string first.)
 */
const detach = (s: string): string => ` ${s}`.slice(1);

/**
 * The cache entry of the family whose samples are named `name`, its header naming `familyName` (they differ
 * for OpenMetrics counters: `x_total` samples, family `x`; a function of name and type, so checking type suffices).
 */
function familyCache(
  cache: Map<string, FamilyCache>,
  name: string,
  familyName: string,
  help: string,
  type: string,
  openMetrics: boolean,
): FamilyCache {
  let c = cache.get(name);
  if (c === undefined || c.help !== help || c.type !== type) {
    const header = `# HELP ${familyName} ${escapeHelp(help, openMetrics)}\n# TYPE ${familyName} ${type}\n`;
    c = { help, type, header, suffixes: [], labelNames: [], labelValues: [], prefixes: [] };
    if (cache.size < MAX_CACHED_FAMILIES || cache.has(name)) cache.set(name, c);
  }
  return c;
}

/** Whether labels has exactly these names, in this order (for-in order is the rendered order), and values. */
function sameLabels(labels: Record<string, string>, names: string[], values: string[]): boolean {
  let i = 0;
  for (const k in labels) {
    if (i >= names.length || names[i] !== k || values[i] !== labels[k]) return false;
    i++;
  }
  return i === names.length;
}

/** Puts a family's samples: `<prefix><value>\n` each, where prefix = `name[suffix][{labels}] `. */
function putSamples(c: FamilyCache, f: MetricFamily, withSuffix: boolean): void {
  const samples = f.samples;
  for (let j = 0; j < samples.length; j++) {
    const s = samples[j];
    const suffix = withSuffix ? s.suffix : undefined;
    let prefix: string;
    if (j < c.prefixes.length && c.suffixes[j] === suffix && sameLabels(s.labels, c.labelNames[j], c.labelValues[j]))
      prefix = c.prefixes[j];
    else {
      prefix = detach(`${f.name}${suffix ?? ''}${labelString(s.labels)} `);
      const names: string[] = [];
      const values: string[] = [];
      for (const k in s.labels) {
        names.push(k);
        values.push(detach(s.labels[k]));
      }
      c.suffixes[j] = suffix;
      c.labelNames[j] = names;
      c.labelValues[j] = values;
      c.prefixes[j] = prefix;
    }
    out.put(prefix);
    out.put(valueLine(s.value));
  }
  if (c.prefixes.length > samples.length) {
    c.suffixes.length = samples.length;
    c.labelNames.length = samples.length;
    c.labelValues.length = samples.length;
    c.prefixes.length = samples.length;
  }
}

/** `0\n` … `1023\n`: most values are small integers (flags, counts). */
const SMALL_VALUE_LINES = Array.from({ length: 1024 }, (_, i) => `${i}\n`);

/** `<value>\n` */
function valueLine(v: number): string {
  // (-0 indexes entry 0 and formats as "0" either way)
  if (v >= 0 && v < 1024 && Number.isInteger(v)) return SMALL_VALUE_LINES[v];
  return `${formatValue(v)}\n`;
}

/**
 * Families sorted by name (as client_golang does) so outputs diff cleanly. Samples keep the order they were
 * produced in — INFO's own order, which is stable — because sorting every sample by its labels cost more than
 * the rest of the rendering.
 */
export function sortFamilies(families: MetricFamily[]): MetricFamily[] {
  const order = sortedOrder(families);
  const sorted = new Array<MetricFamily>(order.length);
  for (let i = 0; i < order.length; i++) sorted[i] = families[order[i]];
  return sorted;
}

/** The last input's names and the sorted order of their indices: a stable server yields the same list each scrape. */
let lastNames: string[] = [];
let lastOrder: number[] = [];

function sortedOrder(families: MetricFamily[]): number[] {
  let same = families.length === lastNames.length;
  for (let i = 0; same && i < families.length; i++) same = families[i].name === lastNames[i];
  if (same) return lastOrder;
  const names = families.map((f) => f.name);
  // Array.prototype.sort is stable, so the order is a function of the names alone and safe to reuse.
  const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  lastNames = names;
  lastOrder = order;
  return order;
}

/** Prometheus text format 0.0.4. */
export function renderText(families: MetricFamily[]): string {
  out.begin();
  for (const i of sortedOrder(families)) {
    const f = families[i];
    if (f.samples.length === 0) continue;
    const c = familyCache(textCache, f.name, f.name, f.help, f.type, false);
    out.put(c.header);
    putSamples(c, f, true);
  }
  return out.join();
}

/**
 * OpenMetrics 1.0. Counters whose name does not end in `_total` (redis_exporter has several) are exposed as
 * `unknown` so that the series name stays the same as in the text format; renaming them would break rules.
 */
export function renderOpenMetrics(families: MetricFamily[]): string {
  out.begin();
  for (const i of sortedOrder(families)) {
    const f = families[i];
    if (f.samples.length === 0) continue;
    let type: string = f.type;
    let familyName = f.name;
    if (f.type === 'counter') {
      if (f.name.endsWith('_total')) familyName = f.name.slice(0, -'_total'.length);
      else type = 'unknown';
    } else if (f.type === 'untyped') type = 'unknown';
    const c = familyCache(openMetricsCache, f.name, familyName, f.help, type, true);
    out.put(c.header);
    // A counter's samples are all named f.name (= familyName + `_total` when it is a real counter).
    putSamples(c, f, f.type !== 'counter');
  }
  out.put('# EOF\n');
  return out.join();
}

export function render(families: MetricFamily[], format: ExpositionFormat): string {
  return format === 'openmetrics' ? renderOpenMetrics(families) : renderText(families);
}
