// Bundles the console's pages (web/, Preact + uPlot) into dist/web/: index.html and login.html that load hashed
// assets from /assets/ (no inline script or style, so the console's strict CSP holds), the instance page and uPlot
// in a chunk of their own that only the instance page loads.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The budget of the issue: the overview's first load stays under 200 KB of gzip-compressed script. */
export const OVERVIEW_SCRIPT_BUDGET_BYTES = 200 * 1024;

/** Builds the pages into `outdir` (dist/web by default); answers what the overview and the login page load. */
export async function buildWeb(outdir = 'dist/web', { minify = true } = {}) {
  const assets = resolve(outdir, 'assets');
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: 'web/main.tsx', login: 'web/login.tsx', style: 'web/app.css' },
    absWorkingDir: ROOT,
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const entryOf = (entry) => {
    const [file] = Object.entries(outputs).find(([, o]) => o.entryPoint === entry) ?? [];
    if (!file) throw new Error(`web build: no output for ${entry}`);
    return resolve(ROOT, file);
  };
  /** The file and every chunk it imports statically: what a page loads before it can run. */
  const closure = (file, seen = new Set()) => {
    if (seen.has(file)) return seen;
    seen.add(file);
    const meta = outputs[relative(ROOT, file)];
    for (const imp of meta.imports) if (imp.kind === 'import-statement') closure(resolve(ROOT, imp.path), seen);
    return seen;
  };
  const url = (file) => `/assets/${relative(assets, file)}`;
  const page = (title, entryFile) => {
    const preloads = [...closure(entryFile)]
      .filter((f) => f !== entryFile)
      .map((f) => `<link rel="modulepreload" href="${url(f)}">`)
      .join('');
    return (
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark">' +
      `<title>${title}</title><link rel="stylesheet" href="${url(entryOf('web/app.css'))}">${preloads}` +
      `<script type="module" src="${url(entryFile)}"></script></head>` +
      '<body><div id="app"><noscript>The redoubt console needs JavaScript.</noscript></div></body></html>\n'
    );
  };
  const app = entryOf('web/main.tsx');
  const login = entryOf('web/login.tsx');
  writeFileSync(join(outdir, 'index.html'), page('redoubt', app));
  writeFileSync(join(outdir, 'login.html'), page('redoubt · sign in', login));
  const gzipped = (files) => [...files].reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return {
    /** gzip bytes of the script the overview loads before it runs (its entry and the chunks it imports). */
    overviewScriptGzipBytes: gzipped(closure(app)),
    loginScriptGzipBytes: gzipped(closure(login)),
    files: Object.keys(outputs).map((f) => resolve(ROOT, f)),
  };
}
