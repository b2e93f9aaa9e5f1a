/** label_replace and label_join, with Go's regexp template expansion ($1, ${name}, $$). */

import { executionError } from '../errors.js';
import { withLabel } from '../labels.js';
import { RegexSyntaxError, translateRegex } from '../regex.js';
import type { Labels } from '../types.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type Relabel = (labels: Labels) => Labels;

export function labelReplace(dst: string, replacement: string, src: string, regex: string): Relabel {
  let re: RegExp;
  try {
    const { source, flags } = translateRegex(regex);
    re = new RegExp(`^(?:${source})$`, `u${flags}`);
  } catch (err) {
    if (err instanceof RegexSyntaxError || err instanceof SyntaxError) {
      throw executionError(`invalid regular expression in label_replace(): ${regex}`);
    }
    throw err;
  }
  if (!LABEL_NAME.test(dst)) throw executionError(`invalid destination label name in label_replace(): ${dst}`);
  return (labels) => {
    const match = re.exec(labels[src] ?? '');
    if (!match) return labels;
    return withLabel(labels, dst, expandTemplate(replacement, match));
  };
}

export function labelJoin(dst: string, separator: string, sources: readonly string[]): Relabel {
  if (!LABEL_NAME.test(dst)) throw executionError(`invalid destination label name in label_join(): ${dst}`);
  for (const src of sources) {
    if (!LABEL_NAME.test(src)) throw executionError(`invalid source label name in label_join(): ${src}`);
  }
  return (labels) => withLabel(labels, dst, sources.map((src) => labels[src] ?? '').join(separator));
}

/** Go's Regexp.Expand: `$name` takes the longest run of word characters; `${name}`; `$$`; a bad `$` stays. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    const braced = /^\{([a-zA-Z0-9_]+)\}/.exec(template.slice(i + 1));
    const bare = /^[a-zA-Z0-9_]+/.exec(template.slice(i + 1));
    const name = braced ? braced[1] : bare?.[0];
    if (name === undefined) {
      out += '$';
      i++;
      continue;
    }
    out += group(match, name);
    i += 1 + (braced ? braced[0].length : name.length);
  }
  return out;
}

function group(match: RegExpExecArray, name: string): string {
  if (/^[0-9]+$/.test(name)) {
    const index = Number(name);
    return index < match.length ? (match[index] ?? '') : '';
  }
  return match.groups?.[name] ?? '';
}
