/**
 * A YAML document read strictly, with line numbers: rule files and promtool test files are user input, and an
 * error must name the file, the line and the key (`alert.rules:12: groups[0].rules[3].for: …`). Unknown keys are
 * errors, as with Prometheus's strict unmarshalling, so a typo never silently disables a rule.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

export class YamlInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlInputError';
  }
}

/** A node of the document with where it is. */
export class YamlValue {
  constructor(
    readonly node: Node | null | undefined,
    /** Key path for messages: `groups[0].rules[3].expr`. */
    readonly path: string,
    private readonly file: YamlFile,
  ) {}

  get line(): number {
    return this.file.lineOf(this.node);
  }

  /** The error to throw for this node: `FILE:LINE: PATH: why`. */
  error(why: string): YamlInputError {
    return new YamlInputError(`${this.file.source}:${this.line}: ${this.path}: ${why}`);
  }

  fail(why: string): never {
    throw this.error(why);
  }

  isMissing(): boolean {
    return this.node === null || this.node === undefined || (isScalar(this.node) && this.node.value === null);
  }

  /** Entries of a mapping; keys outside `known` are refused. A missing node is an empty mapping. */
  map(known?: readonly string[]): Map<string, YamlValue> {
    const out = new Map<string, YamlValue>();
    if (this.isMissing()) return out;
    if (!isMap(this.node)) this.fail('expected a mapping');
    for (const pair of this.node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const keyValue = new YamlValue(pair.key as Node, this.path, this.file);
      if (key === undefined) throw keyValue.error('keys must be plain strings');
      const child = new YamlValue(pair.value as Node, this.path ? `${this.path}.${key}` : key, this.file);
      const at = new YamlValue(pair.key as Node, child.path, this.file);
      if (known && !known.includes(key)) throw at.error(`unknown key; known keys: ${known.join(', ')}`);
      if (out.has(key)) throw at.error('appears twice');
      out.set(key, child);
    }
    return out;
  }

  /** Items of a sequence; a missing node is an empty list. */
  list(): YamlValue[] {
    if (this.isMissing()) return [];
    if (!isSeq(this.node)) this.fail('expected a list');
    return this.node.items.map((n, i) => new YamlValue(n as Node, `${this.path}[${i}]`, this.file));
  }

  /** A scalar as a string (numbers and booleans as YAML wrote them). */
  string(): string {
    if (!isScalar(this.node) || this.node.value === null) this.fail('expected a string');
    const v = this.node.value;
    if (typeof v === 'object') this.fail('expected a string');
    return typeof v === 'string' ? v : (this.node.source ?? String(v));
  }

  optionalString(): string | undefined {
    return this.isMissing() ? undefined : this.string();
  }

  number(): number {
    if (!isScalar(this.node)) this.fail('expected a number');
    const v = this.node.value;
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^[-+]?(?:\.?\d|inf|nan)/i.test(v)) {
      const n = /^[-+]?\.?inf$/i.test(v)
        ? v.startsWith('-')
          ? -Infinity
          : Infinity
        : /nan/i.test(v)
          ? NaN
          : Number(v);
      if (!Number.isNaN(n) || /nan/i.test(v)) return n;
    }
    this.fail('expected a number');
  }

  /** A mapping of strings to strings (labels, annotations). */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.map()) out[k] = v.isMissing() ? '' : v.string();
    return out;
  }
}

export class YamlFile {
  private readonly counter = new LineCounter();
  readonly root: YamlValue;

  constructor(
    text: string,
    readonly source: string,
  ) {
    const doc = parseDocument(text, { lineCounter: this.counter, uniqueKeys: false, prettyErrors: false });
    const err = doc.errors[0];
    if (err) {
      const line = this.counter.linePos(err.pos[0]).line;
      throw new YamlInputError(`${source}:${line}: not valid YAML: ${err.message.split('\n')[0]}`);
    }
    this.root = new YamlValue(doc.contents as Node | null, '', this);
  }

  lineOf(node: Node | null | undefined): number {
    const start = node?.range?.[0];
    return start === undefined ? 1 : this.counter.linePos(start).line;
  }
}
