// Bundles the CLI and everything it imports into dist/ (minified ESM, lazily loaded chunks), so the published
// package has no runtime dependencies and the exporter starts ~10 MB smaller than with node_modules resolution.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildWeb } from './build-web.mjs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  minify: process.env.REDOUBT_NO_MINIFY !== '1',
  keepNames: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __redoubtRequire } from 'node:module'; const require = __redoubtRequire(import.meta.url);",
  },
});

// Data read at run time (not imported): the common-password list for the offline password checks.
mkdirSync('dist/data', { recursive: true });
copyFileSync('src/security/data/common-passwords.txt', 'dist/data/common-passwords.txt');

// The console's pages: dist/web/ (index.html, login.html, assets/).
await buildWeb('dist/web', { minify: process.env.REDOUBT_NO_MINIFY !== '1' });
