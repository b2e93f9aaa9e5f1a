// detach: label values are often slices of the whole INFO text, and a cached slice would pin that text.
import { detach } from '../redis/info-lines.ts';
import type { MetricFamily, Sample } from './family.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

/** The last Accept header negotiated and its format: a Prometheus server sends the same header every scrape. */
let lastAccept = '';
let lastFormat: ExpositionFormat = 'text';

/** Picks the exposition format from an Accept header, as Prometheus negotiates it. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  if (accept === lastAccept) return lastFormat;
  const format = negotiate(accept);
  if (accept.length <= 1024) {
    lastAccept = accept;
    lastFormat = format;
  }
  return format;
}

function negotiate(accept: string): ExpositionFormat {
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

/** Whether labels has exactly these names, in this order (for-in order is the rendered order), and values. */
function sameLabels(labels: Record<string, string>, names: string[], values: string[]): boolean {
  let i = 0;
  for (const k in labels) {
    if (i >= names.length || names[i] !== k || values[i] !== labels[k]) return false;
    i++;
  }
  return i === names.length;
}

/** Same rendered value: NaN equals NaN; 0 and -0 both render as `0`. */
const sameValue = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** `0\n` … `1023\n`: most values are small integers (flags, counts). */
const SMALL_VALUE_LINES = Array.from({ length: 1024 }, (_, i) => `${i}\n`);

/**
 * One family's rendering in one format, as of the render (generation `gen`) that last wrote it: what it was
 * rendered from and where its bytes are in that render's output.
 */
interface FamilyState {
  /** The family's name (its key in FormatRenderer.families). */
  name: string;
  gen: number;
  /** f.help and f.type: with the family name they determine the header. */
  help: string;
  type: string;
  /** `# HELP …\n# TYPE …\n` */
  header: string;
  headerStart: number;
  headerBytes: number;
  /** Per sample: the suffix, label names and values and value it was rendered with, its `name…{labels} ` prefix… */
  suffixes: Array<string | undefined>;
  labelNames: string[][];
  labelValues: string[][];
  /**
   * The labels object last rendered, to skip comparing names and values when a sample comes with the very same
   * object (as most do: label sets are built once and reused across scrapes; they are never changed in place).
   * Emptied once the family is not rendered, so that a family gone from the scrapes holds no scrape's objects.
   */
  labelRefs: Array<Record<string, string>>;
  /**
   * The samples last rendered (emptied like labelRefs). Samples are immutable once built, so when a family comes
   * with the very same samples as last time, its lines are those of last time: one copy of the whole family.
   */
  sampleRefs: Sample[];
  /** Bytes of the family's header and lines, as last rendered. */
  totalBytes: number;
  values: number[];
  prefixes: string[];
  /**
   * …and where its line starts (from the start of the family's header, so that a family copied whole to another
   * place keeps them), and the byte lengths of the prefix and of the whole line (with `\n`).
   */
  starts: number[];
  prefixBytes: number[];
  lineBytes: number[];
}

const MAX_CACHED_FAMILIES = 4096;
const MIN_CAPACITY = 16 * 1024;
/** Largest integer written digit by digit: beyond it, String(v) may switch to exponent notation. */
const MAX_PLAIN_INTEGER = 1e15;

/**
 * Renders scrapes of one format into bytes, reusing the previous render's bytes for everything that did not
 * change. On a stable server nearly every sample has the labels and value of the previous scrape (~30 of ~900
 * change), so a render is mostly a few large copies out of the previous output plus the changed numbers; it
 * builds no large string and encodes nothing twice.
 *
 * One buffer holds two regions of `cap` bytes that take turns: the previous render (at prevBase), which the next
 * render copies from into the other (at outBase). Both in one buffer so that copies are copyWithin, which
 * allocates nothing (Buffer#copy of a part makes a view per call).
 */
class FormatRenderer {
  private readonly families = new Map<string, FamilyState>();
  /**
   * By place in the last render, the state that family had (when remembered): a scrape's families come in the
   * same order every time, so this finds a state without hashing its name.
   */
  private byPlace: Array<FamilyState | undefined> = [];
  private gen = 0;
  private mem: Buffer = Buffer.alloc(0);
  private cap = 0;
  private prevBase = 0;
  private prevLen = 0;
  private outBase = 0;
  /** Logical write position in the out region: bytes written plus the pending copy. */
  private pos = 0;
  /** Pending copy of prev[runStart, runEnd) to out[runDst…): consecutive unchanged lines become one copy. */
  private runStart = 0;
  private runEnd = 0;
  private runDst = 0;
  /** The states this render and the previous one wrote (first `n` entries; arrays reused across renders). */
  private written: FamilyState[] = [];
  private writtenN = 0;
  private lastWritten: FamilyState[] = [];
  private lastWrittenN = 0;
  /**
   * Per region (0: the first cap bytes of mem, 1: the rest), how many views of it are held (see hold()); a render
   * into a held region moves to a new buffer instead, leaving the old one to its holders. Counts of an earlier
   * buffer are dropped with it (memId tells them apart).
   */
  private holds = [0, 0];
  private memId = 0;

