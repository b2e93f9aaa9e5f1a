/**
 * The part of Go's text/template that Prometheus alert rules use: text and `{{ pipeline }}` actions with `-`
 * trim markers, `$labels.x`, `$externalLabels.x`, `$externalURL`, `$value`, `.Labels.x`, string and number
 * literals, function calls (template-functions.ts), `|` pipes, parentheses, `$x := …` and comments. Control
 * structures (if, range, with, define, template, block) are refused with a message that says so. Compiled once
 * when the rule file loads, so a bad template is a load error naming the rule; expanded at every evaluation.
 */
import { formatTemplateValue, GoInt, type TemplateValue } from './go-printf.ts';
import {
  callTemplateFunction,
  isTemplateFunction,
  TemplateError,
  UNSUPPORTED_FUNCTIONS,
} from './template-functions.ts';

export { TemplateError } from './template-functions.ts';

/** What an alert template sees (Prometheus's AlertTemplateData). */
export interface AlertTemplateData {
  labels: Readonly<Record<string, string>>;
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  value: number;
}

type Operand =
  | { kind: 'literal'; value: TemplateValue }
  | { kind: 'var'; name: string; fields: string[] }
  | { kind: 'field'; fields: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipe: Pipeline };

type Command = Operand[];
interface Pipeline {
  decl?: string;
  commands: Command[];
}
type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline };

export interface CompiledTemplate {
  readonly source: string;
  expand(data: AlertTemplateData): string;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
]);
const TOKEN =
  /\s+|"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)+'|:=|=|\||\(|\)|[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|0[xX][\da-fA-F]+)|\$[\w]*(?:\.[\w]+)*|(?:\.[\w]+)+|\.|[A-Za-z_]\w*|./gy;

function tokenize(action: string, where: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(action); m; m = TOKEN.exec(action)) {
    if (/^\s+$/.test(m[0])) continue;
    out.push(m[0]);
  }
  for (const t of out)
    if (t.length === 1 && !/[|()=.\w]/.test(t)) throw new TemplateError(`${where}: unexpected "${t}" in command`);
  return out;
}

function unquote(tok: string, where: string): string {
  if (tok.startsWith('`')) return tok.slice(1, -1);
  try {
    return JSON.parse(
      tok
        .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
        .replace(/\\a/g, '\\u0007')
        .replace(/\\v/g, '\\u000b'),
    ) as string;
  } catch {
    throw new TemplateError(`${where}: malformed string ${tok}`);
  }
}

function literal(tok: string, where: string): TemplateValue | undefined {
  if (tok.startsWith('"') || tok.startsWith('`')) return unquote(tok, where);
  if (/^[-+]?(?:\d|\.\d)/.test(tok)) {
    const n = Number(tok);
    if (Number.isNaN(n)) throw new TemplateError(`${where}: bad number syntax: "${tok}"`);
    return /^[-+]?(?:0[xX][\da-fA-F]+|\d+)$/.test(tok) ? new GoInt(n) : n;
  }
  if (tok === 'true' || tok === 'false') return tok;
  return undefined;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: string[],
    private readonly where: string,
    private readonly vars: Set<string>,
  ) {}

  pipeline(closing?: string): Pipeline {
    const pipe: Pipeline = { commands: [] };
    if (/^\$\w*$/.test(this.toks[this.i] ?? '') && this.toks[this.i + 1] === ':=') {
      pipe.decl = this.toks[this.i];
      this.i += 2;
    }
    let cmd: Command = [];
    for (;;) {
      const t = this.toks[this.i];
      if (t === undefined || t === closing) break;
      this.i++;
      if (t === '|') {
        if (cmd.length === 0) throw new TemplateError(`${this.where}: missing command before "|"`);
        pipe.commands.push(cmd);
        cmd = [];
      } else if (t === '(') {
        const inner = this.pipeline(')');
        if (this.toks[this.i] !== ')') throw new TemplateError(`${this.where}: unclosed left paren`);
        this.i++;
        cmd.push({ kind: 'pipe', pipe: inner });
      } else cmd.push(this.operand(t));
    }
    if (cmd.length === 0) throw new TemplateError(`${this.where}: missing value for command`);
    pipe.commands.push(cmd);
    if (pipe.decl) this.vars.add(pipe.decl);
    return pipe;
  }

  private operand(t: string): Operand {
    const lit = literal(t, this.where);
    if (lit !== undefined) return { kind: 'literal', value: lit };
    if (t.startsWith('$')) {
      const [name, ...fields] = t.split('.');
      if (!this.vars.has(name)) throw new TemplateError(`${this.where}: undefined variable "${name}"`);
      return { kind: 'var', name, fields };
    }
    if (t === '.') return { kind: 'field', fields: [] };
    if (t.startsWith('.')) return { kind: 'field', fields: t.slice(1).split('.') };
    if (KEYWORDS.has(t))
      throw new TemplateError(`${this.where}: {{${t}}} is not supported by redoubt (only plain {{ pipelines }})`);
    if (UNSUPPORTED_FUNCTIONS.has(t))
      throw new TemplateError(`${this.where}: function "${t}" is not supported by redoubt`);
    if (!isTemplateFunction(t)) throw new TemplateError(`${this.where}: function "${t}" not defined`);
    return { kind: 'func', name: t };
  }
}

