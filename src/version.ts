/**
 * redoubt's version, from its package.json: the one place a release sets it. Found by walking up from this module
 * (src/ when run from source, dist/ when bundled), so it is right from a checkout and from an installed package.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'redoubt' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here (or not ours): look one directory up.
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** The version, read once. */
export const VERSION: string = packageVersion();