  constructor(private readonly openMetrics: boolean) {}

  /** The rendered bytes, a view of the renderer's buffer that stays valid until its next render. */
  render(families: MetricFamily[], order: number[]): Buffer {
    this.gen++;
    this.begin();
    try {
      let rendered = 0;
      for (let i = 0; i < order.length; i++) {
        const f = families[order[i]];
        if (f.samples.length === 0) continue;
        this.putFamily(f, i);
        rendered++;
      }
      if (this.openMetrics) this.write('# EOF\n');
      this.flush();
      this.releaseUnwritten();
      if (this.families.size > 2 * rendered + 64) this.prune();
    } catch (err) {
      // A half-written render must not be copied from: forget everything.
      this.families.clear();
      this.byPlace = [];
      this.written = [];
      this.lastWritten = [];
      this.writtenN = this.lastWrittenN = 0;
      this.gen++;
      throw err;
    }
    const base = this.outBase;
    this.outBase = this.prevBase;
    this.prevBase = base;
    this.prevLen = this.pos;
    return this.mem.subarray(base, base + this.pos);
  }

  private begin(): void {
    // Room for the previous render's size and some growth; give back room far beyond it (after one huge scrape).
    const want = Math.max(MIN_CAPACITY, this.prevLen + (this.prevLen >> 2) + 1024);
    const held = this.holds[this.outBase === 0 ? 0 : 1] > 0;
    if (this.cap < want || this.cap > 4 * want || held) this.resize(held ? Math.max(want, this.cap) : want, 0);
    this.pos = 0;
    this.runStart = this.runEnd = this.runDst = 0;
  }

  /** Moves to a buffer of 2 × cap bytes, keeping the previous render and the first `written` bytes of this one. */
  private resize(cap: number, written: number): void {
    const mem = Buffer.allocUnsafeSlow(2 * cap);
    this.mem.copy(mem, 0, this.prevBase, this.prevBase + this.prevLen);
    this.mem.copy(mem, cap, this.outBase, this.outBase + written);
    this.mem = mem;
    this.cap = cap;
    this.prevBase = 0;
    this.outBase = cap;
    this.holds = [0, 0];
    this.memId++;
  }

  /**
   * Keeps the bytes of the last render (the view render() returned) from being written over until the returned
   * function is called. Without a hold they are valid until the render after next.
   */
  hold(): () => void {
    const region = this.prevBase === 0 ? 0 : 1;
    const id = this.memId;
    this.holds[region]++;
    let held = true;
    return () => {
      if (held && this.memId === id) this.holds[region]--;
      held = false;
    };
  }

  /** Makes room for n more bytes at pos. */
  private ensure(n: number): void {
    if (this.pos + n <= this.cap) return;
    // Only the bytes before the pending copy are in the out region yet.
    this.resize(Math.max(2 * this.cap, this.pos + n + 1024), this.runEnd > this.runStart ? this.runDst : this.pos);
  }

  /** Appends prev[start, start + n). */
  private copy(start: number, n: number): void {
    if (n === 0) return;
    this.ensure(n);
    if (this.runEnd !== start || this.runEnd === this.runStart) {
      this.flush();
      this.runStart = start;
      this.runEnd = start;
      this.runDst = this.pos;
    }
    this.runEnd += n;
    this.pos += n;
  }

  private flush(): void {
    if (this.runEnd > this.runStart)
      this.mem.copyWithin(this.outBase + this.runDst, this.prevBase + this.runStart, this.prevBase + this.runEnd);
    this.runStart = this.runEnd = 0;
  }

  /** Appends s (UTF-8); returns its byte length. */
  private write(s: string): number {
    this.flush();
    this.ensure(3 * s.length);
    const n = this.mem.write(s, this.outBase + this.pos, this.cap - this.pos, 'utf8');
    this.pos += n;
    return n;
  }

  /** Appends `<value>\n`; returns its byte length. */
  private writeValue(v: number): number {
    this.flush();
    this.ensure(32);
    const mem = this.mem;
    const start = this.outBase + this.pos;
    let p = start;
    if (v >= 0 && v < 1024 && Number.isInteger(v)) {
      // (-0 indexes entry 0 and formats as "0" either way)
      const line = SMALL_VALUE_LINES[v];
      p += mem.write(line, p, 'latin1');
    } else {
      if (Number.isInteger(v) && v > -MAX_PLAIN_INTEGER && v < MAX_PLAIN_INTEGER) {
        // The digits String(v) would give, without making the string.
        let n = v;
        if (n < 0) {
          mem[p++] = 0x2d; // -
          n = -n;
        }
        let digits = 1;
        for (let d = n; d >= 10; d = Math.floor(d / 10)) digits++;
        for (let k = p + digits - 1; k >= p; k--) {
          mem[k] = 0x30 + (n % 10);
          n = Math.floor(n / 10);
        }
        p += digits;
      } else {
        p += mem.write(formatValue(v), p, 'latin1');
      }
      mem[p++] = 0x0a; // \n
    }
    this.pos += p - start;
    return p - start;
  }

