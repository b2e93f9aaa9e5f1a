import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STACK_CONFIG } from '../../src/config/redoubt-yml.ts';
import { stackPaths } from '../../src/stack/layout.ts';
import { renderCommittedFiles } from '../../src/stack/render.ts';

/**
 * The repository commits the output of `redoubt stack --out .` with the defaults (minus the secrets it makes on a
 * user's machine). This fails when a renderer, the alert catalogue or the dashboard changed and the committed files
 * were not regenerated, or when someone edited a generated file by hand.
 */
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGENERATE =
  'regenerate them at the repository root with: npm run build && node bin/redoubt.js stack --out . ' +
  '(it also writes .env and the local secrets, which git ignores)';

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe('committed stack files', () => {
  test('equal, byte for byte, what `redoubt stack` writes today', () => {
    const stale: string[] = [];
    for (const f of renderCommittedFiles(DEFAULT_STACK_CONFIG)) {
      const path = join(REPO, f.path);
      if (!existsSync(path)) stale.push(`${f.path} (missing)`);
      else if (readFileSync(path, 'utf8') !== f.data) stale.push(`${f.path} (differs)`);
    }
    assert.deepEqual(stale, [], `generated files out of date: ${stale.join(', ')}; ${REGENERATE}`);
  });

  test('monitoring/ holds only generated files and the local secrets git ignores', () => {
    const known = new Set([...stackPaths('committed'), ...stackPaths('local')].map((p) => p.path));
    const extra = filesUnder(join(REPO, 'monitoring'))
      .map((f) => `monitoring/${f}`)
      .filter((f) => !known.has(f));
    assert.deepEqual(
      extra,
      [],
      `not written by redoubt stack (remove them, or generate them from src/stack/): ${extra.join(', ')}`,
    );
  });

  test('.env and every local secret are ignored by git', () => {
    const rootIgnore = readFileSync(join(REPO, '.gitignore'), 'utf8').split('\n');
    assert.ok(rootIgnore.includes('.env') || rootIgnore.includes('/.env'), '.env must be in the root .gitignore');
    const monitoringIgnore = readFileSync(join(REPO, 'monitoring/.gitignore'), 'utf8').split('\n');
    for (const p of stackPaths('local'))
      if (p.path.startsWith('monitoring/'))
        assert.ok(monitoringIgnore.includes(`/${p.path.slice('monitoring/'.length)}`), `${p.path} is not git-ignored`);
  });
});
