/**
 * The functions alert templates can call, as Prometheus defines them (template/template.go), minus those that
 * query the database or build URLs. A template naming anything else is refused when the rule file loads.
 */
import { parseGoFloat } from '../../text/go-format.ts';
import { GoInt, goSprintf, type TemplateValue } from './go-printf.ts';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp } from './humanize.ts';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type TemplateFunction = (args: readonly TemplateValue[]) => TemplateValue;

/** convertToFloat: float64, int and numeric strings. */
function toFloat(v: TemplateValue, fn: string): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoInt) return v.value;
  if (typeof v === 'string') {
    const f = parseGoFloat(v);
    if (f !== undefined) return f;
  }
  throw new TemplateError(`error calling ${fn}: can't convert ${typeof v === 'string' ? v : 'map'} to float`);
}

function toStr(v: TemplateValue, fn: string, i: number): string {
  if (typeof v === 'string') return v;
  throw new TemplateError(
    `wrong type for value; expected string; got ${typeof v === 'number' ? 'float64' : 'int'} (argument ${i + 1} of ${fn})`,
  );
}

function unary(name: string, f: (v: TemplateValue) => TemplateValue): [string, TemplateFunction, number] {
  return [name, (args) => f(args[0]), 1];
}

function numeric(name: string, f: (v: number) => string): [string, TemplateFunction, number] {
  return unary(name, (v) => f(toFloat(v, name)));
}

/** Go's regexp and JavaScript's agree on the syntax rules use; Go's `${1}` becomes JavaScript's `$1`. */
function goRegex(re: string, fn: string, flags: string): RegExp {
  try {
    return new RegExp(re, flags);
  } catch (e) {
    throw new TemplateError(`error calling ${fn}: ${(e as Error).message}`);
  }
}

const TABLE: Array<[string, TemplateFunction, number]> = [
  numeric('humanize', humanize),
  numeric('humanize1024', humanize1024),
  numeric('humanizeDuration', humanizeDuration),
  numeric('humanizePercentage', humanizePercentage),
  numeric('humanizeTimestamp', humanizeTimestamp),
  unary('toUpper', (v) => toStr(v, 'toUpper', 0).toUpperCase()),
  unary('toLower', (v) => toStr(v, 'toLower', 0).toLowerCase()),
  unary('title', (v) =>
    toStr(v, 'title', 0).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a, b) => a + b.toUpperCase()),
  ),
  unary('safeHtml', (v) => toStr(v, 'safeHtml', 0)),
  unary('stripPort', (v) => {
    const s = toStr(v, 'stripPort', 0);
    const m = /^\[([^\]]*)\]:\d*$/.exec(s) ?? /^([^:]*):\d*$/.exec(s);
    return m ? m[1] : s;
  }),
  unary('stripDomain', (v) => {
    const s = toStr(v, 'stripDomain', 0);
    const port = /:\d+$/.exec(s)?.[0] ?? '';
    const host = s.slice(0, s.length - port.length);
    if (/^[\d.]+$/.test(host) || host.includes(':')) return s;
    return host.split('.')[0] + port;
  }),
  [
    'reReplaceAll',
    (a) =>
      toStr(a[2], 'reReplaceAll', 2).replace(
        goRegex(toStr(a[0], 'reReplaceAll', 0), 'reReplaceAll', 'gsu'),
        toStr(a[1], 'reReplaceAll', 1).replace(/\$\{(\w+)\}/g, '$$$1'),
      ),
    3,
  ],
  ['match', (a) => String(goRegex(toStr(a[0], 'match', 0), 'match', 'su').test(toStr(a[1], 'match', 1))), 2],
  [
    'index',
    (a) => {
      const m = a[0];
      if (typeof m !== 'object' || m instanceof GoInt) throw new TemplateError("error calling index: can't index item");
      return m[toStr(a[1], 'index', 1)] ?? '';
    },
    2,
  ],
  unary(
    'len',
    (v) =>
      new GoInt(
        typeof v === 'string'
          ? Buffer.byteLength(v)
          : typeof v === 'object' && !(v instanceof GoInt)
            ? Object.keys(v).length
            : 0,
      ),
  ),
];

const VARIADIC: Record<string, TemplateFunction> = {
  printf: (a) => {
    if (a.length === 0) throw new TemplateError('wrong number of args for printf: want at least 1 got 0');
    return goSprintf(toStr(a[0], 'printf', 0), a.slice(1));
  },
  print: (a) => a.map((v) => (typeof v === 'string' ? v : goSprintf('%v', [v]))).join(''),
};

/** Prometheus functions redoubt does not run: named in the load-time error. */
export const UNSUPPORTED_FUNCTIONS = new Set([
  'query',
  'first',
  'label',
  'value',
  'strvalue',
  'sortByLabel',
  'args',
  'tmpl',
  'graphLink',
  'tableLink',
  'pathPrefix',
  'externalURL',
  'parseDuration',
  'toTime',
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'call',
  'html',
  'js',
  'urlquery',
  'slice',
]);

const FIXED = new Map(TABLE.map(([name, f, n]) => [name, { f, n }]));

export function isTemplateFunction(name: string): boolean {
  return FIXED.has(name) || name in VARIADIC;
}

export function callTemplateFunction(name: string, args: readonly TemplateValue[]): TemplateValue {
  const variadic = VARIADIC[name];
  if (variadic) return variadic(args);
  const fixed = FIXED.get(name);
  if (!fixed) throw new TemplateError(`function "${name}" not defined`);
  if (args.length !== fixed.n)
    throw new TemplateError(`wrong number of args for ${name}: want ${fixed.n} got ${args.length}`);
  return fixed.f(args);
}
