/**
 * promtool's input notation (promql/parser's series description): a series `name{label="value",…}` and values
 * `1 2 _ stale 0+10x5 1x3 _x2 -1-2x4`, one per interval from time 0. `a+bxN` expands to N+1 values a, a+b, …
 * (added step by step, as Go does), `axN` to N+1 copies, `_xN` to N missing samples, `stale` to a staleness marker.
 */
import type { Labels } from '../../promql/types.ts';
import { sortLabels } from '../alerting/labels.ts';

export class NotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotationError';
  }
}

// No hexadecimal: in a series description `0x8` is 0 repeated, as Prometheus's lexer reads it.
const NUMBER = String.raw`(?:[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI]nf|NaN))`;
const ITEM = new RegExp(
  String.raw`^(?:(?<blank>_)(?:x(?<blankTimes>\d+))?|(?<stale>stale)(?:x(?<staleTimes>\d+))?|(?<start>${NUMBER})(?:(?<step>[+-](?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI]nf))?x(?<times>\d+))?)$`,
);

function toNumber(text: string): number {
  const t = text.replace(/^\+/, '');
  if (/^-?inf$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'NaN') return NaN;
  return Number(t);
}

/** Values one series may expand to: a test's worth, never a machine's memory. */
const MAX_VALUES = 1_000_000;

/** A staleness marker in an expanded series (kept apart: V8 erases STALE_NAN's bits in number arrays). */
export const STALE = Symbol('stale');
export type SeriesValue = number | undefined | typeof STALE;

/** The values of one series: undefined where a sample is missing, STALE for a staleness marker. */
export function expandValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of text.trim().split(/\s+/).filter(Boolean)) {
    const m = ITEM.exec(item)?.groups;
    if (!m) throw new NotationError(`bad value "${item}": expected a number, _, stale, or a+bxN`);
    const repeat = Number(m.times ?? m.blankTimes ?? m.staleTimes ?? 0);
    if (out.length + repeat > MAX_VALUES)
      throw new NotationError(`too many values (more than ${MAX_VALUES} in one series)`);
    if (m.blank) {
      const n = m.blankTimes === undefined ? 1 : Number(m.blankTimes);
      for (let i = 0; i < n; i++) out.push(undefined);
    } else if (m.stale) {
      const n = m.staleTimes === undefined ? 1 : Number(m.staleTimes) + 1;
      for (let i = 0; i < n; i++) out.push(STALE);
    } else {
      let v = toNumber(m.start);
      out.push(v);
      if (m.times !== undefined) {
        const step = m.step === undefined ? 0 : toNumber(m.step);
        for (let i = 1; i <= Number(m.times); i++) {
          v += step;
          out.push(v);
        }
      }
    }
  }
  return out;
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** A Go string literal ("…", '…' or `…`) at `pos` of `s`; returns the value and the index after it. */
function readString(s: string, pos: number): [string, number] {
  const q = s[pos];
  if (q === '`') {
    const end = s.indexOf('`', pos + 1);
    if (end < 0) throw new NotationError(`unterminated string in ${s}`);
    return [s.slice(pos + 1, end), end + 1];
  }
  if (q !== '"' && q !== "'") throw new NotationError(`expected a quoted label value in ${s}`);
  let out = '';
  for (let i = pos + 1; i < s.length; i++) {
    const c = s[i];
    if (c === q) return [out, i + 1];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e in ESCAPES) out += ESCAPES[e];
    else if (e === q) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new NotationError(`bad escape in ${s}`);
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += n;
    } else throw new NotationError(`unknown escape \\${e} in ${s}`);
  }
  throw new NotationError(`unterminated string in ${s}`);
}

/** `name{a="b", c='d'}` or `{__name__="x"}` → sorted labels (parser.ParseMetric). */
export function parseSeriesLabels(text: string): Labels {
  const s = text.trim();
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s)?.[0] ?? '';
  const labels: Record<string, string> = {};
  if (name) labels.__name__ = name;
  let i = name.length;
  const skip = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  skip();
  if (i === s.length) {
    if (!name) throw new NotationError(`no metric name or labels in "${text}"`);
    return labels;
  }
  if (s[i] !== '{') throw new NotationError(`unexpected "${s[i]}" in "${text}"`);
  i++;
  for (;;) {
    skip();
    if (s[i] === '}') break;
    const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i))?.[0];
    if (!label) throw new NotationError(`expected a label name at "${s.slice(i)}" in "${text}"`);
    i += label.length;
    skip();
    if (s[i] !== '=') throw new NotationError(`expected = after ${label} in "${text}"`);
    i++;
    skip();
    const [value, after] = readString(s, i);
    if (label in labels) throw new NotationError(`label ${label} appears twice in "${text}"`);
    labels[label] = value;
    i = after;
    skip();
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new NotationError(`expected , or } in "${text}"`);
  }
  i++;
  skip();
  if (i !== s.length) throw new NotationError(`unexpected text after } in "${text}"`);
  return sortLabels(labels);
}