  private putFamily(f: MetricFamily, place: number): void {
    const warmGen = this.gen - 1;
    let st = this.byPlace[place];
    if (st === undefined || st.name !== f.name) st = this.families.get(f.name);
    if (st === undefined || st.help !== f.help || st.type !== f.type) {
      st = {
        name: f.name,
        gen: -1,
        help: f.help,
        type: f.type,
        header: this.header(f),
        headerStart: 0,
        headerBytes: 0,
        suffixes: [],
        labelNames: [],
        labelValues: [],
        labelRefs: [],
        sampleRefs: [],
        totalBytes: 0,
        values: [],
        prefixes: [],
        starts: [],
        prefixBytes: [],
        lineBytes: [],
      };
      // Full: render it without remembering it.
      if (this.families.size < MAX_CACHED_FAMILIES || this.families.has(f.name)) this.families.set(f.name, st);
      else {
        this.byPlace[place] = undefined;
        st.name = ''; // (not remembered: never found by place either)
      }
    }
    if (st.name !== '') this.byPlace[place] = st;
    // Its bytes in prev are usable only if the previous render wrote them (not an older one, nor earlier in this one).
    const warm = st.gen === warmGen;
    if (st.gen !== this.gen) this.written[this.writtenN++] = st;
    st.gen = this.gen;
    const headerStart = this.pos;
    /** Where the family was in the previous render (meaningful when warm). */
    const prevStart = st.headerStart;
    const samples = f.samples;
    const known = st.prefixes.length;
    if (warm && samples.length === known && st.sampleRefs.length === known) {
      let same = true;
      for (let j = 0; same && j < known; j++) same = samples[j] === st.sampleRefs[j];
      if (same) {
        this.copy(prevStart, st.totalBytes);
        st.headerStart = headerStart;
        return;
      }
    }
    if (warm) this.copy(prevStart, st.headerBytes);
    else st.headerBytes = this.write(st.header);
    st.headerStart = headerStart;

    // A real OpenMetrics counter's samples are all named f.name (= family name + `_total`): no suffixes.
    const withSuffix = !this.openMetrics || f.type !== 'counter';
    for (let j = 0; j < samples.length; j++) {
      const s = samples[j];
      const suffix = withSuffix ? s.suffix : undefined;
      const start = this.pos;
      const labels = s.labels;
      if (
        j < known &&
        st.suffixes[j] === suffix &&
        (labels === st.labelRefs[j] || sameLabels(labels, st.labelNames[j], st.labelValues[j]))
      ) {
        if (!warm) {
          this.write(st.prefixes[j]);
          st.lineBytes[j] = st.prefixBytes[j] + this.writeValue(s.value);
          st.values[j] = s.value;
        } else if (sameValue(s.value, st.values[j])) {
          this.copy(prevStart + st.starts[j], st.lineBytes[j]);
        } else {
          this.copy(prevStart + st.starts[j], st.prefixBytes[j]);
          st.lineBytes[j] = st.prefixBytes[j] + this.writeValue(s.value);
          st.values[j] = s.value;
        }
      } else {
        const prefix = detach(`${f.name}${suffix ?? ''}${labelString(s.labels)} `);
        const names: string[] = [];
        const values: string[] = [];
        for (const k in s.labels) {
          names.push(k);
          values.push(detach(s.labels[k]));
        }
        st.suffixes[j] = suffix;
        st.labelNames[j] = names;
        st.labelValues[j] = values;
        st.prefixes[j] = prefix;
        st.prefixBytes[j] = this.write(prefix);
        st.lineBytes[j] = st.prefixBytes[j] + this.writeValue(s.value);
        st.values[j] = s.value;
      }
      st.labelRefs[j] = labels;
      st.sampleRefs[j] = s;
      st.starts[j] = start - headerStart;
    }
    if (known > samples.length) {
      const n = samples.length;
      st.suffixes.length = n;
      st.labelNames.length = n;
      st.labelValues.length = n;
      st.labelRefs.length = n;
      st.sampleRefs.length = n;
      st.values.length = n;
      st.prefixes.length = n;
      st.starts.length = n;
      st.prefixBytes.length = n;
      st.lineBytes.length = n;
    }
    st.totalBytes = this.pos - headerStart;
  }

