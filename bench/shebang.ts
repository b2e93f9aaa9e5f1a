import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How bin/redoubt.js's shebang runs node (`#!/usr/bin/env -S NAME=value … node --flag …`): its environment and its
 * node flags, read from the file itself, so benchmarks that spawn `node bin/redoubt.js` run it as users do.
 */
export function shebang(repoRoot: string): { env: Record<string, string>; nodeArgs: string[] } {
  const first = readFileSync(join(repoRoot, 'bin', 'redoubt.js'), 'utf8').split('\n')[0] ?? '';
  const words = first
    .replace(/^#!\/usr\/bin\/env\s+-S\s+/, '')
    .split(/\s+/)
    .filter(Boolean);
  const node = words.indexOf('node');
  const env = Object.fromEntries(words.slice(0, Math.max(node, 0)).map((w) => w.split('=', 2) as [string, string]));
  return { env, nodeArgs: node >= 0 ? words.slice(node + 1) : [] };
}
