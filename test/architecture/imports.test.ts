import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { EXCEPTIONS, LAYERS } from './layers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

/** Every .ts file under src/, as a path relative to the repository ('src/monitor/monitor.ts'). */
function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(path));
    else if (e.name.endsWith('.ts')) out.push(relative(ROOT, path).split('\\').join('/'));
  }
  return out.sort();
}

const STATIC = /^(?:import|export)\s[^;]*?\bfrom\s*(['"])([^'"\n]+)\1/gm;
const BARE = /^import\s*(['"])([^'"\n]+)\1/gm;
const DYNAMIC = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/**
 * The module specifiers a source file imports: `import … from`, `import type … from`, `export … from` (over several
 * lines too), `import '…'` and `import('…')`. Statements start a line, as the formatter writes them.
 */
export function importsOf(source: string): string[] {
  const out = new Set<string>();
  for (const re of [STATIC, BARE, DYNAMIC]) for (const m of source.matchAll(re)) out.add(m[2]);
  return [...out];
}

/** The module of a path under src/: its first directory, or the file itself when it sits directly in src/. */
function moduleOf(path: string): string {
  return path.split('/')[1];
}

const LAYER_OF = new Map<string, number>();
LAYERS.forEach((layer, i) => {
  for (const m of Object.keys(layer.modules)) LAYER_OF.set(m, i);
});

/** A relative import resolved to a path under the repository ('../x.js' names the file x.ts). */
function resolveImport(from: string, spec: string): string {
  return posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.js$/, '.ts');
}

interface Edge {
  from: string;
  spec: string;
  to: string;
}

function relativeImports(): Edge[] {
  const edges: Edge[] = [];
  for (const from of sourceFiles())
    for (const spec of importsOf(readFileSync(join(ROOT, from), 'utf8')))
      if (spec.startsWith('.')) edges.push({ from, spec, to: resolveImport(from, spec) });
  return edges;
}

function describe(e: Edge): string {
  return `${e.from} imports '${e.spec}'`;
}

/** Why an import breaks the layers, or undefined when it points down (or stays inside its module). */
function violation(e: Edge): string | undefined {
  if (!e.to.startsWith('src/')) return `${describe(e)}: outside src/`;
  const a = moduleOf(e.from);
  const b = moduleOf(e.to);
  if (a === b) return undefined;
  const la = LAYER_OF.get(a);
  const lb = LAYER_OF.get(b);
  if (la === undefined || lb === undefined) return `${describe(e)}: ${la === undefined ? a : b} is in no layer`;
  if (lb > la) return undefined;
  const where = lb === la ? 'sideways, within' : `up, from ${LAYERS[la].name} to`;
  return `${describe(e)}: ${a} → ${b} points ${where} layer '${LAYERS[lb].name}'`;
}

const isException = (e: Edge) => EXCEPTIONS.some((x) => `src/${x.from}` === e.from && `src/${x.to}` === e.to);

test('the import scanner reads every form of import the sources use', () => {
  const source = [
    "import { a } from './a.ts';",
    "import type { B } from '../b.ts';",
    'import {',
    '  c,',
    '  type D,',
    "} from '../c/d.ts';",
    "export { e } from './e.ts';",
    "export * from './f.js';",
    "import './g.ts';",
    "const h = await import('./h.ts');",
    "import { readFile } from 'node:fs';",
    "export const message = 'not an import';",
    'export function f(): void {}',
    "import * as x509 from '@peculiar/x509';",
  ].join('\n');
  assert.deepEqual(importsOf(source).sort(), [
    '../b.ts',
    '../c/d.ts',
    './a.ts',
    './e.ts',
    './f.js',
    './g.ts',
    './h.ts',
    '@peculiar/x509',
    'node:fs',
  ]);
});

test('the scanner finds every import that esbuild follows from src/', { timeout: 120_000 }, async () => {
  const files = sourceFiles();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: files,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'architecture-check',
    logLevel: 'silent',
  });
  const scanned = new Set(relativeImports().map((e) => `${e.from} → ${e.to}`));
  const missed: string[] = [];
  for (const [from, input] of Object.entries(result.metafile.inputs))
    for (const i of input.imports)
      if (!i.external && from.startsWith('src/') && !scanned.has(`${from} → ${i.path}`))
        missed.push(`${from} imports '${i.original}'`);
  if (missed.length > 0) assert.fail(`imports the scanner did not see:\n${missed.join('\n')}`);
  assert.ok(scanned.size > 1000, `only ${scanned.size} imports found`);
});

test('every module of src/ is in exactly one layer', () => {
  const modules = readdirSync(SRC).filter((e) => !e.startsWith('.'));
  const placed = LAYERS.flatMap((l) => Object.keys(l.modules));
  assert.deepEqual(
    modules.filter((m) => !LAYER_OF.has(m)),
    [],
    'modules of src/ missing from test/architecture/layers.ts',
  );
  assert.deepEqual(
    placed.filter((m) => !modules.includes(m)),
    [],
    'layers.ts names modules src/ does not have',
  );
  assert.equal(new Set(placed).size, placed.length, 'a module is in two layers');
});

test('imports point down the layers (test/architecture/layers.ts)', () => {
  const edges = relativeImports();
  const broken = edges
    .filter((e) => !isException(e))
    .map(violation)
    .filter((v) => v !== undefined);
  if (broken.length > 0) assert.fail(`${broken.length} imports against the layers:\n${broken.join('\n')}`);
});

test('every listed exception is still needed and has a reason', () => {
  const edges = relativeImports();
  for (const x of EXCEPTIONS) {
    assert.ok(x.reason.trim().length > 0, `exception ${x.from} → ${x.to} has no reason`);
    const edge = edges.find((e) => e.from === `src/${x.from}` && e.to === `src/${x.to}`);
    assert.ok(edge, `exception ${x.from} → ${x.to}: there is no such import any more; remove it`);
    assert.ok(violation(edge), `exception ${x.from} → ${x.to}: the import points down; remove the exception`);
  }
});
