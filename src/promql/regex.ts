/**
 * Go RE2 regular expressions (as label matchers and label_replace write them) translated to JavaScript, fully
 * anchored as Prometheus anchors them (`^(?:re)$`). What differs is rewritten: `.` does not match a newline,
 * `\s` is ASCII, `(?P<name>…)` is `(?<name>…)`, POSIX classes `[[:alpha:]]`, `\pL`, `\Q…\E`, `\z`, escaped
 * punctuation; a leading `(?i)` or `(?s)` becomes a flag. What JavaScript cannot do (inline flags elsewhere,
 * `(?U)`) is refused with an error naming it.
 */

export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
}

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SPACE_CLASS = '\\t\\n\\f\\r ';

interface Translated {
  source: string;
  flags: string;
}

/** Compiles a Go regex to a JavaScript RegExp anchored at both ends. Throws RegexSyntaxError. */
export function compileAnchoredRegex(re: string): RegExp {
  const { source, flags } = translate(re);
  try {
    return new RegExp(`^(?:${source})$`, `u${flags}`);
  } catch (err) {
    throw new RegexSyntaxError(`invalid regular expression ${JSON.stringify(re)}: ${(err as Error).message}`);
  }
}

/** Compiles a Go regex unanchored (for label_replace's submatch search the caller anchors it itself). */
export function translateRegex(re: string): Translated {
  return translate(re);
}

function translate(re: string): Translated {
  let flags = '';
  let dotAll = false;
  let i = 0;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(re);
  if (lead) {
    for (const f of lead[1] as string) {
      if (f === 'i') flags += flags.includes('i') ? '' : 'i';
      else if (f === 's') dotAll = true;
      else if (f === 'm') flags += flags.includes('m') ? '' : 'm';
      else throw new RegexSyntaxError(`regex flag (?${f}) is not supported`);
    }
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  while (i < re.length) {
    const c = re[i] as string;
    if (c === '\\') {
      const [text, next] = translateEscape(re, i, inClass);
      out += text;
      i = next;
      continue;
    }
    if (inClass) {
      if (c === '[' && re[i + 1] === ':') {
        const end = re.indexOf(':]', i + 2);
        const name = end < 0 ? '' : re.slice(i + 2, end);
        const negated = name.startsWith('^');
        const cls = POSIX[negated ? name.slice(1) : name];
        if (cls === undefined) throw new RegexSyntaxError(`unknown POSIX class [:${name}:]`);
        if (negated) throw new RegexSyntaxError(`negated POSIX class [:${name}:] is not supported`);
        out += cls;
        i = end + 2;
        continue;
      }
      if (c === ']' && !out.endsWith('[') && !out.endsWith('[^')) inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (re[i] === '^') {
        out += '^';
        i++;
      }
      if (re[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && re[i + 1] === '?') {
      const [text, next] = translateGroup(re, i);
      out += text;
      i = next;
      continue;
    }
    if (c === '.') out += dotAll ? '[^]' : '[^\\n]';
    else if (c === '$' && !flags.includes('m')) out += '(?![^])';
    else out += c;
    i++;
  }
  if (inClass) throw new RegexSyntaxError(`missing closing ] in ${JSON.stringify(re)}`);
  return { source: out, flags };
}

function translateGroup(re: string, i: number): [string, number] {
  const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(re.slice(i));
  if (named) return [`(?<${named[1]}>`, i + named[0].length];
  if (re.startsWith('(?:', i)) return ['(?:', i + 3];
  const flag = /^\(\?[a-zA-Z-]*[:)]/.exec(re.slice(i));
  throw new RegexSyntaxError(
    `regex ${flag ? `flag group ${flag[0]}` : 'group syntax'} is not supported except as a leading (?i) or (?s)`,
  );
}

function translateEscape(re: string, i: number, inClass: boolean): [string, number] {
  const e = re[i + 1];
  if (e === undefined) throw new RegexSyntaxError('trailing backslash in regex');
  switch (e) {
    case 's':
      return [inClass ? SPACE_CLASS : `[${SPACE_CLASS}]`, i + 2];
    case 'S':
      if (inClass) throw new RegexSyntaxError('\\S inside a character class is not supported');
      return [`[^${SPACE_CLASS}]`, i + 2];
    case 'z':
      return ['(?![^])', i + 2];
    case 'A':
      return ['^', i + 2];
    case 'Q': {
      const end = re.indexOf('\\E', i + 2);
      const literal = end < 0 ? re.slice(i + 2) : re.slice(i + 2, end);
      return [literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), end < 0 ? re.length : end + 2];
    }
    case 'p':
    case 'P': {
      if (re[i + 2] === '{') {
        const end = re.indexOf('}', i + 3);
        return [re.slice(i, end + 1), end + 1];
      }
      return [`\\${e}{${re[i + 2] ?? ''}}`, i + 3];
    }
    case 'C':
      throw new RegexSyntaxError('\\C is not supported');
  }
  if (/[dDwWbBfnrtv0-7xu]/.test(e)) {
    if (e === 'x' && re[i + 2] === '{') {
      const end = re.indexOf('}', i + 3);
      return [`\\u{${re.slice(i + 3, end)}}`, end + 1];
    }
    if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(re.slice(i + 1))?.[0] ?? '0';
      if (oct === '0') return ['\\x00', i + 2];
      return [`\\x${Number.parseInt(oct, 8).toString(16).padStart(2, '0')}`, i + 1 + oct.length];
    }
    return [`\\${e}`, i + 2];
  }
  if (/[A-Za-z0-9]/.test(e)) throw new RegexSyntaxError(`invalid escape \\${e} in regex`);
  // Escaped punctuation: Go allows any; JavaScript's u flag allows only syntax characters.
  const code = e.codePointAt(0) as number;
  return [code < 128 ? `\\x${code.toString(16).padStart(2, '0')}` : e, i + 2];
}
