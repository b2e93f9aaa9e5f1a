/**
 * INFO text → fields: parseInfo() for one-off reads, and InfoMemo for the scrape path, which reads the INFO of the
 * same server over and over. Both split lines and skip garbage by the same rules (see parseInfo).
 *
 * Between two scrapes of a server nearly all of INFO ALL stays the same: of ~330 lines, ~20 change (uptime, memory,
 * CPU, a few counters, the exporter's own commands in Commandstats). InfoMemo keeps each server's fields as line
 * records and compares the next INFO against them in place: a record whose line is unchanged is kept as it is, and
 * with it everything metrics/info.ts derived from it (parses, label sets, samples), without a string being cut from the text;
 * a changed value is copied into its record. When a field is added, removed or moved (a command used for the first
 * time, a replica connecting, another server's INFO) the list is rebuilt, carrying over the records of the fields
 * that are still there. INFO with a repeated section or field is not remembered (see parseInfo for its order).
 *
 * Servers are told apart by run_id; up to MAX_SERVERS are remembered, and past that a new server's INFO is read
 * into the records of the least recently read one (a fleet's servers mostly have the same lines). A reader gets
 * the records themselves: they are valid until the memo's next read.
 */

export interface ParsedInfo {
  /** Section name (`Server`, `Keyspace`, …; '' before the first header) → field → raw value, in INFO order. */
  sections: Map<string, Map<string, string>>;
  /**
   * Every field regardless of section. When no section header and no field name repeats (every real INFO),
   * `fields` in order is `sections` flattened, and `sections` is only built if read.
   */
  fields: Map<string, string>;
}

/**
 * Splits INFO text into sections and `key:value` fields. Tolerates CRLF/LF, blank lines, lines without a colon
 * and any other garbage (skipped). A repeated field keeps its first value: upstream exported both and the
 * Prometheus registry kept the first.
 */
export function parseInfo(text: string): ParsedInfo {
  const fields = new Map<string, string>();
  const fieldSections: string[] = [];
  const sectionNames: string[] = [];
  let current: string | undefined;
  let regular = true;
  scanInfo(
    text,
    (name) => {
      if (sectionNames.includes(name)) regular = false;
      else sectionNames.push(name);
      current = name;
    },
    (key, value) => {
      if (current === undefined) {
        current = '';
        if (sectionNames.includes(current)) regular = false;
        else sectionNames.push(current);
      }
      if (fields.has(key)) regular = false;
      else {
        fields.set(key, value);
        fieldSections.push(current);
      }
    },
  );
  if (!regular) return parseInfoIrregular(text);
  let sections: Map<string, Map<string, string>> | undefined;
  return {
    get sections() {
      if (!sections) {
        sections = new Map(sectionNames.map((name) => [name, new Map()]));
        let i = 0;
        for (const [key, value] of fields) sections.get(fieldSections[i++])?.set(key, value);
      }
      return sections;
    },
    fields,
  };
}

/** parseInfo for text with a repeated section or field: sections merge, each keeps a field's first value. */
function parseInfoIrregular(text: string): ParsedInfo {
  const sections = new Map<string, Map<string, string>>();
  const fields = new Map<string, string>();
  let current: Map<string, string> | undefined;
  const section = (name: string) => {
    let s = sections.get(name);
    if (!s) {
      s = new Map();
      sections.set(name, s);
    }
    return s;
  };
  scanInfo(
    text,
    (name) => {
      current = section(name);
    },
    (key, value) => {
      current ??= section('');
      if (!current.has(key)) current.set(key, value);
      if (!fields.has(key)) fields.set(key, value);
    },
  );
  return { sections, fields };
}

/**
 * Calls onSection for each `# Name` line and onField for each `key:value` line, lines trimmed (as String#trim);
 * skips the rest (no colon, empty key, shorter than 2). Lines end at \r\n, \n or \r, as text.split(/\r\n|\n|\r/).
 */
function scanInfo(
  text: string,
  onSection: (name: string) => void,
  onField: (key: string, value: string) => void,
): void {
  const lines = new LineCursor(text);
  while (lines.next()) {
    const { start, end } = lines;
    if (lines.isHeader()) onSection(text.slice(start + 2, end));
    else {
      const colon = lines.colon();
      if (colon !== -1) onField(text.slice(start, colon), text.slice(colon + 1, end));
    }
  }
}

