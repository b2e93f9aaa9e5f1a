/**
 * The checks are grouped one file per catalogue category (src/security/checks/<category>.ts, compromise.ts for
 * compromise-indicator), helpers in shared.ts, and the registry (index.ts) gathers every one of them exactly once.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATALOGUE } from '../../../src/security/catalogue.ts';
import type { Check } from '../../../src/security/check.ts';
import { ALL_CHECKS } from '../../../src/security/checks/index.ts';

const DIR = fileURLToPath(new URL('../../../src/security/checks/', import.meta.url));
const fileOf = (category: string): string => `${category === 'compromise-indicator' ? 'compromise' : category}.ts`;

async function checksByFile(): Promise<Map<string, Check[]>> {
  const out = new Map<string, Check[]>();
  for (const f of readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    const m = (await import(join(DIR, f))) as Record<string, unknown>;
    const lists = Object.entries(m).filter(([name]) => name.endsWith('_CHECKS'));
    assert.equal(lists.length, 1, `${f} exports one *_CHECKS list`);
    out.set(f, lists[0][1] as Check[]);
  }
  return out;
}

test('every check lives in the file named by its catalogue category, and each category has its file', async () => {
  const files = await checksByFile();
  for (const [file, checks] of files) {
    assert.ok(checks.length > 0, `${file} holds checks`);
    for (const c of checks) {
      assert.equal(c.category, CATALOGUE[c.id].category, `${c.id} carries its catalogue category`);
      assert.equal(fileOf(c.category), file, `${c.id} (${c.category}) is in ${file}`);
    }
  }
  const categories = new Set(Object.values(CATALOGUE).map((e) => e.category));
  assert.deepEqual([...files.keys()].sort(), [...categories].map(fileOf).sort());
});

test('the registry holds every category file’s checks, RS001–RS056 once each', async () => {
  const fromFiles = [...(await checksByFile()).values()].flat().map((c) => c.id);
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.deepEqual(
    ids,
    Array.from({ length: 56 }, (_, i) => `RS${String(i + 1).padStart(3, '0')}`),
  );
  assert.deepEqual([...fromFiles].sort(), ids);
});