  /**
   * `# HELP …\n# TYPE …\n`. OpenMetrics: counters whose name does not end in `_total` (redis_exporter has
   * several) are exposed as `unknown` so that the series name stays the same as in the text format; renaming them
   * would break rules.
   */
  private header(f: MetricFamily): string {
    let type: string = f.type;
    let familyName = f.name;
    if (this.openMetrics) {
      if (f.type === 'counter') {
        if (f.name.endsWith('_total')) familyName = f.name.slice(0, -'_total'.length);
        else type = 'unknown';
      } else if (f.type === 'untyped') type = 'unknown';
    }
    return detach(`# HELP ${familyName} ${escapeHelp(f.help, this.openMetrics)}\n# TYPE ${familyName} ${type}\n`);
  }

  /** Empties the label references of the families the previous render wrote and this one did not. */
  private releaseUnwritten(): void {
    for (let i = 0; i < this.lastWrittenN; i++) {
      const st = this.lastWritten[i];
      if (st.gen !== this.gen) st.labelRefs.length = st.sampleRefs.length = 0;
    }
    const last = this.lastWritten;
    this.lastWritten = this.written;
    this.lastWrittenN = this.writtenN;
    this.written = last;
    this.writtenN = 0;
  }

  /** Forgets families the last two renders did not write (they can no longer be copied from anyway). */
  private prune(): void {
    for (const [name, st] of this.families) if (st.gen < this.gen - 1) this.families.delete(name);
    this.byPlace = [];
  }
}

/**
 * Renders metric families in the text 0.0.4 and OpenMetrics 1.0 formats, remembering each format's last
 * render to make the next one cheap. One renderer per stream of scrapes of the same target renders fastest;
 * sharing one between targets is correct, only slower. Not for concurrent use across an await (it has none).
 */
export class ExpositionRenderer {
  private text?: FormatRenderer;
  private openMetrics?: FormatRenderer;
  private last?: FormatRenderer;
  /** The last input's names and the sorted order of their indices: a stable server yields the same list each scrape. */
  private lastNames: string[] = [];
  private lastOrder: number[] = [];

  /**
   * The exposition of families in format, as a view of the renderer's own buffer: valid until this renderer
   * renders that format again. Copy it to keep it (render() does).
   */
  renderView(families: MetricFamily[], format: ExpositionFormat): Buffer {
    const order = this.sortedOrder(families);
    if (format === 'openmetrics') {
      this.openMetrics ??= new FormatRenderer(true);
      this.last = this.openMetrics;
      return this.openMetrics.render(families, order);
    }
    this.text ??= new FormatRenderer(false);
    this.last = this.text;
    return this.text.render(families, order);
  }

  /**
   * Keeps the last view renderView() returned valid (its bytes unchanged) until the returned function is called,
   * however many renders come in between: e.g. while a socket write of it is in progress.
   */
  holdLastView(): () => void {
    if (this.last === undefined) return () => {};
    return this.last.hold();
  }

  /** The exposition of families in format, in a buffer of the caller's. */
  render(families: MetricFamily[], format: ExpositionFormat): Buffer {
    const view = this.renderView(families, format);
    const out = Buffer.allocUnsafe(view.length);
    view.copy(out);
    return out;
  }

  /**
   * The indices of families sorted by name (as client_golang does) so outputs diff cleanly. Samples keep the
   * order they were produced in — INFO's own order, which is stable — because sorting every sample by its labels
   * cost more than the rest of the rendering.
   */
  private sortedOrder(families: MetricFamily[]): number[] {
    let same = families.length === this.lastNames.length;
    for (let i = 0; same && i < families.length; i++) same = families[i].name === this.lastNames[i];
    if (same) return this.lastOrder;
    const names = families.map((f) => f.name);
    // Array.prototype.sort is stable, so the order is a function of the names alone and safe to reuse.
    const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
    this.lastNames = names;
    this.lastOrder = order;
    return order;
  }
}

const shared = new ExpositionRenderer();

/** Prometheus text format 0.0.4. */
export function renderText(families: MetricFamily[]): string {
  return shared.renderView(families, 'text').toString('utf8');
}

/**
 * OpenMetrics 1.0. Counters whose name does not end in `_total` (redis_exporter has several) are exposed as
 * `unknown` so that the series name stays the same as in the text format; renaming them would break rules.
 */
export function renderOpenMetrics(families: MetricFamily[]): string {
  return shared.renderView(families, 'openmetrics').toString('utf8');
}

/**
 * The length in UTF-16 code units of the string whose UTF-8 encoding is bytes (as valid UTF-8 from
 * Buffer.from(string) always is): every byte that is not a continuation byte starts a character, and a 4-byte
 * sequence is a surrogate pair.
 */
export function utf16Length(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if ((b & 0xc0) !== 0x80) n++;
    if (b >= 0xf0) n++;
  }
  return n;
}
