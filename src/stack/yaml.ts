import { Document, isNode, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * Plain data → YAML text with comments, through the `yaml` package's document model. Renderers describe a file as
 * nested objects and arrays and mark what needs more than data: `note(comment, value)` puts `# comment` lines above
 * a key or list item, `flow(array)` writes a short list on one line (`[a, b]`), `gap(value)` adds a blank line
 * before it.
 */
class Marked {
  constructor(
    readonly value: unknown,
    readonly comment?: string,
    readonly flow = false,
    readonly gap = false,
  ) {}
}

/** `# comment` above the key or item that holds `value`; lines of the comment become separate `#` lines. */
export function note(comment: string, value: unknown): unknown {
  if (value instanceof Marked) return new Marked(value.value, comment, value.flow, value.gap);
  return new Marked(value, comment);
}

/** A list or map written on one line. */
export function flow(value: unknown): unknown {
  if (value instanceof Marked) return new Marked(value.value, value.comment, true, value.gap);
  return new Marked(value, undefined, true);
}

/** A blank line before the key or item. */
export function gap(value: unknown): unknown {
  if (value instanceof Marked) return new Marked(value.value, value.comment, value.flow, true);
  return new Marked(value, undefined, false, true);
}

/** A string written in double quotes whatever its content (`"443:443"`, which YAML 1.1 readers take for a number). */
export function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/** yaml's comments carry their own leading space: `# text`. */
function commentText(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : ` ${l}`))
    .join('\n');
}

function toNode(doc: Document, value: unknown): Node {
  const marked = value instanceof Marked ? value : undefined;
  const raw = marked ? marked.value : value;
  let node: Node;
  if (Array.isArray(raw)) {
    const seq = new YAMLSeq();
    for (const item of raw) seq.items.push(decorate(toNode(doc, item), item));
    node = seq;
  } else if (raw !== null && typeof raw === 'object' && !isNode(raw)) {
    const map = new YAMLMap();
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      const key = decorate(new Scalar(k), v);
      map.items.push(new Pair(key, toNode(doc, v)));
    }
    node = map;
  } else {
    node = isNode(raw) ? raw : (doc.createNode(raw) as Node);
  }
  if (marked?.flow && (node instanceof YAMLSeq || node instanceof YAMLMap)) node.flow = true;
  return node;
}

/** Comments and blank lines go on the key of a map entry, or on the item of a list. */
function decorate<T extends Node>(node: T, value: unknown): T {
  if (value instanceof Marked) {
    if (value.comment !== undefined) node.commentBefore = commentText(value.comment);
    if (value.gap) node.spaceBefore = true;
  }
  return node;
}

/** The YAML text of `value`, with `header` as `#` lines at the top. Lines are never folded. */
export function renderYaml(value: unknown, header?: string): string {
  const doc = new Document();
  doc.contents = toNode(doc, value) as Document['contents'];
  if (header) doc.commentBefore = commentText(header);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