/** Splits text and actions, applying `{{-` and `-}}` trimming; returns the nodes. */
function parseNodes(source: string, name: string): Node[] {
  const nodes: Node[] = [];
  const vars = new Set(['$', '$labels', '$externalLabels', '$externalURL', '$value']);
  let pos = 0;
  let trimNext = false;
  while (pos <= source.length) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) nodes.push({ kind: 'text', text });
      break;
    }
    const line = source.slice(0, open).split('\n').length;
    const where = `template: ${name}:${line}`;
    let inner = open + 2;
    if (/^- /.test(source.slice(inner, inner + 2)) || source.slice(inner, inner + 2) === '-\t') {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    if (text) nodes.push({ kind: 'text', text });
    const close = source.indexOf('}}', inner);
    if (close < 0) throw new TemplateError(`${where}: unclosed action`);
    let body = source.slice(inner, close);
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    pos = close + 2;
    const trimmed = body.trim();
    if (trimmed.startsWith('/*')) {
      if (!trimmed.endsWith('*/')) throw new TemplateError(`${where}: unclosed comment`);
      continue;
    }
    const toks = tokenize(body, where);
    if (toks.length === 0) throw new TemplateError(`${where}: missing value for command`);
    const parser = new Parser(toks, where, vars);
    nodes.push({ kind: 'action', pipe: parser.pipeline() });
  }
  return nodes;
}

function field(value: TemplateValue, name: string): TemplateValue {
  if (typeof value === 'object' && !(value instanceof GoInt)) return value[name] ?? '';
  const type = typeof value === 'string' ? 'string' : typeof value === 'number' ? 'float64' : 'int';
  throw new TemplateError(`can't evaluate field ${name} in type ${type}`);
}

class Expander {
  private readonly vars = new Map<string, TemplateValue>();
  constructor(
    private readonly data: AlertTemplateData,
    private readonly name: string,
  ) {
    this.vars.set('$labels', data.labels);
    this.vars.set('$externalLabels', data.externalLabels);
    this.vars.set('$externalURL', data.externalURL);
    this.vars.set('$value', data.value);
  }

  private root(fields: string[]): TemplateValue {
    if (fields.length === 0) throw new TemplateError(`template: ${this.name}: cannot print the template's data`);
    const [head, ...rest] = fields;
    const top: Record<string, TemplateValue> = {
      Labels: this.data.labels,
      ExternalLabels: this.data.externalLabels,
      ExternalURL: this.data.externalURL,
      Value: this.data.value,
    };
    if (!(head in top)) throw new TemplateError(`can't evaluate field ${head} in type *template.tmplData`);
    return rest.reduce(field, top[head]);
  }

  private operand(op: Operand, final: TemplateValue | undefined): TemplateValue {
    switch (op.kind) {
      case 'literal':
        return op.value;
      case 'var':
        if (op.name === '$') return this.root(op.fields);
        return op.fields.reduce(field, this.vars.get(op.name) ?? '');
      case 'field':
        return this.root(op.fields);
      case 'pipe':
        return this.pipeline(op.pipe);
      case 'func':
        return callTemplateFunction(op.name, final === undefined ? [] : [final]);
    }
  }

  private command(cmd: Command, final: TemplateValue | undefined): TemplateValue {
    const [head, ...rest] = cmd;
    if (head.kind !== 'func') {
      if (rest.length > 0 || final !== undefined)
        throw new TemplateError(
          `can't give argument to non-function ${JSON.stringify(head.kind === 'var' ? head.name : head.kind)}`,
        );
      return this.operand(head, undefined);
    }
    const args = rest.map((op) => this.operand(op, undefined));
    if (final !== undefined) args.push(final);
    return callTemplateFunction(head.name, args);
  }

  pipeline(pipe: Pipeline): TemplateValue {
    let value: TemplateValue | undefined;
    for (const cmd of pipe.commands) value = this.command(cmd, value);
    if (pipe.decl) this.vars.set(pipe.decl, value as TemplateValue);
    return value as TemplateValue;
  }
}

/** Parses a template; throws TemplateError (`template: NAME:LINE: …`) for what Go would refuse or redoubt lacks. */
export function compileTemplate(source: string, name: string): CompiledTemplate {
  const nodes = parseNodes(source, name);
  if (!nodes.some((n) => n.kind === 'action')) return { source, expand: () => source };
  return {
    source,
    expand(data: AlertTemplateData): string {
      const ex = new Expander(data, name);
      let out = '';
      for (const n of nodes) {
        if (n.kind === 'text') out += n.text;
        else {
          const v = ex.pipeline(n.pipe);
          if (!n.pipe.decl) out += formatTemplateValue(v);
        }
      }
      return out;
    },
  };
}

/** Expands like Prometheus: an error becomes the text `<error expanding template: …>`, never an exception. */
export function expandOrExplain(t: CompiledTemplate, data: AlertTemplateData): string {
  try {
    return t.expand(data);
  } catch (e) {
    return `<error expanding template: ${(e as Error).message}>`;
  }
}
