/** Go's filepath.Glob for rule_files: `*`, `?` and `[…]` in any path component; matches sorted per directory. */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

const MAGIC = /[*?[]/;

function componentRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error(`syntax error in pattern ${pattern}`);
      re += `[${pattern
        .slice(i + 1, end)
        .replace(/^\^/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function glob(pattern: string): string[] {
  if (!MAGIC.test(pattern)) return existsSync(pattern) ? [pattern] : [];
  const parts = pattern.split(sep);
  let current = [isAbsolute(pattern) ? sep : ''];
  for (const [i, part] of parts.entries()) {
    if (part === '' && i === 0) continue;
    const next: string[] = [];
    for (const dir of current) {
      if (!MAGIC.test(part)) {
        const p = dir === '' ? part : join(dir, part);
        if (existsSync(p)) next.push(p);
        continue;
      }
      const re = componentRegex(part);
      let names: string[] = [];
      try {
        names = readdirSync(dir === '' ? '.' : dir).sort();
      } catch {
        // not a directory: no match
      }
      for (const n of names)
        if (re.test(n) && !(n.startsWith('.') && !part.startsWith('.'))) next.push(dir === '' ? n : join(dir, n));
    }
    current = next;
  }
  return current;
}
