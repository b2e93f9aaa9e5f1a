#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=4
// The flag: V8's default 16 MB young generation let a long-running exporter's RSS drift past 120 MB. 4 MB: the
// exporter at a 1 s pace holds the same RSS (60 MB) and CPU as with 1 MB, and `up` answers a dashboard's 24 h
// queries with 0.7x the CPU of 1 MB (13.3 against 18.6 s for 62 panels x 3; 16 MB: 13.8 s and 30 MB more RSS).
// MALLOC_ARENA_MAX=1: one glibc malloc arena instead of one per thread (V8's compiler threads each kept theirs):
// 3-5 MB less RSS for the exporter at Prometheus's pace (bench/README.md, "Paced").
// (`node bin/redoubt.js` skips the shebang; run the file itself, or pass the flag, to get it.)
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.js', import.meta.url);

let cli;
try {
  cli = await import(entry.href);
} catch (err) {
  // A checkout before `npm ci` (which builds dist/ through the prepare script) has no dist/: say so, not a trace.
  const file = fileURLToPath(entry);
  const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(file);
  if (!missing) throw err;
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`redoubt: redoubt is not built yet (no ${file}); run "npm ci" in ${root} first\n`);
  process.exit(2);
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`redoubt: ${err?.message ?? err}\n`);
    process.exitCode = 2;
  },
);