/** Whether String#trim removes this UTF-16 code unit (ECMAScript WhiteSpace and LineTerminator). */
export function isTrimmed(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Walks INFO text line by line (ends \r\n, \n or \r) without cutting strings: after next(), [start, end) is the
 * line as String#trim would leave it, at least 2 characters long (shorter lines hold neither a header nor a field).
 * Each next \r, \n and ':' is searched for once, so a walk stays linear.
 */
export class LineCursor {
  start = 0;
  end = 0;
  private pos = 0;
  private cr: number;
  private lf: number;
  private nextColon: number;

  constructor(readonly text: string) {
    this.cr = text.indexOf('\r');
    this.lf = text.indexOf('\n');
    this.nextColon = text.indexOf(':');
  }

  /** Where the walk continues: just past the last line's end (its \r\n, \n or \r), -1 past the text's end. */
  get position(): number {
    return this.pos;
  }

  /**
   * Continues the walk at pos, a position the walk of an equal prefix would reach (a line's start): the \r, \n
   * and ':' found so far lie before it or are the next ones after it, so the walk stays the same.
   */
  seek(pos: number): void {
    this.pos = pos;
  }

  next(): boolean {
    const text = this.text;
    while (this.pos !== -1) {
      const start = this.pos;
      if (this.cr !== -1 && this.cr < start) this.cr = text.indexOf('\r', start);
      if (this.lf !== -1 && this.lf < start) this.lf = text.indexOf('\n', start);
      const cr = this.cr;
      const lf = this.lf;
      let end = text.length;
      let next = -1;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        next = lf === cr + 1 ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      }
      this.pos = next;
      let s = start;
      let e = end;
      while (s < e && isTrimmed(text.charCodeAt(s))) s++;
      while (e > s && isTrimmed(text.charCodeAt(e - 1))) e--;
      if (e - s >= 2) {
        this.start = s;
        this.end = e;
        return true;
      }
    }
    return false;
  }

  /** The line is a section header: `# Name`. */
  isHeader(): boolean {
    return this.text.charCodeAt(this.start) === 0x23 /* # */ && this.text.charCodeAt(this.start + 1) === 0x20;
  }

  /** Index of the line's first ':' if it has one after a non-empty key, else -1 (not a field). */
  colon(): number {
    if (this.nextColon !== -1 && this.nextColon < this.start) this.nextColon = this.text.indexOf(':', this.start);
    const c = this.nextColon;
    return c > this.start && c < this.end ? c : -1;
  }
}

/**
 * A copy of s that does not keep a larger string alive: slices of 13 characters or more are views into the INFO
 * text, and a record that outlives its scrape must not pin that text. (Slicing a concatenation flattens it first.)
 */
export const detach = (s: string): string => (s.length < 13 ? s : ` ${s}`.slice(1));

/** One `key:value` field, kept across scrapes of a server while INFO keeps it at the same place. */
export class InfoLine<D> {
  /** Bumped whenever value changes: a parse of value remembers the version it was made from. */
  version = 0;
  /** What the consumer derives from the line (its section, key and value); kept with the line. */
  data: D | undefined = undefined;

  constructor(
    readonly section: string,
    readonly key: string,
    public value: string,
  ) {}
}

/** The fields of one INFO text. Valid until the next read of the memo that returned it. */
export interface InfoFields<D, S> {
  /**
   * The fields in the order families are built from them: INFO order, or, when a section or a field name repeats,
   * parseInfo's merged sections in first-seen order, each with a field's first value (upstream's iteration).
   */
  readonly lines: readonly InfoLine<D>[];
  /** key → value, a repeated field keeping its first value (= parseInfo(text).fields). */
  readonly fields: ReadonlyMap<string, string>;
  /** What the consumer derives from the list of sections and keys; cleared when the list changes. */
  shape: S | undefined;
}

/** The remembered INFO of one server (told apart by run_id). */
class ServerInfo<D, S> implements InfoFields<D, S> {
  /** The significant lines in text order: a string is a section header, a record a field. */
  items: Array<string | InfoLine<D>> = [];
  lines: InfoLine<D>[] = [];
  fields = new Map<string, string>();
  shape: S | undefined = undefined;
  /**
   * The INFO text the items were last checked against, and where in it the walk stood before each item's line
   * (bounds[i]; bounds[items.length]: after the last): text[bounds[i], bounds[j]) reads as items i..j-1 and
   * nothing else. Empty when the text held lines the items do not (update() then walks every line).
   */
  text = '';
  bounds: number[] = [];
  /** Per item, 1 if its value changed at the last update (see update). */
  hot = new Uint8Array(0);

  constructor(public runId: string) {}
}

/** Most items update() compares in one go (see there). */
const MAX_RUN = 64;

/** How many servers' INFO is remembered (a multi-target exporter scrapes many). */
const MAX_SERVERS = 64;
/** INFO with more field lines than this is not remembered (records would cost more than they save). */
const MAX_LINES = 50_000;

/** Remembers the fields of the last INFO of up to MAX_SERVERS servers; see the module doc. */
export class InfoMemo<D, S> {
  /** Most recently read first. */
  private readonly servers: ServerInfo<D, S>[] = [];

  /** The fields of text, reusing the records of the same server's previous INFO where lines are unchanged. */
  read(text: string): InfoFields<D, S> {
    const server = this.server(text);
    if (server.items.length > 0 && this.update(server, text)) return server;
    return this.rebuild(server, text);
  }

  /** Forgets every server. */
  clear(): void {
    this.servers.length = 0;
  }

  /**
   * The records of the server whose INFO this is, by run_id: found, else new, else (when full) those of the least
   * recently read server, taken over.
   */
  private server(text: string): ServerInfo<D, S> {
    let start = text.indexOf('\nrun_id:');
    let end = start;
    if (start !== -1) {
      start += '\nrun_id:'.length;
      end = start;
      while (end < text.length && text.charCodeAt(end) !== 0x0d && text.charCodeAt(end) !== 0x0a) end++;
    } else start = end = 0;
    const servers = this.servers;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i];
      if (s.runId.length === end - start && text.startsWith(s.runId, start)) {
        for (let j = i; j > 0; j--) servers[j] = servers[j - 1];
        servers[0] = s;
        return s;
      }
    }
    const runId = detach(text.slice(start, end));
    // When full, the least recently read server's records go to this one: another server of a fleet mostly has
    // the same lines (if other values), so reading its INFO into them reuses most records and what hangs off them.
    const s = servers.length >= MAX_SERVERS ? servers[servers.length - 1] : new ServerInfo<D, S>(runId);
    s.runId = runId;
    for (let j = Math.min(servers.length, MAX_SERVERS - 1); j > 0; j--) servers[j] = servers[j - 1];
    servers[0] = s;
    return s;
  }

  /**
   * Walks text against the server's records. Returns true when every header and field key is where it was (the
   * values that changed are then updated), false when the list of lines differs.
   */
  private update(server: ServerInfo<D, S>, text: string): boolean {
    const items = server.items;
    const prev = server.text;
    const bounds = server.bounds;
    const lines = new LineCursor(text);
    let i = 0;
    if (bounds.length === items.length + 1) {
      // Most lines are as they were: runs of items whose text is unchanged are compared in one go (string
      // equality is a native compare, a character loop here costs ~30x more), halving a run that differs down to
      // the one item that does, which is then read as below. Where each item starts in text is kept for next time.
      const n = items.length;
      const next = new Array<number>(n + 1);
      // Lines that changed last time mostly change again (counters, clocks): they are read one by one, and the
      // runs compared in one go end before them.
      const hot = server.hot;
      const nowHot = new Uint8Array(n);
      let q = 0;
      let run = MAX_RUN;
      while (i < n) {
        let j = i;
        if (hot[i] === 0) {
          const end = Math.min(i + run, n);
          for (j = i + 1; j < end && hot[j] === 0; j++);
        }
        if (j > i) {
          const from = bounds[i];
          const to = j === n ? prev.length : bounds[j];
          const length = to - from;
          if (
            (j < n || text.length - q === length) &&
            q + length <= text.length &&
            text.slice(q, q + length) === prev.slice(from, to)
          ) {
            for (let k = i; k < j; k++) next[k] = bounds[k] + q - from;
            q += length;
            i = j;
            if (i === n) {
              next[n] = q;
              server.text = text;
              server.bounds = next;
              server.hot = nowHot;
              return true;
            }
            if (run < MAX_RUN) run *= 2;
            continue;
          }
          if (j - i > 1) {
            run = (j - i) >> 1;
            continue;
          }
        }
        next[i] = q;
        lines.seek(q);
        const item = items[i];
        const version = typeof item === 'string' ? 0 : item.version;
        if (!lines.next() || !this.check(server, item, text, lines.start, lines.end)) return this.forget(server);
        if (typeof item !== 'string' && item.version !== version) nowHot[i] = 1;
        i++;
        q = lines.position;
        if (q === -1) q = text.length;
      }
      next[n] = q;
      lines.seek(q);
      if (lines.next()) return this.forget(server);
      server.text = text;
      server.bounds = next;
      server.hot = nowHot;
      return true;
    }
    while (lines.next()) {
      const { start, end } = lines;
      if (i === items.length || !this.check(server, items[i++], text, start, end)) return false;
    }
    return i === items.length;
  }

  /** Whether the line text[start, end) is item (updating its value if that changed). */
  private check(server: ServerInfo<D, S>, item: string | InfoLine<D>, text: string, start: number, end: number) {
    if (typeof item === 'string') {
      return (
        text.charCodeAt(start) === 0x23 /* # */ &&
        text.charCodeAt(start + 1) === 0x20 &&
        end - start - 2 === item.length &&
        text.startsWith(item, start + 2)
      );
    }
    const key = item.key;
    // key holds no ':', so a ':' right after it is the line's first.
    const colon = start + key.length;
    if (colon >= end || text.charCodeAt(colon) !== 0x3a || !sameAt(text, start, key)) return false;
    const value = item.value;
    if (end - colon - 1 !== value.length || !sameAt(text, colon + 1, value)) {
      item.value = detach(text.slice(colon + 1, end));
      item.version++;
      server.fields.set(key, item.value);
    }
    return true;
  }

  /** update() found the list of lines changed: the text and bounds no longer describe the items. */
  private forget(server: ServerInfo<D, S>): false {
    server.text = '';
    server.bounds = [];
    server.hot = new Uint8Array(0);
    return false;
  }

  /** Rebuilds the server's records from text, keeping the records of fields that are still there. */
  private rebuild(server: ServerInfo<D, S>, text: string): InfoFields<D, S> {
    const old = new Map<string, InfoLine<D>>();
    for (const line of server.lines) old.set(line.key, line);
    const items: Array<string | InfoLine<D>> = [];
    const lines: InfoLine<D>[] = [];
    const fields = new Map<string, string>();
    const sections = new Set<string>();
    let section: string | undefined;
    let regular = true;
    const bounds: number[] = [];
    let clean = true;
    let before = 0;
    const cursor = new LineCursor(text);
    while (cursor.next()) {
      const { start, end } = cursor;
      const at = before;
      before = cursor.position === -1 ? text.length : cursor.position;
      if (cursor.isHeader()) {
        const name = detach(text.slice(start + 2, end));
        if (sections.has(name)) regular = false;
        sections.add(name);
        section = name;
        items.push(name);
        bounds.push(at);
        continue;
      }
      const colon = cursor.colon();
      if (colon === -1) {
        clean = false;
        continue;
      }
      if (section === undefined) {
        section = '';
        if (sections.has(section)) regular = false;
        sections.add(section);
      }
      const key = text.slice(start, colon);
      if (fields.has(key)) {
        regular = false;
        break;
      }
      const value = detach(text.slice(colon + 1, end));
      let line = old.get(key);
      if (line !== undefined && line.section === section) {
        old.delete(key);
        if (line.value !== value) {
          line.value = value;
          line.version++;
        }
      } else line = new InfoLine<D>(section, detach(key), value);
      items.push(line);
      bounds.push(at);
      lines.push(line);
      fields.set(line.key, value);
    }
    if (!regular || lines.length > MAX_LINES) {
      server.items = [];
      server.lines = [];
      server.fields = new Map();
      server.shape = undefined;
      server.text = '';
      server.bounds = [];
      return irregular<D, S>(text);
    }
    bounds.push(before);
    server.text = clean ? text : '';
    server.bounds = clean ? bounds : [];
    server.hot = new Uint8Array(clean ? items.length : 0);
    server.items = items;
    server.lines = lines;
    server.fields = fields;
    server.shape = undefined;
    return server;
  }
}

/** Whether text holds s at pos. */
function sameAt(text: string, pos: number, s: string): boolean {
  const n = s.length;
  for (let i = 0; i < n; i++) if (text.charCodeAt(pos + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** Fresh records for INFO that is not remembered, in parseInfo's merged-section order. */
function irregular<D, S>(text: string): InfoFields<D, S> {
  const parsed = parseInfo(text);
  const lines: InfoLine<D>[] = [];
  parsed.sections.forEach((fields, section) => {
    fields.forEach((value, key) => {
      // (detached: keys end up in long-lived caches, such as the whitelist's, which must not pin this text)
      lines.push(new InfoLine<D>(section, detach(key), value));
    });
  });
  return { lines, fields: parsed.fields, shape: undefined };
}
